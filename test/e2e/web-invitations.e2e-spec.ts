import request from 'supertest';
import { DataSource } from 'typeorm';
import { Collaboration, Factory, TEST_PASSWORD, TestApi, TestRelay, collaboration, eventually, startTestApi } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signInOverHttp } from '@test/support/test-web';

/**
 * Inviting a guest from the cycle page (issue 33, part 2): a commissioner's member fills in the
 * form, the email goes through the real SMTP relay, the invitation is listed and withdrawn; nobody
 * else sees the form or may post it; bad input comes back with its errors and stores nothing.
 */
describe('inviting guests in the web app', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  const PUBLIC = 'https://cocommission.northshire.gov.uk';
  /** Sends one person may make in an hour, in this suite's web app: the third is refused. */
  const PER_HOUR = 2;
  let api: TestApi;
  let web: TestWeb;
  let factory: Factory;
  let c: Collaboration;
  let cycleId: string;
  let council: { cookie: string; csrf: string };

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = PUBLIC;
    ({ api, factory } = await startTestApi());
    web = await createTestWeb({ config: (config) => ({ ...config, invitations: { ...config.invitations, perHour: PER_HOUR } }) });
    c = await collaboration(factory);
    cycleId = await c.newCycle({ title: 'Winter calls 2027' });
    council = await signInOverHttp(web, c.councilUser.email, TEST_PASSWORD);
  }, 90000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL']) if (saved[key] === undefined) delete process.env[key];
  });

  const http = () => request(web.app.getHttpServer());
  const post = (who: { cookie: string; csrf: string }, path: string, form: Record<string, string> = {}) =>
    http()
      .post(path)
      .set('Cookie', who.cookie)
      .type('form')
      .send({ _csrf: who.csrf, ...form });
  const stored = async (email: string) => (await api.app.get(DataSource).query(`SELECT id FROM cycle_invitations WHERE email = $1`, [email])).length;

  it('a commissioner invites through the form; the email arrives; the invitation is listed, then withdrawn and its link dead', async () => {
    const page = await http().get(`/cycles/${cycleId}`).set('Cookie', council.cookie).expect(200);
    expect(page.text).toContain('Invite someone');
    expect(page.text).toContain('Nobody has been invited yet.');

    const email = 'sam.resident@web-invitations.example.org';
    const sent = await post(council, `/cycles/${cycleId}/invitations`, { name: 'Sam Patel', email: 'Sam.Resident@web-invitations.example.org', role: 'panel' }).expect(303);
    expect(sent.headers.location).toBe(`/cycles/${cycleId}?done=INVITED#invitations`);
    const [mail] = await eventually(
      () => relay.to(email),
      (list) => list.length > 0,
    );
    expect(mail.subject).toContain('Winter calls 2027');
    expect(mail.text).toContain('Hello Sam Patel');
    expect(mail.text).toContain('sit on the review panel of');
    const token = new RegExp(`${PUBLIC}/invitations/([\\w-]+)`).exec(mail.text ?? '')![1];

    const listed = await http().get(`/cycles/${cycleId}?done=INVITED`).set('Cookie', council.cookie).expect(200);
    expect(listed.text).toContain('The invitation is sent by email');
    const section = listed.text.slice(listed.text.indexOf('id="invitations"'));
    expect(section).toContain('Sam Patel');
    expect(section).toContain(email);
    expect(section).toContain('Review panel');
    expect(section).toContain('Sent');
    const [row]: { id: string }[] = await api.app.get(DataSource).query(`SELECT id FROM cycle_invitations WHERE email = $1 AND cycle_id = $2`, [email, cycleId]);
    expect(section).toContain(`/cycles/${cycleId}/invitations/${row.id}/withdraw`);
    // The link itself is shown to nobody but its recipient.
    expect(listed.text).not.toContain(token);

    const withdrawn = await post(council, `/cycles/${cycleId}/invitations/${row.id}/withdraw`).expect(303);
    expect(withdrawn.headers.location).toBe(`/cycles/${cycleId}?done=INVITATION_WITHDRAWN#invitations`);
    const after = await http().get(`/cycles/${cycleId}?done=INVITATION_WITHDRAWN`).set('Cookie', council.cookie).expect(200);
    expect(after.text).toContain('The invitation is withdrawn: its link no longer works');
    expect(after.text.slice(after.text.indexOf('id="invitations"'))).not.toContain(email);
    await http().get(`/invitations/${token}`).expect(404);
    // Withdrawn twice: there is nothing left to withdraw.
    await post(council, `/cycles/${cycleId}/invitations/${row.id}/withdraw`).expect(404);
    // Without the form's token, as another site would post it: refused, nothing sent.
    await http().post(`/cycles/${cycleId}/invitations`).set('Cookie', council.cookie).type('form').send({ name: 'Kim', email: 'kim@web-invitations.example.org', role: 'voice' }).expect(403);
    expect(await stored('kim@web-invitations.example.org')).toBe(0);
  });

  it('a provider’s member sees no form, and their post is refused with nothing stored', async () => {
    const charity = await signInOverHttp(web, c.charityUser.email, TEST_PASSWORD);
    const page = await http().get(`/cycles/${cycleId}`).set('Cookie', charity.cookie).expect(200);
    expect(page.text).not.toContain('Invite someone');
    expect(page.text).not.toContain(`action="/cycles/${cycleId}/invitations"`);
    const email = 'lee.provider@web-invitations.example.org';
    await post(charity, `/cycles/${cycleId}/invitations`, { name: 'Lee', email, role: 'voice' }).expect(403);
    // Refused before the form is read: bad input from them is a 403 too, not a form with errors.
    await post(charity, `/cycles/${cycleId}/invitations`, { name: '', email: 'not an email', role: 'boss' }).expect(403);
    expect(await stored(email)).toBe(0);
    expect(relay.to(email)).toHaveLength(0);
  });

  it('bad input comes back with each error, what was typed kept, and nothing stored or sent', async () => {
    const empty = await post(council, `/cycles/${cycleId}/invitations`, {}).expect(400);
    expect(empty.text).toContain('There is a problem');
    for (const words of ['Enter the email address of the person you are inviting', 'Enter the name of the person you are inviting', 'Choose what you are inviting them to do']) {
      expect(empty.text).toContain(words);
    }
    expect(empty.text).toContain('href="#invite-email"');
    expect(empty.text).toContain('href="#invite-role"');

    const wrong = await post(council, `/cycles/${cycleId}/invitations`, { name: 'N'.repeat(101), email: 'not-an-address', role: 'boss' }).expect(400);
    expect(wrong.text).toContain('Enter an email address in the correct format, like name@example.com');
    expect(wrong.text).toContain('The name must be 100 characters or fewer');
    expect(wrong.text).toContain('Choose what you are inviting them to do');
    expect(wrong.text).toContain('value="not-an-address"');
    expect(await stored('not-an-address')).toBe(0);
  });

  it('the limit of sends an hour is a form error (429), with nothing stored past it; the form passes axe', async () => {
    // The ICB is the cycle's other commissioner: its member's sends are counted apart from the council's.
    const icb = await signInOverHttp(web, c.icbUser.email, TEST_PASSWORD);
    const addresses = [0, 1, 2].map((i) => `limit-${i}@web-invitations.example.org`);
    for (const email of addresses.slice(0, PER_HOUR)) await post(icb, `/cycles/${cycleId}/invitations`, { name: 'Jo Bloggs', email, role: 'voice' }).expect(303);
    const refused = await post(icb, `/cycles/${cycleId}/invitations`, { name: 'Jo Bloggs', email: addresses[2], role: 'voice' }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.text).toContain('Too many invitations sent. Try again in');
    expect(refused.text).toContain(`value="${addresses[2]}"`);
    expect(await stored(addresses[2])).toBe(0);

    const context = await web.browser.newContext({ baseURL: web.base, viewport: { width: 1100, height: 900 } });
    try {
      await context.addCookies([{ name: 'cocommission_session', value: council.cookie.split('=')[1], url: web.base }]);
      const page = await context.newPage();
      await page.goto(`/cycles/${cycleId}#invitations`);
      await page.click('button:has-text("Send invitation")');
      await page.locator('.govuk-error-summary').waitFor();
      expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter the email address of the person you are inviting');
      await screenshot(page, 'cycle-invite-errors');
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.fill('#invite-name', 'Ava Jones');
      await page.fill('#invite-email', 'ava.jones@web-invitations.example.org');
      await page.check('#invite-role-2');
      await page.click('button:has-text("Send invitation")');
      await page.locator('.govuk-notification-banner--success').waitFor();
      expect(await page.locator('#invitations').innerText()).toContain('Giving their view');
      await screenshot(page, 'cycle-invitations');
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await context.close();
    }
    await eventually(
      () => relay.to('ava.jones@web-invitations.example.org'),
      (list) => list.length > 0,
    );
  });
});
