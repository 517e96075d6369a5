import fc from 'fast-check';
import request from 'supertest';
import { Collaboration, Factory, TestApi, asOwner, collaboration, createTestApi } from '@test/support';
import { BAD_BYTES, percentEncoded } from '@test/support/ill-formed';

/**
 * Random malformed bodies, ids and tokens against every route of the OpenAPI document: never a
 * 5xx, every error problem+json, nothing changed. Then random (mostly well-formed) events by
 * random members: the history always has as many entries as the version says, and verifies.
 * Prototype keys (`__proto__`, `toString`, ...) go wherever a name goes, and query parameters
 * come repeated (`?token=a&token=b` arrives as an array). Text that is not well-formed (lone
 * surrogates, bytes that are not UTF-8) in any field, key or query: 400, and never the cause of
 * another person's request failing.
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
    routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })));
  });
  afterAll(() => api.close());

  async function fingerprint(): Promise<string> {
    // Read as the tables' owner, beside the app: what the fuzzed requests did to the data.
    const rows = await asOwner((m) =>
      m.query(`SELECT
      (SELECT count(*) FROM organisations) AS o, (SELECT count(*) FROM users) AS u,
      (SELECT count(*) FROM partnerships) AS p, (SELECT count(*) FROM partnership_members) AS pm,
      (SELECT count(*) FROM table_declarations) AS t, (SELECT count(*) FROM outcomes) AS oc,
      (SELECT count(*) FROM anchors) AS a, (SELECT max(updated_at) FROM anchors) AS au,
      (SELECT count(*) FROM cycles) AS c, (SELECT sum(version) FROM cycles) AS v,
      (SELECT count(*) FROM milestones) AS m, (SELECT count(*) FROM notifications) AS n,
      (SELECT max(updated_at) FROM partnerships) AS pu`),
    );
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
    fc.dictionary(
      fc.constantFrom(
        'type',
        'name',
        'kind',
        'email',
        'password',
        'statement',
        'revision',
        'date',
        'memberOrganisationIds',
        'on',
        'off',
        'metrics',
        'dueAt',
        'anchorId',
        'offsetDays',
        'partnershipId',
        'title',
        'extra',
        '__proto__',
        'constructor',
      ),
      json,
    ),
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

  /** Lone surrogates, escaped in the JSON text (the only way JSON carries one): high and low, alone and at either end. */
  const loneSurrogate = fc
    .tuple(fc.constantFrom('\\ud800', '\\udbff', '\\udc00', '\\udfff', '\\ude00\\ud83d'), fc.constantFrom('alone', 'start', 'end', 'middle'), fc.string({ maxLength: 8 }))
    .map(([lone, where, text]) => {
      const around = JSON.stringify(text).slice(1, -1);
      return { alone: lone, start: `${lone}${around}`, end: `${around}${lone}`, middle: `${around}${lone}${around}` }[where];
    });
  const badBytes = fc.constantFrom(...BAD_BYTES.map((b) => Buffer.from(b)));
  const TEXT_FIELDS = ['name', 'statement', 'reason', 'title', 'summary', 'note', 'rationale', 'resolution', 'insight', 'email', 'password', 'destination', 'comment', 'url', 'type', 'kind', 'date'];
  /** A body of text fields, one of which carries text that is not well-formed (in its value, or as a key). */
  const illFormedBody = fc
    .tuple(
      fc.dictionary(fc.constantFrom(...TEXT_FIELDS), fc.string({ maxLength: 12 }), { maxKeys: 4 }),
      fc.constantFrom(...TEXT_FIELDS),
      fc.oneof(
        loneSurrogate.map((s) => ({ s })),
        badBytes.map((b) => ({ b })),
      ),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([fields, field, bad, asKey, nested]) => {
      const good = Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
      const marker = '\u0001BAD\u0001';
      const own = asKey ? `"${marker}":"x"` : `${JSON.stringify(field)}:"${marker}"`;
      const text = `{${[...good, nested ? `"metrics":[{${own}}]` : own].join(',')}}`;
      const [before, after] = text.split(marker);
      return 's' in bad ? Buffer.from(`${before}${bad.s}${after}`) : Buffer.concat([Buffer.from(before), bad.b, Buffer.from(after)]);
    });
  const sendRaw = (req: request.Test, bytes: Buffer) =>
    req
      .set('Content-Type', 'application/json')
      .serialize((b: Buffer) => b as unknown as string)
      .send(bytes);

  it('refuses text that is not well-formed in any body or address with 400 and changes nothing', async () => {
    const before = await fingerprint();
    const withBodies = routes.filter((r) => r.method !== 'get' && r.method !== 'delete');
    const badQuery = fc.tuple(queryKey, fc.constantFrom(...BAD_BYTES)).map(([key, bytes]) => `${encodeURIComponent(key)}=a${percentEncoded(bytes)}`);
    await fc.assert(
      fc.asyncProperty(fc.nat(withBodies.length - 1), fc.boolean(), illFormedBody, async (routeIndex, realIds, bytes) => {
        const route = withBodies[routeIndex];
        const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => (realIds ? (ids[name] ?? ids.id) : 'not-a-uuid'));
        const res = await sendRaw(request(api.http)[route.method as 'post'](path).set('Authorization', `Bearer ${c.councilUser.as.token!}`), bytes);
        expect({ route, body: bytes.toString('latin1'), status: res.status }).toEqual({ route, body: bytes.toString('latin1'), status: 400 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.errors[0].message).toBe('is not well-formed text');
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(routes.length - 1), badQuery, async (routeIndex, search) => {
        const path = routes[routeIndex].path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? ids.id);
        const res = await request(api.http)[routes[routeIndex].method as 'get'](`${path}?${search}`).set('Authorization', `Bearer ${c.councilUser.as.token!}`);
        expect({ path, search, status: res.status }).toEqual({ path, search, status: 400 });
        expect(res.body.errors).toEqual([{ field: 'address', message: 'is not well-formed text' }]);
      }),
      { numRuns: 100 },
    );
    expect(await fingerprint()).toBe(before);
  }, 120000);

  it('refuses text that is not well-formed sent alongside other people’s events, and writes every good one', async () => {
    // Each co-owner revises the problem of cycles of their own while others send statements that
    // are not well-formed: none of those may take a good event down with it (they shared a group commit).
    const people = c.coOwners;
    const good = await Promise.all(people.map(() => c.newCycle()));
    const bad = await Promise.all(people.map(() => c.newCycle()));
    for (const id of [...good, ...bad]) await c.councilUser.as.post(`/v1/cycles/${id}/events`, { type: 'LAUNCH' }).expect(200);
    const illFormed = ['\\ud800', 'x \\udfff', '\\udc00 x', 'a\\udbffb'];
    for (let round = 0; round < 6; round++) {
      const answers = await Promise.all([
        ...people.map((p, i) => p.as.post(`/v1/cycles/${good[i]}/events`, { type: 'REVISE_PROBLEM', statement: `Round ${round} by ${i}` })),
        ...people.flatMap((p, i) => [
          sendRaw(
            request(api.http).post(`/v1/cycles/${bad[i]}/events`).set('Authorization', `Bearer ${p.as.token!}`),
            Buffer.from(`{"type":"REVISE_PROBLEM","statement":"${illFormed[(round + i) % illFormed.length]}"}`),
          ),
          sendRaw(
            request(api.http).post(`/v1/cycles/${bad[i]}/events`).set('Authorization', `Bearer ${p.as.token!}`),
            Buffer.concat([Buffer.from('{"type":"REVISE_PROBLEM","statement":"x'), Buffer.from(BAD_BYTES[(round + i) % BAD_BYTES.length]), Buffer.from('"}')]),
          ),
        ]),
      ]);
      expect(answers.map((a) => a.status)).toEqual([...people.map(() => 200), ...people.flatMap(() => [400, 400])]);
    }
    for (const id of good) expect((await c.councilUser.as.get(`/v1/cycles/${id}`)).body.version).toBe(2 + 6);
    for (const id of bad) expect((await c.councilUser.as.get(`/v1/cycles/${id}`)).body.version).toBe(2);
  }, 60000);

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
        await c.councilUser.as
          .get(`/v1/cycles/${id}/history/verify`)
          .expect(200)
          .expect((r) => expect(r.body.intact).toBe(true));
      }),
      { numRuns: 12 },
    );
  }, 120000);
});
