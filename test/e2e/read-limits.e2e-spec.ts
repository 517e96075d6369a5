import { randomInt } from 'node:crypto';
import request from 'supertest';
import { Collaboration, Factory, TEST_PASSWORD, TestApi, agent, collaboration, createTestApi } from '@test/support';
import { type TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/** A documentation network of IPv6 (2001:db8::/32) no other test of the run uses: its /64, as `2001:db8:x:y`. */
const freshNetwork = () => `2001:db8:${randomInt(0x10000).toString(16)}:${randomInt(0x10000).toString(16)}`;

/** Anonymous routes are limited per address, expensive reads per person: in Redis, across processes. */
describe('read limits', () => {
  const reads = { anonymousPerMinute: 3, expensivePerMinute: 2 };
  // The factory sets up through an API with the tests' allowances; the two limited ones are measured.
  let setup: TestApi;
  let api: TestApi;
  let other: TestApi;
  let c: Collaboration;
  let cycleId: string;

  beforeAll(async () => {
    setup = await createTestApi();
    api = await createTestApi({ config: (config) => ({ ...config, reads }) });
    other = await createTestApi({ config: (config) => ({ ...config, reads }) });
    c = await collaboration(await Factory.create(setup.http));
    cycleId = await c.newCycle();
  }, 60000);
  afterAll(async () => {
    await Promise.all([setup.close(), api.close(), other.close()]);
  });

  it('counts the reads of a route anyone may call per address in every API process, an IPv6 address by its /64; 429 with Retry-After; health never', async () => {
    const net = freshNetwork();
    const feed = (through: TestApi, address: string) =>
      request(through.http).get(`/v1/partnerships/${c.partnershipId}/calendar.ics`).set('X-Forwarded-For', address).set('Authorization', `Bearer ${c.councilUser.as.token}`);
    // Three addresses of one /64, through two processes: one count.
    await feed(api, `${net}::1`).expect(200);
    await feed(other, `${net}::2`).expect(200);
    await feed(api, `${net}:ffff:ffff:ffff:ffff`).expect(200);
    const refused = await feed(other, `${net}::3`).expect(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body).toEqual(expect.objectContaining({ status: 429, detail: expect.stringMatching(/^Too many requests from your network\. Try again in \d+ seconds?\.$/) }));
    // Without a token too (refused before the token is looked at).
    await request(api.http).get(`/v1/partnerships/${c.partnershipId}/calendar.ics`).set('X-Forwarded-For', `${net}::4`).expect(429);
    // Another /64 has its own allowance.
    await feed(api, `${freshNetwork()}::1`).expect(200);
    // Health is asked by load balancers every few seconds: never counted.
    for (let i = 0; i < 5; i++) await request(api.http).get('/health').set('X-Forwarded-For', `${net}::1`).expect(200);
  });

  it('limits each person’s expensive reads (exports, verification, OCDS) in every API process; other reads and other people go on', async () => {
    const as = (through: TestApi, token = c.forumUser.as.token) => agent(through.http, token);
    await as(api).get(`/v1/cycles/${cycleId}/history.csv`).expect(200);
    await as(other).get(`/v1/cycles/${cycleId}/history/verify`).expect(200);
    const refused = await as(api).get(`/v1/cycles/${cycleId}/ocds`).expect(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body.detail).toMatch(/^Too many downloads and checks from your account\. Try again in \d+ seconds?\.$/);
    await as(other).get(`/v1/partnerships/${c.partnershipId}/learning.csv`).expect(429);
    await as(other).get(`/v1/partnerships/${c.partnershipId}/agreement/history/verify`).expect(429);
    // A cheap read of the same person goes on; another person's exports go on.
    await as(api).get(`/v1/cycles/${cycleId}`).expect(200);
    await as(api, c.icbUser.as.token).get(`/v1/partnerships/${c.partnershipId}/learning.csv`).expect(200);
  });

  it('holds in the web app: the public page per address and the cycle page and downloads per person, as a page saying to wait', async () => {
    await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(202);
    await c.icbUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(200); // agreed by a second commissioner
    // Signed in through an app with the tests' allowances (its sign-in page is read from 127.0.0.1, as every test's is).
    const plain = await createWebApp();
    const limited = await createWebApp({ config: (config) => ({ ...config, reads }) });
    try {
      const { cookie } = await signInOverHttp({ app: plain.app } as TestWeb, c.charityUser.email, TEST_PASSWORD);
      const http = limited.app.getHttpServer();
      const address = `${freshNetwork()}::7`;
      for (let i = 0; i < 3; i++) await request(http).get(`/public/partnerships/${c.partnershipId}`).set('X-Forwarded-For', address).expect(200);
      const page = await request(http).get(`/public/partnerships/${c.partnershipId}`).set('X-Forwarded-For', address).expect(429);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['retry-after']).toMatch(/^\d+$/);
      expect(page.text).toMatch(/Too many requests from your network\. Try again in \d+ seconds?\./);
      // The cycle page and the downloads: two a minute here.
      await request(http).get(`/cycles/${cycleId}`).set('Cookie', cookie).expect(200);
      await request(http).get(`/cycles/${cycleId}/history.csv`).set('Cookie', cookie).expect(200);
      const busy = await request(http).get(`/cycles/${cycleId}`).set('Cookie', cookie).expect(429);
      expect(busy.headers['retry-after']).toMatch(/^\d+$/);
      expect(busy.text).toMatch(/Too many downloads and checks from your account\. Try again in \d+ seconds?\./);
      // Other pages of the same person go on.
      await request(http).get(`/partnerships/${c.partnershipId}`).set('Cookie', cookie).expect(200);
    } finally {
      await Promise.all([plain.app.close(), limited.app.close()]);
    }
  });
});
