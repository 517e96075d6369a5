/** What both apps start with: structured logs, proxy trust, helmet's headers and the Content-Security-Policy. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/config';
import { requestIdOf } from './logging';

export type Csp = Record<string, string[] | null>;

/** helmet's headers, with the app's own additions to the Content-Security-Policy (null drops one of helmet's defaults). */
const securityHeaders = (csp: Csp) => helmet({ contentSecurityPolicy: { directives: csp } });

function useStructuredLogs(app: INestApplication): void {
  app.useLogger(app.get(Logger));
}

/**
 * What the web app (Express) starts with: structured logs, no `x-powered-by`, the proxy setting,
 * and helmet's headers.
 */
export function hardenApp(app: NestExpressApplication, config: AppConfig, csp: Csp): void {
  useStructuredLogs(app);
  app.disable('x-powered-by');
  // A number of hops or a list of addresses, never `true` (the configuration refuses it).
  app.set('trust proxy', config.http.trustProxy);
  app.use(securityHeaders(csp));
}

/** The paths at `prefix` and under it (`/docs`, `/docs/…`, `/docs?…`; not `/docs-json`), with the Content-Security-Policy they have instead. */
export interface CspFor {
  prefix: string;
  csp: Csp;
}

const isUnder = (url: string, prefix: string) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);

/**
 * helmet's headers for a policy, as helmet sets them, taken once: they are the same on every
 * answer, and running helmet's dozen middlewares for each request cost the API 1.2% of its CPU
 * under the write load.
 */
export function helmetHeaders(csp: Csp): [string, string][] {
  const headers = new Map<string, string>();
  const response = { setHeader: (name: string, value: string) => headers.set(name, value), removeHeader: (name: string) => headers.delete(name) };
  let done = false;
  securityHeaders(csp)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  if (!done) throw new Error('helmet did not set its headers at once: they cannot be taken ahead of the requests');
  return [...headers];
}

/**
 * The headers every answer of a Fastify app carries: its request id (see fastifyOptions), echoed
 * as pino-http echoes it under Express, and helmet's, taken once (with another policy for the
 * paths of `other`, if given).
 */
export function fastifySecurityHeaders(csp: Csp, other?: CspFor): (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void {
  const headers = helmetHeaders(csp);
  const otherHeaders = other && helmetHeaders(other.csp);
  return (request, reply, done) => {
    reply.raw.setHeader('x-request-id', request.id);
    const chosen = otherHeaders && isUnder(request.url, other.prefix) ? otherHeaders : headers;
    for (const [name, value] of chosen) reply.raw.setHeader(name, value);
    done();
  };
}

/**
 * The same for the API (Fastify, which sends no `x-powered-by`; its proxy setting is given when
 * the adapter is made, see `fastifyOptions`). The headers are set by a hook on every request:
 * errors, 404s and streamed downloads included.
 */
export function hardenFastifyApp(app: NestFastifyApplication, csp: Csp, other?: CspFor): void {
  useStructuredLogs(app);
  app.getHttpAdapter().getInstance().addHook('onRequest', fastifySecurityHeaders(csp, other));
}

/** Fastify's own options for an app of ours: the proxy setting as Express reads it, and paths as Express matched them. */
export function fastifyOptions(config: AppConfig) {
  const { trustProxy } = config.http;
  return {
    // A number of hops (0: none) or a list of addresses and subnets, read by proxy-addr as Express reads it.
    trustProxy: typeof trustProxy === 'number' ? trustProxy || false : trustProxy,
    // Express ignored one trailing slash; the API's clients may send one. A path parameter up to
    // 2,048 characters reaches the route, which refuses a bad id as Express's did (Fastify's own
    // limit, 100, would answer before any route or filter).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // The caller's x-request-id when well formed, else a new one; pino-http logs with it (and
    // logs each request: Fastify's own logger stays off).
    genReqId: requestIdOf,
    // Node's own limit on receiving a request (Fastify turns it off): a client that trickles its
    // body cannot hold a socket for ever.
    requestTimeout: 300_000,
    // While the process drains on SIGTERM, requests on open connections are still served (with
    // `Connection: close`), as under Express, rather than refused with Fastify's own 503.
    return503OnClosing: false,
  };
}
