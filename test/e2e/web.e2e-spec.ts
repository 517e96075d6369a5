import { Locator, Page } from 'playwright-core';
import request from 'supertest';
import { Factory, TEST_PASSWORD, TestApi, TestUser, createTestApi, fromNow } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signedIn } from '@test/support/test-web';

/**
 * The web app in headless Chromium: five people, each in a browser context of their own, take a
 * cycle from draft to its next iteration without the API; every page passes axe-core (WCAG 2.2
 * AA, no serious or critical violation); screenshots land in test-output/screenshots.
 */
describe('the web app in a browser', () => {
  let api: TestApi;
  let web: TestWeb;
  let factory: Factory;
  const people: Record<'priya' | 'helen' | 'maria' | 'john' | 'david' | 'admin', { user?: TestUser; page: Page }> = {} as never;
  let partnershipId: string;
  let cycleUrl = '';

  const expectAccessible = async (page: Page, name: string) => {
    await screenshot(page, name);
    const problems = await accessibilityProblems(page);
    expect({ page: name, problems }).toEqual({ page: name, problems: [] });
  };
  const send = async (who: keyof typeof people, heading: string, fill: (page: Page) => Promise<void> = async () => undefined) => {
    const { page } = people[who];
    await page.goto(cycleUrl);
    const form = page.locator('section.app-form', { has: page.getByRole('heading', { name: heading, exact: true }) });
    if (process.env.WEB_DEBUG) console.log(who, heading, await page.locator('#forms').innerText());
    await fill(page);
    await form.locator('button[type=submit]').click();
    await visible(page.locator('.govuk-notification-banner--success'));
  };
  const expectStage = async (page: Page, stage: string) => {
    await page.goto(cycleUrl);
    await containsText(page.locator('.app-lifecycle__current'), stage);
  };
  // Playwright locators: wait (a little) for what the page should show.
  const visible = (locator: Locator) => locator.first().waitFor({ state: 'visible', timeout: 5000 });
  const containsText = async (locator: Locator, text: string) => {
    await visible(locator);
    expect(await locator.first().innerText()).toContain(text);
  };

  beforeAll(async () => {
    api = await createTestApi();
    web = await createTestWeb();
    factory = await Factory.create(api.http);
    const [council, charity, forum, mediation] = await Promise.all([
      factory.organisation('commissioner', 'Northshire County Council'),
      factory.organisation('provider', 'Age Well Northshire'),
      factory.organisation('community', "Northshire Residents' Forum"),
      factory.organisation('community', 'Northshire Mediation Service'),
    ]);
    const [priya, helen, maria, john, david] = await Promise.all([
      factory.user(council, 'Priya Shah'),
      factory.user(charity, 'Helen Price'),
      factory.user(forum, 'Maria Lopez'),
      factory.user(forum, 'John Reid'),
      factory.user(mediation, 'David Moss'),
    ]);
    const partnership = await priya.as
      .post('/v1/partnerships', { name: 'Northshire Healthy Ageing', memberOrganisationIds: [charity.id, forum.id, mediation.id], destination: 'Older people live well at home' })
      .expect(201);
    partnershipId = partnership.body.id;
    await factory.acceptInvitations(partnershipId, [charity.id, forum.id, mediation.id]);
    await priya.as
      .post(`/v1/partnerships/${partnershipId}/outcomes`, {
        title: 'Older people stay well at home',
        metrics: [{ name: 'Emergency admissions 65+', unit: 'per 1,000', baseline: 24.5, target: 20, direction: 'decrease' }],
      })
      .expect(201);
    await priya.as.post(`/v1/partnerships/${partnershipId}/anchors`, { name: 'Council budget set', date: fromNow(60 * 86_400_000) }).expect(201);
    for (const [key, user] of Object.entries({ priya, helen, maria, john, david })) {
      people[key as 'priya'] = { user, page: (await signedIn(web, user.email, TEST_PASSWORD)).page };
    }
    const { loadConfig } = await import('@app/config');
    const config = loadConfig();
    people.admin = { page: (await signedIn(web, config.admin.email, config.admin.password!)).page };
  }, 60000);

  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  it('refuses pages without a session and forms without their token', async () => {
    await request(web.app.getHttpServer()).get('/').expect(303).expect('location', '/sign-in');
    await request(web.app.getHttpServer()).get(`/partnerships/${partnershipId}`).expect(303);
    const context = await web.browser.newContext({ baseURL: web.base });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await expectAccessible(page, '01-sign-in');
    await page.fill('#email', people.priya.user!.email);
    await page.fill('#password', 'not the password');
    await page.click('button:has-text("Sign in")');
    await containsText(page.locator('.govuk-error-summary'), 'The email address or password is wrong');
    await expectAccessible(page, '02-sign-in-error');
    // A form posted without the session's token (as another site would) changes nothing.
    const cookies = await people.priya.page.context().cookies();
    const session = cookies.find((c) => c.name === 'cocommission_session')!;
    await request(web.app.getHttpServer()).post(`/partnerships/${partnershipId}/table`).set('Cookie', `cocommission_session=${session.value}`).type('form').send({ on: 'Everything' }).expect(403);
    // The checker itself finds what it should (an image without a text alternative is critical).
    await page.setContent('<html lang="en"><head><title>t</title></head><body><main><img src="/assets/images/favicon.svg"></main></body></html>');
    expect((await accessibilityProblems(page)).map((p) => p.id)).toContain('image-alt');
    await context.close();
  });

  it('takes a cycle from draft to its next iteration, as five people in their own browsers', async () => {
    const { priya, helen, maria, john, david } = people;
    // Priya (council) opens a cycle from the partnership page.
    await priya.page.goto(`/partnerships/${partnershipId}`);
    await expectAccessible(priya.page, '03-partnership');
    await priya.page.click('a:has-text("Open a cycle")');
    await priya.page.click('button:has-text("Open the cycle in draft")');
    await containsText(priya.page.locator('.govuk-error-summary'), 'Enter a title for the cycle');
    await expectAccessible(priya.page, '04-new-cycle-errors');
    await priya.page.fill('#title', 'Staying well at home');
    await priya.page.check(`input[name=providerOrganisationIds]`);
    await priya.page.check(`input[name=communityOrganisationIds][value="${maria.user!.organisationId}"]`);
    await priya.page.check(`input[name=panelUserIds][value="${john.user!.id}"]`);
    await priya.page.check(`input[name=facilitatorUserIds][value="${david.user!.id}"]`);
    await priya.page.check('input[name=outcomeIds]');
    await priya.page.click('button:has-text("Open the cycle in draft")');
    await priya.page.waitForURL(/\/cycles\/[0-9a-f-]{36}$/);
    cycleUrl = new URL(priya.page.url()).pathname;
    // The draft is edited before launch: its title (its people, as chosen, stay ticked).
    await send('priya', 'Edit the draft', (p) => p.fill('#event-EDIT_DRAFT-title', 'Staying well at home this winter'));
    await containsText(priya.page.locator('h1'), 'Staying well at home this winter');
    // Priya aligns the framing deadline to the partnership's budget anchor.
    await priya.page.selectOption('#milestone-kind', 'framingDue');
    await priya.page.click('button:has-text("Schedule milestone")');
    await containsText(priya.page.locator('.govuk-error-summary'), 'Enter a real date');
    await priya.page.selectOption('#milestone-kind', 'framingDue');
    await priya.page.selectOption('#milestone-anchor', { label: 'Council budget set' });
    await priya.page.fill('#milestone-offset', '-10');
    await priya.page.check('input[name=unit][value=working]');
    await priya.page.click('button:has-text("Schedule milestone")');
    await containsText(priya.page.locator('#milestones ~ table, main'), '-10 working days from “Council budget set”');
    // A decision deadline before the framing deadline: the calendar will flag it.
    await priya.page.selectOption('#milestone-kind', 'decisionDue');
    await priya.page.selectOption('#milestone-anchor', { label: 'Council budget set' });
    await priya.page.fill('#milestone-offset', '-30');
    await priya.page.click('button:has-text("Schedule milestone")');
    await visible(priya.page.locator('.govuk-notification-banner--success'));
    await expectAccessible(priya.page, '05-cycle-draft');

    // Helen's work page says what waits for her once the cycle is launched and framed.
    await send('priya', 'Launch the cycle');
    await send('helen', 'Write the problem definition', (p) => p.fill('#event-REVISE_PROBLEM-statement', 'Older people are admitted to hospital in winter.'));
    await helen.page.goto('/');
    await containsText(helen.page.locator('main'), 'Your organisation has not endorsed revision 1');
    await expectAccessible(helen.page, '06-your-work');

    // A blank revision is refused with the GOV.UK error summary, linked to the field.
    await maria.page.goto(cycleUrl);
    await maria.page.fill('#event-REVISE_PROBLEM-statement', '');
    await maria.page.click('#event-REVISE_PROBLEM-submit');
    await visible(maria.page.locator('.govuk-error-summary a[href="#event-REVISE_PROBLEM-statement"]'));
    await containsText(maria.page.locator('.govuk-error-summary'), 'Enter the problem statement');
    await expectAccessible(maria.page, '07-cycle-error-summary');
    // Maria objects, then writes revision 2; the difference is shown.
    await send('maria', 'Object to revision 1', (p) => p.fill('#event-OBJECT_PROBLEM-reason', 'It leaves out cold homes.'));
    await send('maria', 'Write revision 2 of the problem', (p) => p.fill('#event-REVISE_PROBLEM-statement', 'Older people are admitted to hospital in winter because they live in cold homes.'));
    await maria.page.click('summary:has-text("What changed from revision 1")');
    await containsText(maria.page.locator('.app-diff'), 'because they live in cold homes');
    expect(await maria.page.locator('.app-diff ins').allInnerTexts()).not.toHaveLength(0);
    for (const who of ['priya', 'helen', 'maria'] as const) await send(who, 'Endorse revision 2');
    await expectStage(priya.page, 'Options');

    // Options: Helen submits one with Maria's organisation; Priya closes the window.
    await send('helen', 'Submit an option', async (p) => {
      await p.fill('#event-SUBMIT_OPTION-title', 'Winter wellbeing calls');
      await p.fill('#event-SUBMIT_OPTION-summary', 'Volunteers call isolated older people weekly.');
      await p.check(`input[name=coAuthorOrganisationIds][value="${maria.user!.organisationId}"]`);
      await p.fill('#event-SUBMIT_OPTION-estimatedCostPence', '50,000');
    });
    await send('priya', 'Close the options window');
    await expectStage(priya.page, 'Deciding');

    // Deciding: Maria appraises; Helen proposes; Maria escalates, David resolves; all consent.
    await send('maria', 'Appraise an option', async (p) => {
      await p.selectOption('select[name^=score_]', '4');
    });
    // The council pledges cash; the proposal allocates it; the gap shows.
    await send('priya', 'Pledge to the cycle', async (p) => {
      await p.check('input[name=kind][value=cash]');
      await p.fill('#event-PLEDGE-amountPence', '40,000');
      await p.fill('#event-PLEDGE-description', 'Prevention budget');
    });
    await send('helen', 'Propose a decision', async (p) => {
      await p.fill('input[name^=alloc_]', '40,000');
      await p.check('input[name=optionIds]');
      await p.fill('#event-PROPOSE_DECISION-rationale', 'Quickest to start before winter.');
    });
    await send('maria', 'Escalate a disagreement', (p) => p.fill('#event-ESCALATE-reason', 'We need to agree who funds the volunteers.'));
    await david.page.goto('/');
    await containsText(david.page.locator('main'), 'Waiting for you to resolve the escalation');
    await send('david', 'Resolve the escalation', (p) => p.fill('#event-RESOLVE_ESCALATION-resolution', 'The ICB funds the first year.'));
    for (const who of ['priya', 'helen', 'maria'] as const) await send(who, 'Consent to the proposal');
    await expectStage(priya.page, 'Delivering');
    await containsText(priya.page.locator('#funding ~ .govuk-warning-text, main'), 'Funding gap: £10,000');
    // The delivery plan: Priya adds an action for Helen's charity, which Helen completes.
    const due = new Date(fromNow(30 * 86_400_000)).toISOString().slice(0, 10);
    await send('priya', 'Add an action to the delivery plan', async (p) => {
      await p.fill('#event-ADD_ACTION-title', 'Recruit volunteers');
      await p.selectOption('#event-ADD_ACTION-ownerOrganisationId', { label: 'Age Well Northshire' });
      await p.fill('#event-ADD_ACTION-dueAt', due);
    });
    await send('helen', 'Complete an action', (p) => p.fill('#event-COMPLETE_ACTION-note', '120 volunteers trained'));
    await containsText(helen.page.locator('main'), '120 volunteers trained');

    // Delivering: Helen records progress with a reading; Priya starts the review.
    await send('helen', 'Record progress', async (p) => {
      await p.fill('#event-RECORD_PROGRESS-note', '1,240 calls made.');
      await p.fill('input[name^=reading_]', '22.9');
    });
    await containsText(helen.page.locator('main'), '22.9 per 1,000');
    // The chart is an SVG drawn on the server, with its text alternative.
    await visible(helen.page.locator('figure.app-chart svg'));
    await containsText(helen.page.locator('figure.app-chart figcaption'), 'the latest 22.9 per 1,000');
    await expectAccessible(helen.page, '08-cycle-delivering');
    await send('priya', 'Start the learning review');

    // Review: John (panel) and Helen record learning; John signs off to iterate.
    await send('john', 'Record learning', async (p) => {
      await p.fill('#event-RECORD_LEARNING-insight', 'Calls from people we know matter most.');
      await p.check('#event-RECORD_LEARNING-recommendation');
    });
    await send('helen', 'Record learning', async (p) => {
      await p.fill('#event-RECORD_LEARNING-insight', 'Referrals came late in the season.');
      await p.check('input[name=recommendation][value=adapt]');
    });
    // The panel changes mid-review: Maria joins, John signs off, Maria leaves the panel again and
    // the review closes on the sign-offs of those left.
    const panelBox = (p: Page, who: TestUser) => p.locator('#event-CHANGE_PANEL').locator(`input[name=panelUserIds][value="${who.id}"]`);
    await send('priya', 'Change the review panel', (p) => panelBox(p, maria.user!).check());
    await send('john', 'Sign off the learning review', (p) => p.check('#event-SIGN_OFF_REVIEW-outcome'));
    await expectStage(john.page, 'Learning review');
    await expectAccessible(priya.page, '08b-cycle-panel-change');
    await send('priya', 'Change the review panel', (p) => panelBox(p, maria.user!).uncheck());
    await john.page.goto(cycleUrl);
    await containsText(john.page.locator('.app-lifecycle__current'), 'Closed');
    await containsText(john.page.locator('main'), 'Verified');
    await john.page.click('details#history summary');
    await containsText(john.page.locator('details table'), 'SIGN_OFF_REVIEW');
    await expectAccessible(john.page, '09-cycle-closed');

    // The next iteration is in draft, with the last problem statement carried forward.
    await priya.page.goto(cycleUrl);
    await priya.page.click('a:has-text("next iteration")');
    await containsText(priya.page.locator('.app-lifecycle__current'), 'Draft');
    await containsText(priya.page.locator('main'), 'because they live in cold homes');
    await containsText(priya.page.locator('main'), 'iteration 2');
  }, 180000);

  it('shows the partnership calendar, notifications and the admin pages accessibly', async () => {
    const { maria, admin } = people;
    await maria.page.goto(`/partnerships/${partnershipId}`);
    await maria.page.fill('#on', 'Volunteer time\nMeeting rooms');
    await maria.page.fill('#off', 'Money');
    await maria.page.click('button:has-text("Save a new version")');
    await visible(maria.page.locator('.govuk-notification-banner--success'));
    await maria.page.click('button:has-text("Get a subscription link")');
    await containsText(maria.page.locator('main'), '/calendar.ics?token=');
    await containsText(maria.page.locator('main'), 'Council budget set');
    await containsText(maria.page.locator('main'), 'Staying well at home this winter: framingDue');
    await containsText(maria.page.locator('.govuk-warning-text'), 'alignment conflict');
    await visible(maria.page.locator('.app-timeline .app-conflict .govuk-tag--red'));
    await expectAccessible(maria.page, '10-partnership-calendar');
    // Priya moves the anchor a week later; the aligned milestone moves with it.
    const { priya } = people;
    await priya.page.goto(`/partnerships/${partnershipId}`);
    const later = new Date(fromNow(67 * 86_400_000));
    const move = priya.page.locator('form[action*="/anchors/"]').first();
    await move.locator('input[name=date-day]').fill(String(later.getUTCDate()));
    await move.locator('input[name=date-month]').fill(String(later.getUTCMonth() + 1));
    await move.locator('input[name=date-year]').fill(String(later.getUTCFullYear()));
    await move.locator('button').click();
    await containsText(priya.page.locator('.govuk-notification-banner--success'), 'and 2 aligned milestones with it');
    await expectAccessible(priya.page, '10b-partnership-commissioner');
    // Without JavaScript, too: sign in and save a declaration with plain HTML forms.
    const plain = await signedIn(web, maria.user!.email, TEST_PASSWORD, { javaScript: false });
    await plain.page.goto(`/partnerships/${partnershipId}`);
    await plain.page.fill('#on', 'Volunteer time\nMeeting rooms\nA community hall');
    await plain.page.click('button:has-text("Save a new version")');
    await containsText(plain.page.locator('.govuk-notification-banner--success'), 'declaration is saved');
    await containsText(plain.page.locator('main'), 'Earlier versions (1)');
    await plain.context.close();
    await maria.page.goto('/notifications');
    await expectAccessible(maria.page, '11-notifications');
    await admin.page.goto('/admin');
    await admin.page.click('button:has-text("Add user")');
    await containsText(admin.page.locator('.govuk-error-summary'), 'Enter the person’s name');
    await expectAccessible(admin.page, '12-admin-errors');
    await admin.page.fill('#org-name', 'Northshire Hospice');
    await admin.page.check('input[name=kind][value=provider]');
    await admin.page.click('button:has-text("Add organisation")');
    await containsText(admin.page.locator('main'), 'Northshire Hospice');
    // The admin opens a partnership with the new organisation and Maria's forum; Maria sees it.
    await admin.page.goto('/partnerships');
    await admin.page.click('button:has-text("Open partnership")');
    await containsText(admin.page.locator('.govuk-error-summary'), 'Enter the partnership’s name');
    await admin.page.fill('#partnership-name', 'Northshire Hospice at Home');
    await admin.page.check('input[name=memberOrganisationIds] >> nth=0');
    await admin.page.check(`input[name=memberOrganisationIds][value="${maria.user!.organisationId}"]`);
    await admin.page.fill('#partnership-principles', 'Decide together\nShare data openly');
    await admin.page.click('button:has-text("Open partnership")');
    await containsText(admin.page.locator('h1'), 'Northshire Hospice at Home');
    await containsText(admin.page.locator('main'), 'Share data openly');
    await maria.page.goto('/partnerships');
    await containsText(maria.page.locator('main'), 'Northshire Hospice at Home');
    await expectAccessible(maria.page, '13-partnerships');
    // A member adds an outcome with its metric to the shared framework.
    await maria.page.click('a:has-text("Northshire Hospice at Home")');
    await maria.page.fill('#outcome-title', 'People die where they choose');
    await maria.page.click('button:has-text("Add outcome")');
    await containsText(maria.page.locator('.govuk-error-summary'), 'Enter the name of the metric');
    await maria.page.fill('#outcome-metric', 'Deaths at usual place of residence');
    await maria.page.fill('#outcome-unit', '%');
    await maria.page.fill('#outcome-baseline', '46');
    await maria.page.fill('#outcome-target', '55.5');
    await maria.page.check('input[name=direction][value=increase]');
    await maria.page.click('button:has-text("Add outcome")');
    await containsText(maria.page.locator('.govuk-notification-banner--success'), 'The outcome is added');
    await containsText(maria.page.locator('#outcomes ~ table, main'), 'Deaths at usual place of residence');
    // People who are not admins get a 403 page.
    const res = await maria.page.goto('/admin');
    expect(res?.status()).toBe(403);
    expect((await maria.page.goto('/people'))?.status()).toBe(403);
    // The admin names Helen her organisation's representative, from the people pages.
    await admin.page.goto('/people');
    await admin.page.click(`a[href="/people/${people.helen.user!.id}"]`);
    await admin.page.check('input[name=representative][value=yes]');
    await expectAccessible(admin.page, '14-person');
    await admin.page.click('button:has-text("Save changes")');
    await containsText(admin.page.locator('.govuk-notification-banner--success'), 'The changes are saved');
    await expectAccessible(admin.page, '15-people');
    // Maria changes her password: a wrong current one is refused; then she stays signed in here.
    await maria.page.goto('/account');
    await maria.page.fill('#current-password', 'not my password at all');
    await maria.page.fill('#new-password', 'three random words together');
    await maria.page.click('button:has-text("Change password")');
    await containsText(maria.page.locator('.govuk-error-summary'), 'This is not your current password');
    await expectAccessible(maria.page, '16-account-errors');
    await maria.page.fill('#current-password', TEST_PASSWORD);
    await maria.page.fill('#new-password', 'three random words together');
    await maria.page.click('button:has-text("Change password")');
    await containsText(maria.page.locator('.govuk-notification-banner--success'), 'Your password is changed');
    await maria.page.goto('/notifications');
    await containsText(maria.page.locator('h1'), 'Notifications');
    // Priya cannot remove the forum while it co-owns the unfinished next iteration; she archives the partnership.
    await priya.page.goto(`/partnerships/${partnershipId}`);
    await priya.page.click(`form[action$="/members/${maria.user!.organisationId}/remove"] button`);
    await containsText(priya.page.locator('.govuk-error-summary'), 'still co-owns unfinished cycles');
    await expectAccessible(priya.page, '17-partnership-member-refused');
    // A webhook to the service's own network is refused, with the reason.
    await priya.page.fill('#webhook-url', 'https://127.0.0.1/hooks');
    await priya.page.click('button:has-text("Add webhook")');
    await containsText(priya.page.locator('.govuk-error-summary'), 'a loopback address: webhooks go to public addresses only');
    await expectAccessible(priya.page, '17b-partnership-webhook-refused');
    await priya.page.click('button:has-text("Archive the partnership")');
    await containsText(priya.page.locator('.govuk-notification-banner--success'), 'The partnership is archived');
    await containsText(priya.page.locator('main'), 'it and its cycles are read-only');
    expect(await priya.page.locator('button:has-text("Archive the partnership")').count()).toBe(0);
    await expectAccessible(priya.page, '18-partnership-archived');
  }, 90000);
});
