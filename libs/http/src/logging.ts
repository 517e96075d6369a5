/** Request logging: a request id on every line, and no secret query parameters, passwords or tokens. */
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { APP_CONFIG, AppConfig } from '@app/config';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/**
 * Query parameters that carry a secret: the calendar feed's `?token=`, and any like it; an
 * identity provider's answer (`code`, `state`, and whatever tokens a provider may add).
 */
const SECRET_PARAMETER = /token|password|secret|signature|key|^code$|state$|nonce|verifier|assertion/i;

/** A path whose last segment is a secret: a guest's invitation link (`/invitations/<token>`, and what follows it). */
const SECRET_PATH = /^\/invitations\/[^/?#]+/;

/** A request's URL with the value of every secret query parameter (and a secret path segment) replaced. */
export function urlWithoutSecrets(given: string | undefined): string | undefined {
  const url = given?.replace(SECRET_PATH, '/invitations/[redacted]');
  const at = url?.indexOf('?') ?? -1;
  if (!url || at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0];
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A name that does not decode is judged as written.
      }
      return SECRET_PARAMETER.test(decoded) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, at)}?${query.join('&')}`;
}

/** A request's id: the caller's x-request-id when it is well formed, a new UUID otherwise. */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * pino-http settings: a request id on every line (echoed as x-request-id), never a password or
 * token. (Under Fastify, the request comes with the id Fastify gave it by `requestIdOf`.)
 */
export function pinoHttpOptions(config: Pick<AppConfig, 'logLevel'>): Options {
  return {
    level: config.logLevel,
    genReqId: (req, res) => {
      const id = requestIdOf(req);
      res.setHeader('x-request-id', id);
      return id;
    },
    // Each request's line says who asked what and what came of it, not every header: cheaper on
    // the write path (one line per event) and no header can leak a secret.
    wrapSerializers: false,
    serializers: {
      req: (req: { id?: unknown; method?: string; originalUrl?: string; url?: string; socket?: { remoteAddress?: string } }) => ({
        id: req.id,
        method: req.method,
        url: urlWithoutSecrets(req.originalUrl ?? req.url),
        remoteAddress: req.socket?.remoteAddress,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'req.query.token', 'req.query.password', '*.password', '*.accessToken', '*.token'],
      censor: '[redacted]',
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/health' },
  };
}

export const loggerModule = LoggerModule.forRootAsync({
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => ({ pinoHttp: pinoHttpOptions(config) }),
});
