import { randomUUID } from 'node:crypto';
import { InternalServerErrorException, Logger } from '@nestjs/common';
import request from 'supertest';
import { AccountsService } from '@app/accounts';
import { Factory, TestApi, createTestApi } from '@test/support';

describe('errors are problem+json', () => {
  let api: TestApi;
  let factory: Factory;
  let token: string;

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    token = factory.admin.token!;
  });
  afterAll(() => api.close());

  const post = (url: string) => request(api.http).post(url).set('Authorization', `Bearer ${token}`);
  const expectProblem = (res: request.Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) }));
    expect(JSON.stringify(res.body)).not.toMatch(/ at .*\.(ts|js):\d+/);
  };

  it('names each invalid field', async () => {
    const res = await post('/v1/organisations').send({ name: '', kind: 'charity' });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' }), expect.objectContaining({ field: 'kind' })]));
  });

  it('names nested fields with a path', async () => {
    const { commissioner, id } = await factory.partnership();
    const res = await commissioner.as.post(`/v1/partnerships/${id}/outcomes`, {
      title: 'Outcome',
      metrics: [{ name: 'm', unit: 'u', baseline: 'high', target: 1, direction: 'up' }],
    });
    expectProblem(res, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['metrics.0.baseline', 'metrics.0.direction']));
  });

  it('refuses unknown fields', async () => {
    const res = await post('/v1/organisations').send({ name: 'A', kind: 'provider', budget: 1000 });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: 'budget', message: 'is not a field of this request' }]);
  });

  it('refuses broken JSON with 400', async () => {
    const res = await post('/v1/organisations').set('Content-Type', 'application/json').send('{"name": "A",');
    expectProblem(res, 400);
  });

  it('refuses a JSON array, a bare string or an empty body as the body', async () => {
    expectProblem(await post('/v1/organisations').send([{ name: 'A', kind: 'provider' }]), 400);
    expectProblem(await post('/v1/organisations').set('Content-Type', 'application/json').send('"A"'), 400);
    expectProblem(await post('/v1/organisations'), 400);
  });

  it('refuses a NUL character anywhere in the body, and takes the text \\u0000 as text', async () => {
    const nul = await post('/v1/organisations').set('Content-Type', 'application/json').send('{"name":"A\\u0000B","kind":"provider"}');
    expectProblem(nul, 400);
    expect(nul.body.detail).toBe('The request body is not valid JSON.');
    const text = await post('/v1/organisations').set('Content-Type', 'application/json').send(`{"name":"Backslash \\\\u0000 ${randomUUID()}","kind":"provider"}`);
    expect(text.status).toBe(201);
    expect(text.body.name).toMatch(/^Backslash \\u0000 /);
  });

  it('refuses text that is not well-formed with 400, naming the field: a lone surrogate anywhere in the body, bytes that are not UTF-8, in the address too', async () => {
    // Sent as they are (supertest would otherwise send a Buffer as JSON of its bytes).
    const json = (text: string | Buffer) =>
      post('/v1/organisations')
        .set('Content-Type', 'application/json')
        .serialize((body: string | Buffer) => body as string)
        .send(text);
    const surrogate = await json('{"name":"x \\ud800","kind":"provider"}');
    expectProblem(surrogate, 400);
    expect(surrogate.body.errors).toEqual([{ field: 'name', message: 'is not well-formed text' }]);
    const { commissioner, id } = await factory.partnership();
    const nested = await commissioner.as.post(`/v1/partnerships/${id}/outcomes`).set('Content-Type', 'application/json').send('{"title":"\\udc00T","metrics":[{"\\ud83d":1,"name":"m \\udfff"}]}');
    expectProblem(nested, 400);
    expect(nested.body.errors.map((e: { field: string }) => e.field)).toEqual(['title', 'metrics.0.\ud83d', 'metrics.0.name']);
    for (const bytes of [[0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      const res = await json(Buffer.concat([Buffer.from('{"name":"A'), Buffer.from(bytes), Buffer.from('","kind":"provider"}')]));
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ field: 'body', message: 'is not well-formed text' }]);
    }
    for (const path of ['/v1/users?organisationId=%ED%A0%80', '/v1/cycles?state=%FF']) {
      const res = await request(api.http).get(path).set('Authorization', `Bearer ${token}`);
      expectProblem(res, 400);
      expect({ path, errors: res.body.errors }).toEqual({ path, errors: [{ field: 'address', message: 'is not well-formed text' }] });
    }
    // A path parameter that does not decode is refused by the router already.
    expectProblem(await request(api.http).get('/v1/organisations/%C0%AF').set('Authorization', `Bearer ${token}`), 400);
    // A surrogate pair is a character like any other, and so are the escaped characters around one.
    const pair = await json(`{"name":"Pair \\ud83d\\ude00 \\\\ud800 ${randomUUID()}","kind":"provider"}`);
    expect(pair.status).toBe(201);
    expect(pair.body.name).toMatch(/^Pair 😀 \\ud800 /);
    const query = await request(api.http)
      .get(`/v1/users?organisationId=${encodeURIComponent('é😀')}`)
      .set('Authorization', `Bearer ${token}`);
    expectProblem(query, 400);
    expect(query.body.errors[0].field).toBe('organisationId');
  });

  it('refuses a body nested too deep with 400, on the login route too, and takes the brackets of a string as text', async () => {
    const deep = `{"email":${'['.repeat(5000)}${']'.repeat(5000)},"password":"x"}`;
    const res = await request(api.http).post('/v1/auth/login').set('Content-Type', 'application/json').send(deep);
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The request body is not valid JSON.');
    const text = await post('/v1/organisations').send({ name: `Brackets ${'[{'.repeat(40)} ${randomUUID()}`, kind: 'provider' });
    expect(text.status).toBe(201);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await post('/v1/organisations').set('Content-Type', 'text/plain').send('name=A');
    expectProblem(res, 415);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await post('/v1/organisations').send({ name: 'x'.repeat(2_000_000), kind: 'provider' });
    expectProblem(res, 413);
  });

  it('answers unknown routes and malformed ids with 404', async () => {
    expectProblem(await request(api.http).get('/v1/nothing-here').set('Authorization', `Bearer ${token}`), 404);
    expectProblem(await request(api.http).get('/v1/partnerships/not-a-uuid').set('Authorization', `Bearer ${token}`), 404);
    expectProblem(await request(api.http).get('/v1/organisations/00000000-0000-4000-8000-000000000000').set('Authorization', `Bearer ${token}`), 404);
  });

  it('answers an address that does not decode with 400, and a very long id with 404, with the usual headers', async () => {
    for (const path of ['/v1/organisations/%E0%A4%A', '/v1/organisations/%zz']) {
      const res = await request(api.http).get(path).set('Authorization', `Bearer ${token}`).set('X-Request-Id', 'bad-address');
      expectProblem(res, 400);
      expect(res.body.requestId).toBe('bad-address');
      expect(res.headers['x-request-id']).toBe('bad-address');
      expect(res.headers['content-security-policy']).toBeDefined();
    }
    expectProblem(
      await request(api.http)
        .get(`/v1/organisations/${'x'.repeat(300)}`)
        .set('Authorization', `Bearer ${token}`),
      404,
    );
    // One trailing slash is the same address.
    expect((await request(api.http).get('/v1/organisations/').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('refuses wrongly typed query parameters with 400', async () => {
    const res = await request(api.http).get('/v1/users?organisationId=42').set('Authorization', `Bearer ${token}`);
    expectProblem(res, 400);
    expect(res.body.errors[0].field).toBe('organisationId');
  });

  it('refuses event types that are names every object has, and repeated query parameters, with 400', async () => {
    const { commissioner, id: partnershipId, provider } = await factory.partnership();
    const cycleId = (
      await commissioner.as
        .post('/v1/cycles', { partnershipId, title: 'T', commissionerOrganisationIds: [commissioner.organisationId], providerOrganisationIds: [provider.id], panelUserIds: [commissioner.id] })
        .expect(201)
    ).body.id;
    for (const raw of ['{"type":"toString"}', '{"type":"__proto__"}', '{"type":"constructor"}', '{"type":"hasOwnProperty"}']) {
      const res = await request(api.http).post(`/v1/cycles/${cycleId}/events`).set('Authorization', `Bearer ${commissioner.as.token}`).set('Content-Type', 'application/json').send(raw);
      expectProblem(res, 400);
      expect(res.body.errors[0].field).toBe('type');
    }
    const feed = await request(api.http).get(`/v1/partnerships/${partnershipId}/calendar.ics?token=a&token=b`);
    expectProblem(feed, 400);
    expect(feed.body.errors).toEqual([{ field: 'token', message: 'must be given once, as text' }]);
    // Query strings are read flat: `token[x]` is another parameter, so no token was sent.
    expectProblem(await request(api.http).get(`/v1/partnerships/${partnershipId}/calendar.ics?token[x]=a`), 401);
  });

  it('changes nothing when it refuses', async () => {
    const before = (await factory.admin.get('/v1/organisations')).body.length;
    await post('/v1/organisations').send({ name: 'Should not exist', kind: 'provider', extra: true }).expect(400);
    await post('/v1/organisations').send({ name: 'Should not exist', kind: 'nope' }).expect(400);
    expect((await factory.admin.get('/v1/organisations')).body.length).toBe(before);
  });

  it('sends security headers and hides the framework', async () => {
    const res = await request(api.http).get('/health');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('echoes a well-formed request id and makes one otherwise', async () => {
    const given = await request(api.http).get('/health').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const bad = await request(api.http).get('/health').set('X-Request-Id', 'no spaces <allowed>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an internal error with a generic detail and an incident id; the cause goes only to the log', async () => {
    const accounts = api.app.get(AccountsService);
    const logged = jest.spyOn(Logger.prototype, 'error');
    try {
      const causes = [new Error('relation "users_archive" does not exist (password=hunter2)'), new InternalServerErrorException('relation "users_archive" does not exist (password=hunter2)')];
      for (const cause of causes) {
        jest.spyOn(accounts, 'getUser').mockRejectedValueOnce(cause);
        const res = await factory.admin.get('/v1/me');
        expectProblem(res, 500);
        expect(res.body.incidentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(res.body.detail).toBe(`Something went wrong on our side. It has been logged as incident ${res.body.incidentId}: quote it if you report this.`);
        expect(JSON.stringify(res.body)).not.toMatch(/users_archive|hunter2/);
        const entry = logged.mock.calls.find((call) => (call[0] as { incidentId?: string })?.incidentId === res.body.incidentId);
        expect(entry?.[0]).toMatchObject({ err: cause, path: '/v1/me' });
      }
    } finally {
      logged.mockRestore();
      jest.restoreAllMocks();
    }
  });
});
