import fc from 'fast-check';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Collaboration, Factory, TestApi, collaboration, createTestApi } from '@test/support';

/**
 * Random malformed bodies, ids and tokens against every route of the OpenAPI document: never a
 * 5xx, every error problem+json, nothing changed. Then random (mostly well-formed) events by
 * random members: the history always has as many entries as the version says, and verifies.
 * Prototype keys (`__proto__`, `toString`, ...) go wherever a name goes, and query parameters
 * come repeated (`?token=a&token=b` arrives as an array).
 */
describe('fuzzing every route', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let ids: Record<string, string>;
  let routes: { method: string; path: string }[];

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
    const cycleId = await c.newCycle();
    const anchor = (await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'A', date: '2027-05-01' })).body;
    ids = {
      id: cycleId,
      partnership: c.partnershipId,
      anchorId: anchor.id,
      organisationId: c.orgs.council.id,
      milestoneId: cycleId,
      incidentId: cycleId,
    };
    const doc = (await request(api.http).get('/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method, path })),
    );
  });
  afterAll(() => api.close());

  async function fingerprint(): Promise<string> {
    const db = api.app.get(DataSource);
    const rows = await db.query(`SELECT
      (SELECT count(*) FROM organisations) AS o, (SELECT count(*) FROM users) AS u,
      (SELECT count(*) FROM partnerships) AS p, (SELECT count(*) FROM partnership_members) AS pm,
      (SELECT count(*) FROM table_declarations) AS t, (SELECT count(*) FROM outcomes) AS oc,
      (SELECT count(*) FROM anchors) AS a, (SELECT max(updated_at) FROM anchors) AS au,
      (SELECT count(*) FROM cycles) AS c, (SELECT sum(version) FROM cycles) AS v,
      (SELECT count(*) FROM milestones) AS m, (SELECT count(*) FROM notifications) AS n,
      (SELECT max(updated_at) FROM partnerships) AS pu`);
    return JSON.stringify(rows[0]);
  }

  const garbageId = fc.constantFrom('not-a-uuid', '00000000-0000-4000-8000-000000000000', '%20', '..', '1', 'x'.repeat(300), "'; DROP TABLE cycles; --");
  const json = fc.jsonValue({ maxDepth: 3 });
  const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
  const queryKey = fc.constantFrom('token', 'limit', 'cursor', 'state', 'partnershipId', ...PROTOTYPE_KEYS, 'constructor[prototype]', 'token[x]');
  const queryValue = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('1', '-1', 'draft', 'x'.repeat(300), ...PROTOTYPE_KEYS));
  /** A query string in which a parameter may come several times. */
  const query = fc
    .array(fc.tuple(queryKey, fc.array(queryValue, { minLength: 1, maxLength: 3 })), { maxLength: 4 })
    .map((pairs) => pairs.flatMap(([key, values]) => values.map((v) => `${encodeURIComponent(key)}=${encodeURIComponent(v)}`)).join('&'));
  /** Bodies written by hand: JSON.stringify drops a `__proto__` key that JSON.parse would keep. */
  const rawBody = fc.constantFrom(
    '{"type":"toString"}',
    '{"type":"__proto__"}',
    '{"type":"constructor"}',
    '{"type":"hasOwnProperty"}',
    '{"__proto__":{"type":"LAUNCH"}}',
    '{"type":"LAUNCH","__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"x":1}},"name":"x"}',
    '{"type":"REVISE_PROBLEM","statement":{"__proto__":"x"}}',
  );
  const body = fc.oneof(
    json,
    fc.dictionary(fc.constantFrom('type', 'name', 'kind', 'email', 'password', 'statement', 'revision', 'date', 'memberOrganisationIds', 'on', 'off', 'metrics', 'dueAt', 'anchorId', 'offsetDays', 'partnershipId', 'title', 'extra', '__proto__', 'constructor'), json),
    fc.record({ type: fc.constantFrom('LAUNCH', 'REVISE_PROBLEM', 'ENDORSE_PROBLEM', 'SUBMIT_OPTION', 'CONSENT', 'FRAMING_DUE', 'NOPE', ...PROTOTYPE_KEYS), junk: json }),
  );
  const token = (valid: string) => fc.constantFrom(valid, '', 'Bearer', `Bearer ${valid}x`, 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', `Basic ${valid}`);

  it('never answers 5xx, always problem+json for errors, and changes nothing', async () => {
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(routes.length - 1),
        fc.boolean(),
        garbageId,
        body,
        token(c.councilUser.as.token!),
        fc.constantFrom('json', 'broken', 'raw'),
        query,
        rawBody,
        async (routeIndex, realIds, badId, payload, auth, form, search, raw) => {
          const route = routes[routeIndex];
          const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => (realIds ? (ids[name] ?? ids.id) : encodeURIComponent(badId)));
          let req = request(api.http)[route.method as 'get'](search ? `${path}?${search}` : path);
          if (auth) req = req.set('Authorization', auth);
          if (route.method !== 'get' && route.method !== 'delete') {
            const text = { json: JSON.stringify(payload), broken: `${JSON.stringify(payload)}}`, raw }[form];
            req = req.set('Content-Type', 'application/json').send(text);
          }
          const res = await req;
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        },
      ),
      { numRuns: 800 },
    );
    expect(await fingerprint()).toBe(before);
  }, 120000);

  it('random events by random people: history length equals version and verifies after each', async () => {
    const people = [c.councilUser, c.icbUser, c.charityUser, c.forumUser, ...c.panel, c.facilitator];
    const event = fc.record({
      who: fc.nat(people.length - 1),
      type: fc.constantFrom('LAUNCH', 'REVISE_PROBLEM', 'ENDORSE_PROBLEM', 'OBJECT_PROBLEM', 'SUBMIT_OPTION', 'CLOSE_OPTIONS', 'ESCALATE', 'RESOLVE_ESCALATION', 'CANCEL'),
      revision: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 5, maxLength: 25 }), async (events) => {
        const id = await c.newCycle();
        for (const e of events) {
          const view = (await c.councilUser.as.get(`/v1/cycles/${id}`)).body;
          const res = await people[e.who].as.post(`/v1/cycles/${id}/events`, {
            type: e.type,
            ...(e.type === 'REVISE_PROBLEM' && { statement: 'A statement' }),
            ...(['ENDORSE_PROBLEM', 'OBJECT_PROBLEM'].includes(e.type) && { revision: e.revision || view.problem.latestRevision || 1 }),
            ...(['OBJECT_PROBLEM', 'ESCALATE', 'CANCEL'].includes(e.type) && { reason: 'A reason' }),
            ...(e.type === 'SUBMIT_OPTION' && { title: 'T', summary: 'S' }),
            ...(e.type === 'RESOLVE_ESCALATION' && { resolution: 'R' }),
          });
          expect([200, 403, 422]).toContain(res.status);
          const after = (await c.councilUser.as.get(`/v1/cycles/${id}`)).body;
          expect(after.version).toBe(res.status === 200 ? view.version + 1 : view.version);
          const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`)).body;
          expect(history).toHaveLength(after.version);
        }
        await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200).expect((r) => expect(r.body.intact).toBe(true));
      }),
      { numRuns: 12 },
    );
  }, 120000);
});
