import { Page } from 'playwright-core';
import { Collaboration, Factory, TestApi, TestRelay, collaboration, cycleSteps, eventually, startTestApi } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot } from '@test/support/test-web';

/**
 * A resident on a phone (375 px wide, headless Chromium): from the invitation's email to the review
 * panel's work, without a password; every page they see passes axe and fits the screen.
 */
describe('a guest on a phone', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  const PUBLIC = 'https://cocommission.northshire.gov.uk';
  let api: TestApi;
  let web: TestWeb;
  let factory: Factory;
  let c: Collaboration;
  let cycleId: string;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = PUBLIC;
    ({ api, factory } = await startTestApi());
    web = await createTestWeb();
    c = await collaboration(factory);
    cycleId = await c.newCycle({ title: 'Winter calls 2027' });
    await cycleSteps(c).toReviewing(cycleId);
  }, 90000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL']) if (saved[key] === undefined) delete process.env[key];
  });

  const fits = async (page: Page) => {
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  };

  it('follows the link, records learning and signs off the review; a used link offers a new one', async () => {
    await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'sam.resident@browser.example.org', name: 'Sam Patel', role: 'panel' }).expect(201);
    const [email] = await eventually(
      () => relay.to('sam.resident@browser.example.org'),
      (list) => list.length > 0,
    );
    const link = new RegExp(`${PUBLIC}(/invitations/[\\w-]+)`).exec(email.text ?? '')![1];
    const context = await web.browser.newContext({ baseURL: web.base, viewport: { width: 375, height: 740 } });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    try {
      await page.goto(link);
      expect(new URL(page.url()).pathname).toBe(`/cycles/${cycleId}`);
      await page.getByRole('heading', { name: 'Winter calls 2027' }).first().waitFor();
      await page.getByText('You are on the review panel for this work.').waitFor();
      await fits(page);
      await screenshot(page, 'guest-cycle-375');

      const form = (heading: string) => page.locator('section.app-form', { has: page.getByRole('heading', { name: heading, exact: true }) });
      await page.fill('#event-RECORD_LEARNING-insight', 'Calls from people we know matter most.');
      await page.check('#event-RECORD_LEARNING-recommendation');
      await form('Record learning').locator('button[type=submit]').click();
      await page.locator('.govuk-notification-banner--success').first().waitFor();
      await fits(page);
      await page.check('#event-SIGN_OFF_REVIEW-outcome');
      await form('Sign off the learning review').locator('button[type=submit]').click();
      await page.locator('.govuk-notification-banner--success').first().waitFor();

      const view = await c.councilUser.as.get(`/v1/cycles/${cycleId}`).expect(200);
      expect(view.body.review.learnings.map((l: { writtenBy: string }) => l.writtenBy)).toContain('panel');
      expect(view.body.review.signOffs).toHaveLength(1);
      await page.getByText('Sam Patel (review panel)').first().waitFor({ state: 'attached' });

      await page.goto(link);
      await page.getByRole('heading', { name: 'This link has already been used' }).waitFor();
      await fits(page);
      await page.getByRole('button', { name: 'Send me a new link' }).click();
      await page.getByRole('heading', { name: 'We have sent you a new link' }).waitFor();
      await fits(page);
      await screenshot(page, 'guest-new-link-375');
    } finally {
      await context.close();
    }
  });
  it('a voice guest reads the problem and gives their view; an empty view is put right on its own page; every page passes axe and fits', async () => {
    await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'robin.voice@browser.example.org', name: 'Robin Voice', role: 'voice' }).expect(201);
    const [email] = await eventually(
      () => relay.to('robin.voice@browser.example.org'),
      (list) => list.length > 0,
    );
    const link = new RegExp(`${PUBLIC}(/invitations/[\\w-]+)`).exec(email.text ?? '')![1];
    const context = await web.browser.newContext({ baseURL: web.base, viewport: { width: 375, height: 740 } });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    try {
      await page.goto(link);
      await page.getByText('You were invited to see this work and give your view.').waitFor();
      await page.getByText('Too many older people are admitted to hospital in winter.').first().waitFor();
      await fits(page);
      const form = page.locator('form.app-comment-form').first();
      await form.getByRole('button', { name: 'Send your view' }).click();
      await page.getByRole('heading', { name: 'Give your view' }).waitFor();
      await page.getByText('Enter your comment').first().waitFor();
      await fits(page);
      await screenshot(page, 'guest-view-error-375');
      await page.fill('#comment-body', 'I live alone. A weekly call would help me through the winter.');
      await page.getByRole('button', { name: 'Post comment' }).click();
      await page.getByText('Your comment is posted').waitFor();
      await page.getByText('I live alone. A weekly call would help me through the winter.').waitFor();
      await fits(page);
      await screenshot(page, 'guest-view-posted-375');
      const comments = (await c.councilUser.as.get(`/v1/cycles/${cycleId}/comments?subject=revision&subjectId=1`).expect(200)).body.items;
      expect(comments.map((i: { body: string }) => i.body)).toContain('I live alone. A weekly call would help me through the winter.');
    } finally {
      await context.close();
    }
  });
});
