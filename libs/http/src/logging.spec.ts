import { Writable } from 'node:stream';
import pino from 'pino';
import { pinoHttpOptions } from './logging';

/** A stream that keeps every log line written to it. */
const collectLines = (): { lines: string[]; sink: Writable } => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, sink };
};

/** The request log lines of a real server, logging as the API does, that answers each path with the status. */
const requestLines = async (statusCode: number, paths: string[]): Promise<string[]> => {
  const { createServer } = await import('node:http');
  const { pinoHttp } = await import('pino-http');
  const { lines, sink } = collectLines();
  const log = pinoHttp(pinoHttpOptions({ logLevel: 'info' }), sink);
  const server = createServer((req, res) => {
    log(req, res);
    // As Express does, so that a query parsed from the url is there to redact too.
    (req as unknown as { query: unknown }).query = Object.fromEntries(new URL(req.url!, 'http://x').searchParams);
    res.statusCode = statusCode;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    for (const path of paths) {
      await fetch(`http://127.0.0.1:${port}${path}`);
    }
  } finally {
    server.close();
  }
  return lines;
};

describe('structured logs', () => {
  it('never write a password, a token or an authorization header', () => {
    const { lines, sink } = collectLines();
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

describe('request logs of a real server', () => {
  it('never write the calendar token of a subscription link, however it is sent', async () => {
    const lines = await requestLines(
      401,
      ['token=s3cret-cal-token', 'token=s3cret-cal-token&token=s3cret-second', 'x=1&Token=s3cret-cal-token', '%74oken=s3cret-cal-token', 'token[x]=s3cret-cal-token'].map(
        (query) => `/v1/partnerships/p/calendar.ics?${query}`,
      ),
    );
    const log_ = lines.join('');
    expect(lines).toHaveLength(5);
    // Who asked what and what came of it; no header at all.
    expect(JSON.parse(lines[0])).toMatchObject({
      req: { method: 'GET', url: expect.stringContaining('/v1/partnerships/p/calendar.ics?token=[redacted]'), remoteAddress: '127.0.0.1', id: expect.any(String) },
      res: { statusCode: 401 },
    });
    expect(JSON.parse(lines[0]).req.headers).toBeUndefined();
    expect(JSON.parse(lines[0]).res.headers).toBeUndefined();
    expect(log_).toContain('/v1/partnerships/p/calendar.ics?');
    expect(log_).not.toMatch(/s3cret/);
  });

  it('never write the code or state of an identity provider’s answer, nor its tokens', async () => {
    const lines = await requestLines(
      303,
      [
        'code=s3cret-code&state=s3cret-state&iss=https%3A%2F%2Fidp',
        'state=s3cret-state&code=s3cret-code',
        'id_token=s3cret.id.token&session_state=s3cret-ss',
        'error=access_denied&state=s3cret-state',
      ].map((query) => `/sign-in/oidc/callback?${query}`),
    );
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0]).req.url).toBe('/sign-in/oidc/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp');
    expect(lines.join('')).toContain('error=access_denied');
    expect(lines.join('')).not.toMatch(/s3cret/);
  });

  it('never write the link of a guest’s invitation, nor when it is renewed', async () => {
    const { createServer } = await import('node:http');
    const { pinoHttp } = await import('pino-http');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pinoHttp(pinoHttpOptions({ logLevel: 'info' }), sink);
    const server = createServer((req, res) => {
      log(req, res);
      res.statusCode = 303;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await fetch(`http://127.0.0.1:${port}/invitations/s3cret-link-token`);
      await fetch(`http://127.0.0.1:${port}/invitations/s3cret-link-token/renew`, { method: 'POST' });
    } finally {
      server.close();
    }
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]).req.url).toBe('/invitations/[redacted]');
    expect(JSON.parse(lines[1]).req.url).toBe('/invitations/[redacted]/renew');
    expect(lines.join('')).not.toMatch(/s3cret/);
  });
});
