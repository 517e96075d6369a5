import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import Fastify from 'fastify';
import helmet from 'helmet';
import { type Csp, fastifySecurityHeaders } from './harden';

/** What helmet itself sets on a real response for a policy. */
function helmetSets(csp: Csp): Record<string, unknown> {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  helmet({ contentSecurityPolicy: { directives: csp } })(request, response, () => undefined);
  return response.getHeaders();
}

describe('the security headers of a Fastify app', () => {
  const csp: Csp = { 'style-src': ["'self'"] };
  const docs: Csp = { 'style-src': ["'self'", "'unsafe-inline'"] };

  it("are helmet's own, taken once, with the other policy under its prefix only, and the request's id", async () => {
    const app = Fastify({ genReqId: () => 'request-1' });
    app.addHook('onRequest', fastifySecurityHeaders(csp, { prefix: '/docs', csp: docs }));
    app.get('/*', async () => 'ok');
    for (const [url, policy] of [
      ['/v1/cycles', csp],
      ['/docs', docs],
      ['/docs/index.html', docs],
      ['/docs-json', csp],
    ] as const) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      const expected = helmetSets(policy);
      expect(Object.keys(expected).length).toBeGreaterThan(10);
      for (const [name, value] of Object.entries(expected)) expect([url, name, res.headers[name]]).toEqual([url, name, value]);
      expect(res.headers['x-request-id']).toBe('request-1');
    }
    expect(helmetSets(csp)['content-security-policy']).not.toBe(helmetSets(docs)['content-security-policy']);
    await app.close();
  });
});
