import { AddressInfo } from 'node:net';
import { Page, chromium } from 'playwright-core';
import request from 'supertest';
import { Collaboration, TEST_PASSWORD, TestApi, cycleSteps, startCollaboration } from '@test/support';
import { CHROMIUM, TestWeb, createTestWeb, signInOverHttp, signedIn } from '@test/support/test-web';

/** What a page's Content-Security-Policy refused, as Chromium reports it: `securitypolicyviolation` events and console errors. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) seen.push(`console: ${message.text()}`);
  });
  // Through the DevTools protocol (before any script of the page): the policy does not apply to it.
  await page.exposeFunction('reportViolation', (text: string) => seen.push(text));
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber + ' ' + (e.sample || '')));`,
  );
  return seen;
}

const styleSrc = (csp: string) =>
  csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('style-src ')) ?? '';

/** Pages behind a session are never stored; the web app's and the API's policies allow no inline style (but for Swagger UI's page). */
describe('what pages say about caching and styles', () => {
  let api: TestApi;
  let web: TestWeb;
  let c: Collaboration;
  let cycleId: string;
  let cookie: string;

  beforeAll(async () => {
    let steps: ReturnType<typeof cycleSteps>;
    ({ api, c, steps } = await startCollaboration());
    web = await createTestWeb();
    // A cycle with its metric's chart and the partnership's funding chart drawn, and a public page.
    cycleId = await c.newCycle();
    await steps.ok(c.councilUser.as, cycleId, { type: 'PLEDGE', kind: 'cash', amountPence: 4_000_000, description: 'Prevention budget' });
    await steps.toDelivering(cycleId);
    for (const value of [23.5, 22]) await steps.ok(c.charityUser.as, cycleId, { type: 'RECORD_PROGRESS', note: 'Calls made', readings: [{ metric: c.outcome.metrics[0].id, value }] });
    await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(202);
    await c.icbUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(200); // agreed by a second commissioner
    ({ cookie } = await signInOverHttp(web, c.councilUser.email, TEST_PASSWORD));
  }, 120000);
  afterAll(async () => {
    await Promise.all([web.close(), api.close()]);
  });

  const signedInPages = () => [
    '/',
    '/partnerships',
    `/partnerships/${c.partnershipId}`,
    `/partnerships/${c.partnershipId}/funding`,
    `/partnerships/${c.partnershipId}/agreement`,
    `/cycles/${cycleId}`,
    '/notifications',
    '/account',
  ];

  it('sends every page behind a session, its downloads and its errors with Cache-Control: no-store; the public pages keep their caching', async () => {
    const http = web.app.getHttpServer();
    for (const path of [...signedInPages(), `/partnerships/${c.partnershipId}/learning.csv`]) {
      const res = await request(http).get(path).set('Cookie', cookie).expect(200);
      expect({ path, cacheControl: res.headers['cache-control'] }).toEqual({ path, cacheControl: 'no-store' });
    }
    const missing = await request(http).get('/cycles/00000000-0000-4000-8000-000000000000').set('Cookie', cookie).expect(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    // The public page, for anyone (a cookie or not), as before.
    for (const withCookie of [false, true]) {
      const page = request(http).get(`/public/partnerships/${c.partnershipId}`);
      expect((await (withCookie ? page.set('Cookie', cookie) : page).expect(200)).headers['cache-control']).toBe('public, max-age=300');
    }
  });

  it('answers the API’s authenticated requests with Cache-Control: no-store, conditional GETs still answered 304', async () => {
    const get = (path: string) => request(api.http).get(path).set('Authorization', `Bearer ${c.councilUser.as.token}`);
    const first = await get(`/v1/partnerships/${c.partnershipId}`).expect(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.headers.etag).toBeDefined();
    await get(`/v1/partnerships/${c.partnershipId}`).set('If-None-Match', first.headers.etag).expect(304);
    expect((await get(`/v1/cycles/${cycleId}/history.csv`).expect(200)).headers['cache-control']).toBe('no-store');
    expect((await get('/v1/cycles/00000000-0000-4000-8000-000000000000').expect(404)).headers['cache-control']).toBe('no-store');
    const written = await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'Budget setting', date: '2031-02-01' });
    expect(written.headers['cache-control']).toBe('no-store');
    // The calendar feed's subscription link carries its token in the address.
    const token = (await c.councilUser.as.post('/v1/me/calendar-token').expect((r) => expect(r.status).toBeLessThan(300))).body.token;
    expect((await request(api.http).get(`/v1/partnerships/${c.partnershipId}/calendar.ics?token=${token}`).expect(200)).headers['cache-control']).toBe('no-store');
    // A login's answer holds a token.
    const login = await request(api.http).post('/v1/auth/login').send({ email: c.councilUser.email, password: TEST_PASSWORD }).expect(200);
    expect(login.headers['cache-control']).toBe('no-store');
    // What anyone may read stays as it was.
    expect((await request(api.http).get('/docs-json').expect(200)).headers['cache-control']).toBe('private, no-cache');
  });

  it("sends a web policy without 'unsafe-inline', and Chromium reports no violation on the main pages", async () => {
    const res = await request(web.app.getHttpServer()).get('/sign-in').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(styleSrc(csp)).toBe("style-src 'self'");
    expect(csp).not.toContain("'unsafe-inline'");
    const { context, page } = await signedIn(web, c.councilUser.email, TEST_PASSWORD);
    try {
      const seen = await watchViolations(page);
      for (const path of [...signedInPages(), `/public/partnerships/${c.partnershipId}`, `/cycles/${cycleId}?compare=1`]) {
        await page.goto(path);
        await page.waitForLoadState('load');
        // The charts are there (drawn on the server), with nothing refused.
        if (path === `/cycles/${cycleId}` || path.startsWith('/public/')) expect(await page.locator('svg').count()).toBeGreaterThan(0);
        expect({ path, seen }).toEqual({ path, seen: [] });
      }
      // The sign-in page, signed out.
      const fresh = await web.browser.newPage();
      const onSignIn = await watchViolations(fresh);
      await fresh.goto(`${web.base}/sign-in`);
      await fresh.waitForLoadState('load');
      expect(onSignIn).toEqual([]);
      await fresh.close();
    } finally {
      await context.close();
    }
  });

  it("sends an API policy without 'unsafe-inline' but for Swagger UI's page, which Chromium draws with no violation", async () => {
    const csp = String((await request(api.http).get('/health').expect(200)).headers['content-security-policy']);
    expect(styleSrc(csp)).toBe("style-src 'self'");
    expect(csp).not.toContain("'unsafe-inline'");
    expect(String((await request(api.http).get('/docs-json').expect(200)).headers['content-security-policy'])).not.toContain("'unsafe-inline'");
    const docs = String((await request(api.http).get('/docs').expect(200)).headers['content-security-policy']);
    expect(styleSrc(docs)).toBe("style-src 'self' 'unsafe-inline'");
    expect(docs).toContain("script-src 'self'");
    // The API on a port of its own, for the browser.
    const server = api.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const seen = await watchViolations(page);
      await page.goto(`http://127.0.0.1:${port}/docs`);
      await page.locator('.swagger-ui .information-container').first().waitFor({ state: 'visible', timeout: 10000 });
      expect(seen).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
