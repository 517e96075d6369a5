import request from 'supertest';
import { Factory, TEST_PASSWORD, TestApi, agent, createTestApi } from '@test/support';
import { type TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/** One account cannot starve the rest: each person's writes are limited, in Redis, across processes. */
describe('each person’s write allowance', () => {
  const limits = { perSecond: 2, burst: 6 };
  const metric = { name: 'Emergency admissions 65+', unit: 'per 1,000', baseline: 24.5, target: 20, direction: 'decrease' };
  // The factory's admin sets up through an API with the tests' allowance; the two limited ones are measured.
  let setup: TestApi;
  let api: TestApi;
  let other: TestApi;
  let factory: Factory;

  beforeAll(async () => {
    setup = await createTestApi();
    api = await createTestApi({ config: (c) => ({ ...c, writes: limits }) });
    other = await createTestApi({ config: (c) => ({ ...c, writes: limits }) });
    factory = await Factory.create(setup.http);
  });
  afterAll(async () => {
    await Promise.all([setup.close(), api.close(), other.close()]);
  });

  it('counts a person’s writes in every API process; reads and other people are not held back; 429 with Retry-After', async () => {
    const p = await factory.partnership();
    // Through two processes: the count is shared.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(i % 2 ? other.http : api.http)
          .post(`/v1/partnerships/${p.id}/outcomes`)
          .set('Authorization', `Bearer ${p.commissioner.as.token}`)
          .send({ title: `Outcome ${i}`, metrics: [metric] }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    // Some within the allowance, the rest refused (however slowly the machine sends them: twenty at once
    // are far more than two a second with four more in a burst).
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 429)).toBe(true);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toMatch(/Too many changes at once from your account/);
    // Refused writes changed nothing: as many outcomes as were accepted.
    const outcomes = (await p.commissioner.as.get(`/v1/partnerships/${p.id}`).expect(200)).body.outcomes;
    expect(outcomes).toHaveLength(statuses.filter((s) => s === 201).length);
    // Reads go on; another person's writes go on.
    await agent(api.http, p.commissioner.as.token).get(`/v1/partnerships/${p.id}`).expect(200);
    await agent(api.http, p.providerUser.as.token)
      .post(`/v1/partnerships/${p.id}/outcomes`, { title: 'Theirs', metrics: [metric] })
      .expect(201);
  });

  it('holds in the web app too: a page saying to wait, with Retry-After', async () => {
    const p = await factory.partnership();
    const web = await createWebApp({ config: (c) => ({ ...c, writes: limits }) });
    try {
      const { cookie, csrf: csrfToken } = await signInOverHttp({ app: web.app } as TestWeb, p.commissioner.email, TEST_PASSWORD);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(web.app.getHttpServer())
            .post(`/partnerships/${p.id}/anchors`)
            .set('Cookie', cookie)
            .type('form')
            .send({ _csrf: csrfToken, name: `A${i}` }),
        ),
      );
      const refused = answers.find((a) => a.status === 429);
      expect(refused).toBeDefined();
      expect(refused!.headers['retry-after']).toMatch(/^\d+$/);
      expect(refused!.text).toContain('Too many changes at once from your account');
    } finally {
      await web.app.close();
    }
  });
});
