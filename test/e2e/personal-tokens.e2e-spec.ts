import { createHash } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Factory, TEST_PASSWORD, TestApi, agent, startTestApi, testClock } from '@test/support';
import { TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/** Personal access tokens for scripts and partner systems (API.md, "Sign-in"). */
describe('personal access tokens', () => {
  let api: TestApi;
  let factory: Factory;

  let web: NestExpressApplication;

  beforeAll(async () => {
    ({ api, factory } = await startTestApi());
    web = (await createWebApp()).app;
  });
  afterAll(async () => {
    await web.close();
    await api.close();
  });

  it('is shown once, stored only as a hash, works as a bearer token on the API, and is listed with its last use', async () => {
    const org = await factory.organisation('commissioner');
    const user = await factory.user(org);
    const made = await user.as.post('/v1/me/tokens', { name: 'Case system', scope: 'write', expiresInDays: 30 }).expect(201);
    expect(made.body).toEqual({ id: expect.any(String), name: 'Case system', scope: 'write', expiresAt: expect.any(String), token: expect.stringMatching(/^cct_[A-Za-z0-9_-]{43}$/) });
    const days = (Date.parse(made.body.expiresAt) - testClock().now().getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);

    const [row] = await api.app.get(DataSource).query('SELECT token_hash FROM personal_access_tokens WHERE id = $1', [made.body.id]);
    expect(row.token_hash).toBe(createHash('sha256').update(made.body.token).digest('hex'));
    expect(JSON.stringify(await api.app.get(DataSource).query('SELECT * FROM personal_access_tokens WHERE id = $1', [made.body.id]))).not.toContain(made.body.token);

    const before = (await user.as.get('/v1/me/tokens').expect(200)).body.items;
    expect(before).toEqual([{ id: made.body.id, name: 'Case system', scope: 'write', expiresAt: made.body.expiresAt, lastUsedAt: null }]);

    const script = agent(api.http, made.body.token);
    expect((await script.get('/v1/me').expect(200)).body).toMatchObject({ id: user.id });
    // A write too: it acts as its owner.
    await script.put('/v1/me/preferences', { email: 'daily' }).expect(200);
    const after = (await user.as.get('/v1/me/tokens').expect(200)).body.items;
    expect(after[0].lastUsedAt).toEqual(expect.any(String));
    expect(after.every((t: object) => !('token' in t))).toBe(true);
  });

  it('a read token reads and gets 403 on every write; a token cannot make another', async () => {
    const org = await factory.organisation('provider');
    const user = await factory.user(org);
    const read = agent(api.http, (await user.as.post('/v1/me/tokens', { name: 'Dashboard', scope: 'read', expiresInDays: 7 }).expect(201)).body.token);
    await read.get('/v1/partnerships').expect(200);
    const refused = await read.put('/v1/me/preferences', { email: 'off' }).expect(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.detail).toMatch(/may only read/);
    await read.post('/v1/partnerships', { name: 'Nope', memberOrganisationIds: [] }).expect(403);
    await read.delete('/v1/me/calendar-token').expect(403);

    const write = agent(api.http, (await user.as.post('/v1/me/tokens', { name: 'Sync', scope: 'write', expiresInDays: 7 }).expect(201)).body.token);
    const nested = await write.post('/v1/me/tokens', { name: 'Another', scope: 'write', expiresInDays: 7 }).expect(403);
    expect(nested.body.detail).toMatch(/cannot make tokens/);
  });

  it('revoked → 401 at once; a deactivated owner’s tokens stop at once and work again on reactivation; expired → 401', async () => {
    const org = await factory.organisation('community');
    const user = await factory.user(org);
    const made = (await user.as.post('/v1/me/tokens', { name: 'One', scope: 'write', expiresInDays: 365 }).expect(201)).body;
    const other = (await user.as.post('/v1/me/tokens', { name: 'Two', scope: 'read', expiresInDays: 1 }).expect(201)).body;
    const one = agent(api.http, made.token);
    const two = agent(api.http, other.token);
    await one.get('/v1/me').expect(200);

    // Someone else cannot revoke it (404, as for a token that does not exist).
    const stranger = await factory.user(org);
    await stranger.as.delete(`/v1/me/tokens/${made.id}`).expect(404);
    await one.get('/v1/me').expect(200);

    await user.as.delete(`/v1/me/tokens/${made.id}`).expect(204);
    const gone = await one.get('/v1/me').expect(401);
    expect(gone.body.detail).toMatch(/unknown, revoked or expired/);
    await user.as.delete(`/v1/me/tokens/${made.id}`).expect(404);

    await factory.admin.patch(`/v1/users/${user.id}`, { active: false }).expect(200);
    await two.get('/v1/me').expect(401);
    await factory.admin.patch(`/v1/users/${user.id}`, { active: true }).expect(200);
    await two.get('/v1/me').expect(200);

    await api.app.get(DataSource).query(`UPDATE personal_access_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [other.id]);
    await two.get('/v1/me').expect(401);
    await agent(api.http, 'cct_not-a-real-token').get('/v1/me').expect(401);
  });

  it('opens the calendar feed, which reads its bearer token itself', async () => {
    const p = await factory.partnership();
    const read = agent(api.http, (await p.commissioner.as.post('/v1/me/tokens', { name: 'Calendar sync', scope: 'read', expiresInDays: 30 }).expect(201)).body.token);
    const feed = await read.get(`/v1/partnerships/${p.id}/calendar.ics`).expect(200);
    expect(feed.headers['content-type']).toContain('text/calendar');
    await agent(api.http, 'cct_revoked-or-never-made').get(`/v1/partnerships/${p.id}/calendar.ics`).expect(401);
  });

  it('refuses a token for more than 365 days, without a name or with another scope (400, naming the field)', async () => {
    const org = await factory.organisation('provider');
    const user = await factory.user(org);
    for (const [body, field] of [
      [{ name: 'Long', scope: 'read', expiresInDays: 366 }, 'expiresInDays'],
      [{ name: 'Zero', scope: 'read', expiresInDays: 0 }, 'expiresInDays'],
      [{ name: '', scope: 'read', expiresInDays: 30 }, 'name'],
      [{ name: 'Admin', scope: 'admin', expiresInDays: 30 }, 'scope'],
    ] as const) {
      const res = await user.as.post('/v1/me/tokens', body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await user.as.get('/v1/me/tokens').expect(200)).body.items).toEqual([]);
  });

  it('the web account page makes a token (shown once), lists it with its last use, and revokes it', async () => {
    const org = await factory.organisation('provider');
    const user = await factory.user(org);
    const { cookie, csrf } = await signInOverHttp({ app: web } as TestWeb, user.email, TEST_PASSWORD);
    const http = web.getHttpServer();

    const bad = await request(http).post('/account/tokens').set('Cookie', cookie).type('form').send({ _csrf: csrf, name: '', scope: 'admin', expiresInDays: '400' }).expect(400);
    expect(bad.text).toContain('Enter a name for the token');
    expect(bad.text).toContain('Choose what the token may do');
    expect(bad.text).toContain('from 1 to 365');

    const made = await request(http).post('/account/tokens').set('Cookie', cookie).type('form').send({ _csrf: csrf, name: 'Case sync', scope: 'read', expiresInDays: '30' }).expect(201);
    const token = /id="new-token">(cct_[A-Za-z0-9_-]+)</.exec(made.text)![1];
    expect(made.text).toContain('shown only this once');
    await agent(api.http, token).get('/v1/me').expect(200);

    const page = await request(http).get('/account').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('Case sync');
    expect(page.text).toContain('Read only');
    expect(page.text).not.toContain(token);
    expect(page.text).not.toMatch(/<td[^>]*>Never<\/td>/);

    const [{ id }] = (await user.as.get('/v1/me/tokens').expect(200)).body.items;
    // Without the session's form token: refused.
    await request(http).post(`/account/tokens/${id}/revoke`).set('Cookie', cookie).type('form').send({}).expect(403);
    await request(http).post(`/account/tokens/${id}/revoke`).set('Cookie', cookie).type('form').send({ _csrf: csrf }).expect(303).expect('Location', '/account?done=revoked#tokens');
    await agent(api.http, token).get('/v1/me').expect(401);
    expect((await request(http).get('/account').set('Cookie', cookie).expect(200)).text).toContain('You have no tokens.');
  });
});
