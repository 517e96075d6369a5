import request from 'supertest';
import { Factory, TEST_PASSWORD, TestApi, cycleSteps, startCollaboration } from '@test/support';
import { type TestWeb, accessibilityProblems, createTestWeb, screenshot, signInOverHttp, signedIn } from '@test/support/test-web';

/**
 * A partnership of many people: the review panel's form, a box for each of them, has a page of its
 * own; the cycle page shows who is on the panel and links there, so it stays small.
 */
describe('a form with a long list, on a page of its own', () => {
  let api: TestApi;
  let web: TestWeb;
  let cookie: string;
  let csrf: string;
  let id: string;
  let factory: Factory;
  let c: Awaited<ReturnType<typeof startCollaboration>>['c'];
  const extra: { id: string }[] = [];

  beforeAll(async () => {
    const started = await startCollaboration();
    api = started.api;
    c = started.c;
    factory = started.factory;
    for (let i = 0; i < 20; i++) extra.push(await factory.user(c.orgs.forum, `Forum member ${String(i).padStart(2, '0')}`));
    id = await c.newCycle({ title: 'A big partnership’s cycle' });
    await cycleSteps(c).toFraming(id);
    web = await createTestWeb();
    ({ cookie, csrf } = await signInOverHttp(web, c.councilUser.email, TEST_PASSWORD));
  });
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  const get = (path: string) => request(web.app.getHttpServer()).get(path).set('Cookie', cookie);
  const post = (body: Record<string, unknown>) =>
    request(web.app.getHttpServer())
      .post(`/cycles/${id}/events`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, ...body });
  const sectionOf = (html: string, type: string) => html.slice(html.indexOf(`id="event-${type}"`), html.indexOf('</section>', html.indexOf(`id="event-${type}"`)));

  it('the cycle page names the panel and links to the form, without a box for everyone', async () => {
    const html = (await get(`/cycles/${id}`).expect(200)).text;
    const section = sectionOf(html, 'CHANGE_PANEL');
    expect(section).toContain('Change the review panel');
    expect(section).toMatch(/<strong>Review panel:<\/strong> [^<]+, [^<]+, [^<]+/);
    expect(section).toContain(`href="/cycles/${id}/forms/CHANGE_PANEL"`);
    expect(section).not.toContain('name="panelUserIds"');
    expect(html).not.toContain('name="panelUserIds"');
  });

  it('its own page offers everyone, the panel ticked, and posts to the cycle’s events', async () => {
    const html = (await get(`/cycles/${id}/forms/CHANGE_PANEL`).expect(200)).text;
    expect(html).toContain('<h1 class="govuk-heading-l" id="event-CHANGE_PANEL-heading">Change the review panel</h1>');
    expect(html).toContain(`action="/cycles/${id}/events"`);
    expect(html).toContain(`href="/cycles/${id}#forms"`);
    const boxes = [...html.matchAll(/<input class="govuk-checkboxes__input"[^>]*name="panelUserIds"[^>]*>/g)].map((m) => m[0]);
    expect(boxes.length).toBeGreaterThan(20);
    const ticked = boxes.filter((b) => b.includes('checked')).map((b) => /value="([^"]+)"/.exec(b)![1]);
    expect(ticked.sort()).toEqual(c.panel.map((p) => p.id).sort());

    const res = await post({ type: 'CHANGE_PANEL', panelUserIds: [...c.panel.map((p) => p.id), extra[7].id] }).expect(303);
    expect(res.headers.location).toBe(`/cycles/${id}?done=CHANGE_PANEL`);
    const after = (await get(res.headers.location).expect(200)).text;
    expect(after).toContain('The review panel is changed');
    expect(sectionOf(after, 'CHANGE_PANEL')).toContain('Forum member 07');
  });

  it('a refused change is shown again on its own page, with its error and the boxes as they were ticked', async () => {
    const none = await post({ type: 'CHANGE_PANEL' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('<h1 class="govuk-heading-l" id="event-CHANGE_PANEL-heading">');
    expect(none.text).toContain('Choose at least one panel member');
    expect(none.text).toContain('href="#event-CHANGE_PANEL-panelUserIds"');
    expect(none.text).not.toMatch(/name="panelUserIds"[^>]*checked/);

    const unchanged = await post({ type: 'CHANGE_PANEL', panelUserIds: [...c.panel.map((p) => p.id), extra[7].id] });
    expect(unchanged.status).toBeGreaterThanOrEqual(400);
    expect(unchanged.text).toContain('The review panel is unchanged.');
    const ticked = [...unchanged.text.matchAll(/<input class="govuk-checkboxes__input"[^>]*name="panelUserIds"[^>]*checked[^>]*>/g)].map((m) => /value="([^"]+)"/.exec(m[0])![1]);
    expect(ticked.sort()).toEqual([...c.panel.map((p) => p.id), extra[7].id].sort());
  });

  it('a form not offered now, or no form at all, leads back to the cycle page', async () => {
    for (const type of ['SIGN_OFF_REVIEW', 'NOT_A_FORM', '__proto__']) {
      const res = await get(`/cycles/${id}/forms/${type}`).expect(303);
      expect(res.headers.location).toBe(`/cycles/${id}#forms`);
    }
    // Someone who may not see the cycle learns nothing about it.
    const stranger = await factory.user(await factory.organisation('provider'));
    const { cookie: outsider } = await signInOverHttp(web, stranger.email, TEST_PASSWORD);
    await request(web.app.getHttpServer()).get(`/cycles/${id}/forms/CHANGE_PANEL`).set('Cookie', outsider).expect(404);
  });

  it('in a browser: from the cycle page to the form and back, accessibly, with and without its error', async () => {
    const { context, page } = await signedIn(web, c.councilUser.email, TEST_PASSWORD);
    try {
      await page.goto(`/cycles/${id}`);
      await page
        .locator('#event-CHANGE_PANEL')
        .getByRole('button', { name: /^Open the form \(\d+ to choose from\)$/ })
        .click();
      await page.waitForURL(`**/cycles/${id}/forms/CHANGE_PANEL`);
      expect(await page.title()).toBe('Change the review panel – Cocommission');
      await screenshot(page, '08c-cycle-panel-own-page');
      expect(await accessibilityProblems(page)).toEqual([]);
      // Nobody ticked: refused, said at the top and by the list.
      const ticked = page.locator('input[name=panelUserIds]:checked');
      while ((await ticked.count()) > 0) await ticked.first().uncheck();
      await page.click('button:has-text("Save panel")');
      await page.locator('.govuk-error-summary').waitFor();
      expect(await page.title()).toBe('Error: Change the review panel – Cocommission');
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.check(`input[name=panelUserIds][value="${extra[3].id}"]`);
      await page.click('button:has-text("Save panel")');
      await page.locator('.govuk-notification-banner--success').waitFor();
      expect(new URL(page.url()).pathname).toBe(`/cycles/${id}`);
      expect(await page.locator('#event-CHANGE_PANEL').innerText()).toContain('Review panel: Forum member 03');
    } finally {
      await context.close();
    }
  });
});
