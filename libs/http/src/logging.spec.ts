import { Writable } from 'node:stream';
import pino from 'pino';
import { pinoHttpOptions } from './logging';

describe('structured logs', () => {
  it('never write a password, a token or an authorization header', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const options = pinoHttpOptions({ logLevel: 'info' });
    const logger = pino({ level: 'info', redact: options.redact }, sink);
    logger.info({
      req: { id: 'abc', headers: { authorization: 'Bearer eyJ.secret.token', cookie: 'session=1' } },
      body: { email: 'a@b.c', password: 'hunter2-hunter2' },
      reply: { accessToken: 'eyJ.another.token' },
    });
    const line = lines.join('');
    expect(JSON.parse(line)).toMatchObject({ req: { id: 'abc' } });
    expect(line).not.toMatch(/hunter2|eyJ|session=1/);
    expect(line).toContain('[redacted]');
  });
});
