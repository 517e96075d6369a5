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
  startTestApi,
} from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signInOverHttp, signedIn } from '@test/support/test-web';

/**
 * Handing a person's work over from their page (issue 35, part 6): a lead of their organisation
 * chooses a colleague, confirms, and sees the cycles moved; the colleague gets the email (through
 * a real SMTP server). Nobody else sees the button or may post the form; bad choices come back with
 * their errors and move nothing; the pages pass axe.
 */
describe('handing over a person’s work in the web app', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  let api: TestApi;
  let worker: TestWorker;
  let web: TestWeb;
  let factory: Factory;
  let c: Collaboration;
  let lead: TestUser;
  let leaver: TestUser;
  let colleague: TestUser;
  let facilitated: string;
  let panelled: string;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = 'https://cocommission.northshire.gov.uk';
    process.env.MAIL_BACKOFF_MS = '100';
    fastWorkerEnvironment();
    ({ api, factory } = await startTestApi());
    worker = await createTestWorker();
    web = await createTestWeb();
    c = await collaboration(factory);
    [lead, leaver, colleague] = await Promise.all([factory.lead(c.orgs.mediation, 'Mo Lead'), factory.user(c.orgs.mediation, 'Lee Leaver'), factory.user(c.orgs.mediation, 'Cal Colleague')]);
    facilitated = await c.newCycle({ title: 'Winter calls, facilitated', facilitatorUserIds: [leaver.id] });
    await cycleSteps(c).toFraming(facilitated);
    panelled = await c.newCycle({ title: 'Warm homes, reviewed', panelUserIds: [c.panel[0].id, leaver.id] });
  }, 90000);
  afterAll(async () => {
    await web?.close();
    await worker?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL', 'MAIL_BACKOFF_MS']) if (saved[key] === undefined) delete process.env[key];
  });

  const http = () => request(web.app.getHttpServer());
  const post = (who: { cookie: string; csrf: string }, path: string, form: Record<string, string> = {}) =>
    http()
      .post(path)
      .set('Cookie', who.cookie)
      .type('form')
      .send({ _csrf: who.csrf, ...form });
  const cycle = async (id: string) => (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;

  it('only a lead of the person’s organisation (or an admin) sees the button and the form; the form needs its CSRF token', async () => {
    const asLead = await signInOverHttp(web, lead.email, TEST_PASSWORD);
    const page = await http().get(`/people/${leaver.id}`).set('Cookie', asLead.cookie).expect(200);
    expect(page.text).toContain(`href="/people/${leaver.id}/handover"`);
    expect(page.text).toContain('Hand over their work');
    const form = await http().get(`/people/${leaver.id}/handover`).set('Cookie', asLead.cookie).expect(200);
    // The active colleagues of the organisation, not the person themselves; their seats listed.
    expect(form.text).toContain('Cal Colleague');
    expect(form.text).not.toContain(`value="${leaver.id}"`);
    expect(form.text).toContain('Winter calls, facilitated');
    expect(form.text).toContain('Warm homes, reviewed');

    const member = await signInOverHttp(web, c.facilitator.email, TEST_PASSWORD);
    await http().get(`/people/${leaver.id}/handover`).set('Cookie', member.cookie).expect(403);
    await post(member, `/people/${leaver.id}/handover`, { toUserId: colleague.id }).expect(403);
    const otherLead = await signInOverHttp(web, (await factory.lead(c.orgs.forum)).email, TEST_PASSWORD);
    await http().get(`/people/${leaver.id}/handover`).set('Cookie', otherLead.cookie).expect(403);
    // Without the CSRF token, refused.
    await http().post(`/people/${leaver.id}/handover`).set('Cookie', asLead.cookie).type('form').send({ toUserId: colleague.id }).expect(403);
    expect((await cycle(facilitated)).facilitatorUserIds).toEqual([leaver.id]);
  });

  it('no colleague chosen (400) or one of another organisation (422) comes back with the error, moving nothing', async () => {
    const asLead = await signInOverHttp(web, lead.email, TEST_PASSWORD);
    const none = await post(asLead, `/people/${leaver.id}/handover/check`).expect(400);
    expect(none.text).toContain('Choose the colleague who takes over');
    expect(none.text).toContain('href="#to-user"');
    const other = await post(asLead, `/people/${leaver.id}/handover`, { toUserId: c.forumUser.id }).expect(422);
    expect(other.text).toContain('The colleague must be a user of Northshire Mediation Service.');
    expect((await cycle(facilitated)).facilitatorUserIds).toEqual([leaver.id]);
    expect((await cycle(panelled)).panelUserIds).toEqual([c.panel[0].id, leaver.id]);
  });

  it('a lead chooses the colleague in a browser, confirms, sees the cycles moved; the colleague is emailed; the pages pass axe', async () => {
    const { context, page } = await signedIn(web, lead.email, TEST_PASSWORD);
    try {
      await page.goto(`/people/${leaver.id}`);
      await page.click('a:has-text("Hand over their work")');
      await page.waitForURL(`**/people/${leaver.id}/handover`);
      await screenshot(page, 'handover-choose');
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.click('button:has-text("Continue")');
      await page.locator('.govuk-error-summary').waitFor();
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.getByLabel('Cal Colleague').check();
      await page.click('button:has-text("Continue")');
      await page.locator('h1:has-text("Hand over Lee Leaver’s work to Cal Colleague?")').waitFor();
      expect(await page.locator('main').innerText()).toContain('Winter calls, facilitated: facilitator');
      await screenshot(page, 'handover-confirm');
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.click('button:has-text("Confirm and hand over")');
      await page.locator('.govuk-notification-banner--success').waitFor();
      const moved = await page.locator('#moved').innerText();
      expect(moved).toContain('Winter calls, facilitated');
      expect(moved).toContain('Warm homes, reviewed');
      await screenshot(page, 'handover-done');
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await context.close();
    }
    expect((await cycle(facilitated)).facilitatorUserIds).toEqual([colleague.id]);
    expect((await cycle(panelled)).panelUserIds).toEqual([c.panel[0].id, colleague.id]);
    // The colleague's email (their preference: each one as it happens), linking to the cycle.
    const mails = await eventually(
      () => relay.to(colleague.email),
      (list) => list.filter((m) => (m.text ?? '').includes('handed their')).length >= 2,
    );
    const facilitatorMail = mails.find((m) => (m.text ?? '').includes('Winter calls, facilitated'));
    expect(facilitatorMail?.text).toContain('Lee Leaver handed their facilitator role over to you');
    expect(facilitatorMail?.text).toContain(`/cycles/${facilitated}`);
  });
});
