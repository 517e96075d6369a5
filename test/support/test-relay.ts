import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Client } from 'pg';

/** A real SMTP server in the test process: it keeps what it accepts, and can refuse the next few messages with 451. */
export class TestRelay {
  readonly received: ParsedMail[] = [];
  /** How many of the next messages to each address to refuse (451: try again later). */
  private readonly refusals = new Map<string, number>();
  refused = 0;
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).find((a) => (this.refusals.get(a) ?? 0) > 0);
        if (to) {
          this.refusals.set(to, this.refusals.get(to)! - 1);
          this.refused++;
          return callback(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 }));
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            this.received.push(mail);
            callback();
          })
          .catch(callback);
      });
    },
  });

  /** Refuses the next `times` messages to this address with 451. */
  refuse(address: string, times: number): void {
    this.refusals.set(address, times);
  }

  /** A header as sent (mailparser turns List-* headers into structures). */
  static header(mail: ParsedMail, name: string): string | undefined {
    const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
    return line?.slice(line.indexOf(':') + 1).trim();
  }

  /**
   * Listens, and answers the SMTP URL. The suites of a run share one database, so notifications
   * that earlier suites left waiting (their workers closed, or had no SMTP) are marked skipped
   * first: this suite's emails do not queue behind thousands of others, nor go to its relay.
   */
  async start(): Promise<string> {
    // Straight from the environment: loadConfig() would fix the config before the suite sets SMTP_URL.
    const owner = new Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
    await owner.connect();
    try {
      await owner.query(`UPDATE notifications SET email_status = 'skipped' WHERE email_status IN ('pending', 'digest')`);
    } finally {
      await owner.end();
    }
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  to(email: string): ParsedMail[] {
    return this.received.filter((m) => [m.to].flat().some((a) => a?.value.some((v) => v.address === email)));
  }
}
