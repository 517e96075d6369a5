/**
 * The admin's succession pages (issue 35, part 6): record a succession, see everything that will
 * move before it is scheduled, assign a split's cycles, schedule, cancel; errors said on the page
 * and nothing scheduled; only platform admins; every page axe-clean, in Chromium.
 */
import request from 'supertest';
import { loadConfig } from '@app/config';
import { type Collaboration, Factory, TEST_PASSWORD, TestApi, collaboration, createTestApi, cycleSteps } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signInOverHttp, signedIn } from '@test/support/test-web';

describe('the admin’s succession pages', () => {
  let api: TestApi;
  let web: TestWeb;
  let factory: Factory;
  let c: Collaboration;
  const config = loadConfig();

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    web = await createTestWeb();
    c = await collaboration(factory);
  }, 90000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  const scheduled = async (organisationId: string) => (await factory.admin.get(`/v1/organisations/${organisationId}/succession`)).status;

  it('previews what will move, schedules, lists and cancels; a split’s cycles are assigned on the preview', async () => {
    const unitary = await factory.organisation('commissioner', 'North Wold Council');
    const framing = await c.newCycle({ title: 'Warm homes' });
    await cycleSteps(c).toFraming(framing);
    const { context, page } = await signedIn(web, config.admin.email, config.admin.password!);
    try {
      await page.goto('/admin');
      await page.click('a:has-text("Successions of organisations")');
      expect(await accessibilityProblems(page)).toEqual([]);
      expect(await page.textContent('main')).toContain('No succession is scheduled');

      // No successor and no date: the errors, nothing scheduled.
      await page.selectOption('#predecessor', c.orgs.council.id);
      await page.click('button:has-text("Preview the succession")');
      await page.waitForSelector('.govuk-error-summary');
      expect(await page.textContent('.govuk-error-summary')).toContain('Choose the organisation that succeeds it');
      expect(await page.textContent('.govuk-error-summary')).toContain('Enter the vesting day as a real date');
      expect(await accessibilityProblems(page)).toEqual([]);
      expect(await scheduled(c.orgs.council.id)).toBe(404);

      // The preview: the sentence, the people, the partnership and the cycle; nothing changed yet.
      await page.selectOption('#predecessor', c.orgs.council.id);
      await page.selectOption('#successor1', unitary.id);
      await page.fill('#vesting-day-day', '1');
      await page.fill('#vesting-day-month', '4');
      await page.fill('#vesting-day-year', '2031');
      await page.click('button:has-text("Preview the succession")');
      await page.waitForSelector('h1:has-text("Check the succession")');
      const preview = (await page.textContent('main'))!;
      expect(preview).toContain(`${c.orgs.council.name} becomes North Wold Council on 1 April 2031`);
      expect(preview).toContain('Warm homes');
      expect(preview).toMatch(/\d+ people.*to North Wold Council/);
      expect(await accessibilityProblems(page)).toEqual([]);
      await screenshot(page, 'admin-succession-preview');
      expect(await scheduled(c.orgs.council.id)).toBe(404);

      await page.click('button:has-text("Schedule the succession")');
      await page.waitForSelector('.govuk-notification-banner');
      expect(await page.textContent('main')).toContain(`${c.orgs.council.name} becomes North Wold Council on 1 April 2031`);
      expect(await accessibilityProblems(page)).toEqual([]);
      const view = (await factory.admin.get(`/v1/organisations/${c.orgs.council.id}/succession`).expect(200)).body;
      expect(view).toMatchObject({ state: 'scheduled', effectiveAt: '2031-03-31T23:00:00.000Z', successors: [{ organisationId: unitary.id }] });

      await page.click(`button[aria-label="Cancel: ${c.orgs.council.name} becomes North Wold Council"]`);
      await page.waitForSelector('.govuk-notification-banner');
      expect(await page.textContent('.govuk-notification-banner')).toContain('The succession is cancelled');
      expect(await scheduled(c.orgs.council.id)).toBe(404);

      // A split: scheduled only once each cycle has its successor.
      const north = await factory.organisation('commissioner', 'North ICB');
      const south = await factory.organisation('commissioner', 'South ICB');
      await page.goto('/admin/successions');
      await page.selectOption('#predecessor', c.orgs.icb.id);
      await page.selectOption('#successor1', north.id);
      await page.selectOption('#successor2', south.id);
      await page.fill('#vesting-day-day', '1');
      await page.fill('#vesting-day-month', '7');
      await page.fill('#vesting-day-year', '2031');
      await page.click('button:has-text("Preview the succession")');
      await page.waitForSelector('h1:has-text("Check the succession")');
      expect(await page.textContent('.govuk-error-summary')).toContain('“Warm homes” is assigned to no successor');
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.click('button:has-text("Schedule the succession")');
      await page.waitForSelector('h1:has-text("Check the succession")');
      expect(await scheduled(c.orgs.icb.id)).toBe(404);
      await page.check(`input[name="cycle-${framing}"][value="${south.id}"]`);
      await page.click('button:has-text("Schedule the succession")');
      await page.waitForSelector('.govuk-notification-banner');
      const split = (await factory.admin.get(`/v1/organisations/${c.orgs.icb.id}/succession`).expect(200)).body;
      expect(split.successors).toEqual([
        { organisationId: north.id, cycleIds: [] },
        { organisationId: south.id, cycleIds: [framing] },
      ]);
      await factory.admin.delete(`/v1/organisations/${c.orgs.icb.id}/succession`).expect(204);
    } finally {
      await context.close();
    }
  }, 90000);

  it('is the platform admins’ only; a form without its token or with a date that is no date schedules nothing', async () => {
    const http = request(web.app.getHttpServer());
    const member = await signInOverHttp(web, c.councilUser.email, TEST_PASSWORD);
    const refused = await http.get('/admin/successions').set('Cookie', member.cookie);
    expect([403, 404]).toContain(refused.status);
    const posted = await http
      .post('/admin/successions')
      .set('Cookie', member.cookie)
      .type('form')
      .send({ _csrf: member.csrf, predecessor: c.orgs.forum.id, successor1: c.orgs.charity.id, day: '1', month: '1', year: '2032' });
    expect([403, 404]).toContain(posted.status);
    const admin = await signInOverHttp(web, config.admin.email, config.admin.password!);
    const noToken = await http
      .post('/admin/successions')
      .set('Cookie', admin.cookie)
      .type('form')
      .send({ predecessor: c.orgs.forum.id, successor1: c.orgs.charity.id, day: '1', month: '1', year: '2032' });
    expect(noToken.status).toBe(403);
    const noDate = await http
      .post('/admin/successions')
      .set('Cookie', admin.cookie)
      .type('form')
      .send({ _csrf: admin.csrf, predecessor: c.orgs.forum.id, successor1: c.orgs.charity.id, day: '31', month: '2', year: '2032' });
    expect(noDate.status).toBe(400);
    expect(noDate.text).toContain('Enter the vesting day as a real date');
    const past = await http
      .post('/admin/successions')
      .set('Cookie', admin.cookie)
      .type('form')
      .send({ _csrf: admin.csrf, predecessor: c.orgs.forum.id, successor1: c.orgs.charity.id, day: '1', month: '1', year: '2001' });
    expect(past.status).toBe(400);
    expect(past.text).toContain('Enter a vesting day in the future');
    const notAnId = await http.post('/admin/successions/not-an-id/cancel').set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf });
    expect(notAnId.status).toBe(404);
    const none = await http.post(`/admin/successions/${c.orgs.forum.id}/cancel`).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf });
    expect(none.status).toBe(404);
    expect(none.text).toContain('scheduled succession');
    expect(await scheduled(c.orgs.forum.id)).toBe(404);
  });
});
