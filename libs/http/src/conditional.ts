/** Conditional GETs and caching headers: ETags, 304s and no-store for answers that depend on who asks. */
import { Readable } from 'node:stream';
import etag from 'etag';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fresh from 'fresh';

/** Whether the request carries credentials: a bearer token, or the calendar feed's `?token=`. */
const credentialed = (request: FastifyRequest) => request.headers.authorization !== undefined || /[?&]token=/.test(request.url);

/**
 * Conditional GETs. A GET or HEAD answered 200 carries an ETag. Every answer is `Cache-Control:
 * no-store` (it depends on who asks, and no browser, proxy or disk may keep it: a shared
 * computer's next user cannot bring it back; a login's answer holds a token) but a GET's without
 * credentials (the OpenAPI document, health), which is `private, no-cache`; a route may set its
 * own. A client that keeps its own copy still sends If-None-Match and gets 304.
 *
 * - A route's own tag, such as a cycle's `"<version>"`, names the version for `If-Match`; the view
 *   under it also depends on the caller and the time (`nextEvents`, overdue actions), so it is
 *   never answered 304: the same version can be a different answer.
 * - Any other answer gets a weak tag of its body (as Express made it), and an If-None-Match that
 *   still matches it is answered 304 with no body.
 *
 * Other methods are left alone (an event's answer carries its route's ETag; no body is hashed on
 * the write path).
 */
export function conditionalGets(instance: FastifyInstance): void {
  instance.addHook('onSend', (request, reply, payload, done) => {
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', read && !credentialed(request) ? 'private, no-cache' : 'no-store');
    if (!read || reply.statusCode !== 200) return done(null, payload);
    // A route's own tag, or a stream (downloads, the whole history: read as they are sent, never hashed).
    if (reply.hasHeader('etag') || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return done(null, payload);
    const tag = etag(payload, { weak: true });
    reply.header('etag', tag);
    if (request.headers['if-none-match'] !== undefined && fresh(request.headers, { etag: tag })) {
      reply.code(304);
      // A 304 has no body, and says nothing of one (RFC 9110 §15.4.5): no Content-Type, and no
      // Content-Length, which Fastify would give an empty string (an empty stream gets none).
      reply.removeHeader('content-type');
      return done(null, Readable.from([]));
    }
    done(null, payload);
  });
}
