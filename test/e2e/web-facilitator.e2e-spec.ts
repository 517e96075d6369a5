import { Page } from 'playwright-core';
import request from 'supertest';
import {
  Collaboration,
  Factory,
  TEST_PASSWORD,
  TestApi,
  TestRelay,
  TestUser,
  TestWorker,
  collaboration,
  createTestWorker,
  cycleSteps,
  eventually,
  fastWorkerEnvironment,
  fromNow,
  startTestApi,
} from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signInOverHttp } from '@test/support/test-web';

/**
 * An independent facilitator (an organisation of kind `facilitator`, no member of the partnership)
 * resolves an escalation in the web app, from the email that tells them (through a real SMTP server)
 * to the resolution, in headless Chromium. As in the API, they see the cycles that name them and no
 * other, and no partnership.
 */
describe('an independent facilitator in a browser', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  const PUBLIC = 'https://cocommission.northshire.gov.uk';
  let api: TestApi;
  let worker: TestWorker;
  let web: TestWeb;
  let factory: Factory;
  let c: Collaboration;
  let mediator: TestUser;
  let named: string;
  let other: string;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = PUBLIC;
    process.env.MAIL_BACKOFF_MS = '100';
    fastWorkerEnvironment();
    ({ api, factory } = await startTestApi());
    worker = await createTestWorker();
    web = await createTestWeb();
    c = await collaboration(factory);
    mediator = await factory.user(await factory.organisation('facilitator', 'Independent Mediation Ltd'), 'Ann Mediator');
    named = await c.newCycle({ title: 'Winter calls, mediated', facilitatorUserIds: [mediator.id] });
    other = await c.newCycle({ title: 'Not theirs' });
  }, 60000);
  afterAll(async () => {
    await web?.close();
    await worker?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL', 'MAIL_BACKOFF_MS']) if (saved[key] === undefined) delete process.env[key];
  });

  const expectAccessible = async (page: Page, name: string) => {
    await screenshot(page, name);
    expect({ page: name, problems: await accessibilityProblems(page) }).toEqual({ page: name, problems: [] });
  };

  it('follows the escalation email’s link, signs in, sees the cycle (and only what a facilitator should) and resolves it', async () => {
    const steps = cycleSteps(c);
    await steps.toFraming(named);
    // The partnership's calendar: an anchor the cycle's milestone is aligned to, and one it is not.
    const [used] = await Promise.all(
      ['Council budget set', 'ICB board away day'].map(
        async (name) => (await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name, date: fromNow(90 * 86_400_000) }).expect(201)).body,
      ),
    );
    await c.councilUser.as.post(`/v1/cycles/${named}/milestones`, { kind: 'decisionDue', anchorId: used.id, offsetDays: -7 }).expect(201);
    await steps.ok(c.charityUser.as, named, { type: 'ESCALATE', reason: 'The forum and the charity disagree on who is eligible' });

    const [email] = await eventually(
      () => relay.to(mediator.email),
      (list) => list.length > 0,
    );
    const link = new URL(/href="([^"]+\/cycles\/[^"]+)"/.exec(email.html || '')![1]);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC}/cycles/${named}`);

    // The link, in a browser not signed in: the sign-in page, then the cycle.
    const context = await web.browser.newContext({ baseURL: web.base, viewport: { width: 1100, height: 900 } });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    await page.goto(`${link.pathname}${link.search}`);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await page.fill('#email', mediator.email);
    await page.fill('#password', TEST_PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL((url) => url.pathname === `/cycles/${named}`);
    expect(await page.locator('h1').innerText()).toContain('Winter calls, mediated');
    const main = await page.locator('main').innerText();
    expect(main).toContain('Waiting for you to resolve the escalation');
    expect(main).toContain('The forum and the charity disagree on who is eligible');
    // The cycle's milestone with the anchor it is aligned to; nothing else of the partnership (not its name, nor a link to it, nor its other anchors).
    expect(main).toContain('-7 days from “Council budget set”');
    const html = await page.content();
    expect(html).not.toContain('ICB board away day');
    expect(html).not.toContain(`/partnerships/${c.partnershipId}`);
    expect(html).not.toContain('Healthy Lives');
    await expectAccessible(page, '45-facilitator-escalated');

    const form = page.locator('section.app-form', { has: page.getByRole('heading', { name: 'Resolve the escalation', exact: true }) });
    // A resolution left empty: the page again, with the error (still as a facilitator sees it).
    await form.locator('button[type=submit]').click();
    await page.locator('.govuk-error-summary').first().waitFor({ state: 'visible', timeout: 5000 });
    expect(await page.content()).not.toContain(`/partnerships/${c.partnershipId}`);
    await form.locator('#event-RESOLVE_ESCALATION-resolution').fill('Both agree: the panel sets eligibility with residents.');
    await form.locator('button[type=submit]').click();
    await page.locator('.govuk-notification-banner--success').first().waitFor({ state: 'visible', timeout: 5000 });
    expect(await page.locator('.govuk-notification-banner--success').first().innerText()).toContain('The escalation is resolved');
    expect(await page.locator('main').innerText()).not.toContain('Waiting for you to resolve the escalation');
    await expectAccessible(page, '46-facilitator-resolved');
    await context.close();

    const view = (await c.councilUser.as.get(`/v1/cycles/${named}`).expect(200)).body;
    expect(view.state).toBe('framing');
    expect(view.escalations[0]).toMatchObject({ resolution: 'Both agree: the panel sets eligibility with residents.', resolvedByUserId: mediator.id });
  });

  it('gets 404 on the cycles that do not name them and on the partnership’s pages, as in the API', async () => {
    const { cookie, csrf } = await signInOverHttp(web, mediator.email, TEST_PASSWORD);
    const get = (path: string) => request(web.app.getHttpServer()).get(path).set('Cookie', cookie);
    await get(`/cycles/${named}`).expect(200);
    expect((await get('/').expect(200)).text).toContain(`href="/cycles/${named}"`);
    await get(`/cycles/${other}`).expect(404);
    await get(`/partnerships/${c.partnershipId}`).expect(404);
    await get(`/partnerships/${c.partnershipId}/agreement`).expect(404);
    await mediator.as.get(`/v1/cycles/${other}`).expect(404);
    await mediator.as.get(`/v1/partnerships/${c.partnershipId}`).expect(404);
    // A facilitator's event on a cycle that does not name them changes nothing.
    await request(web.app.getHttpServer()).post(`/cycles/${other}/events`).set('Cookie', cookie).type('form').send({ _csrf: csrf, type: 'LAUNCH' }).expect(404);
    expect((await c.councilUser.as.get(`/v1/cycles/${other}`).expect(200)).body.state).toBe('draft');
  });
});
