import { Readable } from 'node:stream';
import etag from 'etag';
import type { FastifyInstance } from 'fastify';
import fresh from 'fresh';

/**
 * Conditional GETs, as Express answered them: a GET or HEAD answered 200 carries an ETag (the
 * route's own, such as a cycle's `"<version>"`, or a weak one of the body, as Express made it),
 * and one whose If-None-Match still matches is answered 304 with no body. Other methods are left
 * alone (an event's answer carries its route's ETag; no body is hashed on the write path).
 */
export function conditionalGets(instance: FastifyInstance): void {
  instance.addHook('onSend', (request, reply, payload, done) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) return done(null, payload);
    let tag = reply.getHeader('etag');
    if (tag === undefined) {
      // Streams (downloads, the whole history) are not hashed: they are read as they are sent.
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
      tag = etag(payload, { weak: true });
      reply.header('etag', tag);
    }
    if (request.headers['if-none-match'] !== undefined && fresh(request.headers, { etag: String(tag) })) {
      reply.code(304);
      // A 304 has no body, and says nothing of one (RFC 9110 §15.4.5): no Content-Type, and no
      // Content-Length, which Fastify would give an empty string (an empty stream gets none).
      reply.removeHeader('content-type');
      return done(null, Readable.from([]));
    }
    done(null, payload);
  });
}
