#!/usr/bin/env node
/*
 * A mail sink for the smoke test: a real SMTP server (smtp-server, a devDependency) on a loopback
 * port that accepts every message, writes one line per message (its recipients and subject) to
 * the file named by its first argument, and prints "READY <port>" once it listens. Stops on SIGTERM.
 */
'use strict';

const { appendFileSync } = require('node:fs');
const { SMTPServer } = require('smtp-server');

const log = process.argv[2];
if (!log) {
  console.error('usage: node scripts/smtp-sink.js <file to log messages to> [port]');
  process.exit(2);
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    let head = '';
    stream.on('data', (chunk) => {
      if (head.length < 64 * 1024) head += chunk.toString('utf8');
    });
    stream.on('end', () => {
      const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
      appendFileSync(log, `${session.envelope.rcptTo.map((r) => r.address).join(',')}\t${subject}\n`);
      callback();
    });
  },
});

server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => console.log(`READY ${server.server.address().port}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
