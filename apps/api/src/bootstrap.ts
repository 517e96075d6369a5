/** Building the API around its module (Fastify, body parsing, headers, OpenAPI), for main.ts and the tests alike. */
import { isUtf8 } from 'node:buffer';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { AppConfig, loadConfig } from '@app/config';
import {
  Csp,
  CspFor,
  conditionalGets,
  eventSchemaComponents,
  fastifyOptions,
  fastifySecurityHeaders,
  hardenFastifyApp,
  httpRequestDuration,
  illFormedFields,
  mayEscapeSurrogates,
  notWellFormed,
  wellFormedUrl,
} from '@app/http';
import { AppModule } from './app.module';
import { BodyRefused, problem } from './http/problem';
import { sendProblem } from './http/problem.filter';

/** application/json and the JSON-based types (application/merge-patch+json, …), as Express's parser took them. */
const JSON_TYPES = /^application\/(?:[\w.!#$%&'*^`|~-]+\+)?json(?:;|$)/i;

/** "256kb", "1mb" (the configuration's form, as body-parser read it) in bytes. */
export function bodyLimitBytes(limit: string): number {
  const [, amount, unit] = /^(\d+)(kb|mb)$/i.exec(limit) ?? [];
  if (!amount) throw new Error(`not a body limit: ${limit}`);
  return Number(amount) * (unit.toLowerCase() === 'mb' ? 1024 * 1024 : 1024);
}

/** How deep objects and arrays may nest in a body: ours go four levels down. */
const MAX_DEPTH = 32;

/**
 * Whether objects and arrays nest deeper than MAX_DEPTH (outside strings). JSON.parse takes
 * thousands of levels, but the validation after it recurses on them until the stack runs out.
 */
function tooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Body parsing that answers problem+json: 400 for broken JSON (and for a bare string or number:
 * a body is an object or an array), 400 for text that is not well-formed (bytes that are not
 * UTF-8, a lone surrogate escaped as `\ud800`), 415 for a body that is not JSON. Too large a
 * body is refused by Fastify before it is read (413, see ProblemFilter).
 */
function jsonBodies(instance: FastifyInstance, limit: number): void {
  // PostgreSQL cannot store U+0000 in text or jsonb: refuse it at the door, as bad JSON.
  const reviver = (_key: string, value: unknown) => {
    if (typeof value === 'string' && value.includes('\u0000')) throw new SyntaxError('NUL characters are not accepted');
    return value;
  };
  const notJson = () => new BodyRefused(problem(400, 'The request body is not valid JSON.', { errors: [{ field: 'body', message: 'is not valid JSON' }] }));
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer', bodyLimit: limit }, (_request, bytes, done) => {
    // Decoding would turn bytes that are not UTF-8 into U+FFFD, silently: they are refused instead.
    if (!isUtf8(bytes as Buffer)) return done(notWellFormed(['body']));
    const text = (bytes as Buffer).toString('utf8').trimStart();
    // An empty body is no body, as with Express's parser.
    if (text === '') return done(null, undefined);
    if (text[0] !== '{' && text[0] !== '[') return done(notJson());
    if (tooDeep(text)) return done(notJson());
    let body: unknown;
    try {
      // A NUL can only come escaped (JSON refuses control characters as they are): the reviver, which
      // costs a call per value, runs only when the text has one.
      body = text.includes('\\u0000') ? JSON.parse(text, reviver) : JSON.parse(text);
    } catch {
      return done(notJson());
    }
    // A lone surrogate too (UTF-8 cannot carry one): its strings are looked at only when the text escapes one.
    const illFormed = mayEscapeSurrogates(text) ? illFormedFields(body) : [];
    done(illFormed.length ? notWellFormed(illFormed) : null, body);
  });
  instance.addContentTypeParser('*', (_request, _payload, done) => {
    done(new BodyRefused(problem(415, 'Send the body as JSON, with Content-Type: application/json.')));
  });
  // The address too: a path parameter or a query value that decodes to bytes that are not UTF-8.
  instance.addHook('onRequest', (request, _reply, done) => done(wellFormedUrl(request.url) ? undefined : notWellFormed(['address'])));
}

export function openApiDocument(app: INestApplication) {
  const options = new DocumentBuilder()
    .setTitle('Cocommission API')
    .setDescription('Councils, ICBs and voluntary and community organisations commissioning public services together. ' + 'Every error is application/problem+json (RFC 9457).')
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, options);
  // The events' bodies, from the catalogue's schemas (POST /v1/cycles/:id/events refers to them).
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...eventSchemaComponents() } };
  return document;
}

/** helmet's Content-Security-Policy, with no inline styles (helmet's default allows them). */
const API_CSP: Csp = {
  'style-src': ["'self'"],
};

/**
 * Swagger UI's page (/docs and its assets) alone: its HTML carries `<style>` elements and a style
 * attribute of @nestjs/swagger's own making, so inline styles are allowed there, and nowhere else.
 */
const DOCS_CSP: CspFor = { prefix: '/docs', csp: { 'style-src': ["'self'", "'unsafe-inline'"] } };

/** Everything the API needs around its module: used by main.ts and by the tests alike. */
export function configureApp(app: NestFastifyApplication, config: AppConfig): void {
  hardenFastifyApp(app, API_CSP, DOCS_CSP);
  const fastify = app.getHttpAdapter().getInstance();
  // Every request in the metrics, by its route's template (an unmatched path is one label, not its own).
  fastify.addHook('onResponse', (request, reply, done) => {
    httpRequestDuration.observe({ method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
  jsonBodies(fastify, bodyLimitBytes(config.http.bodyLimit));
  // Attachments (POST /v1/cycles/:id/attachments): streamed, never buffered; one file, two short fields.
  void fastify.register(multipart, {
    // One byte over the limit reaches the service, which refuses the file (413) and stores nothing.
    limits: { fileSize: config.attachments.maxBytes + 1, files: 1, fields: 4, fieldSize: 1000, parts: 6, headerPairs: 50, fieldNameSize: 50 },
  });
  conditionalGets(fastify);
  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

/** The API's Fastify adapter (Fastify: less CPU per request than Express, see docs/performance.md). */
export function apiAdapter(config: AppConfig): FastifyAdapter {
  const secure = fastifySecurityHeaders(API_CSP, DOCS_CSP);
  return new FastifyAdapter({
    ...fastifyOptions(config),
    bodyLimit: bodyLimitBytes(config.http.bodyLimit),
    // What Fastify refuses while routing, before any hook or filter runs (an address that does not
    // decode): answered as every other error, with the same headers.
    frameworkErrors: (_error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      secure(request, reply, () => sendProblem(reply, problem(400, "The request's address could not be read."), request));
    },
  });
}

export async function createApi(config: AppConfig = loadConfig()): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, apiAdapter(config), { bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  return app;
}
