import { Page } from 'playwright-core';
import { Factory, TEST_PASSWORD, TestApi, TestUser, startTestApi, testClock } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signedIn } from '@test/support/test-web';

/** Three members take the partnership agreement from a proposal to agreed, in their own browsers. */
describe('the agreement page in a browser', () => {
  let api: TestApi;
  let factory: Factory;
  let web: TestWeb;
  let partnershipId: string;
  const people: { user: TestUser; page: Page }[] = [];

  beforeAll(async () => {
    ({ api, factory } = await startTestApi());
    web = await createTestWeb();
    const orgs = await Promise.all([
      factory.organisation('commissioner', 'Northshire County Council'),
      factory.organisation('provider', 'Age Well Northshire'),
      factory.organisation('community', "Northshire Residents' Forum"),
    ]);
    const users = await Promise.all(orgs.map((o) => factory.user(o)));
    partnershipId = (
      await users[0].as
        .post('/v1/partnerships', { name: 'Agreement in a browser', memberOrganisationIds: [orgs[1].id, orgs[2].id], destination: 'Older people live well at home', principles: ['Decide together'] })
        .expect(201)
    ).body.id;
    await factory.acceptInvitations(partnershipId, [orgs[1].id, orgs[2].id]);
    for (const user of users) people.push({ user, page: (await signedIn(web, user.email, TEST_PASSWORD)).page });
  }, 60000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  const expectAccessible = async (page: Page, name: string) => {
    await screenshot(page, name);
    expect({ page: name, problems: await accessibilityProblems(page) }).toEqual({ page: name, problems: [] });
  };
  const banner = async (page: Page, text: string) => {
    await page.locator('.govuk-notification-banner--success').first().waitFor({ state: 'visible', timeout: 5000 });
    expect(await page.locator('.govuk-notification-banner--success').first().innerText()).toContain(text);
  };

  it('proposes, states positions, objects, proposes again and agrees, each page accessible', async () => {
    const [council, charity, forum] = people;
    await council.page.goto(`/partnerships/${partnershipId}`);
    await council.page.click('a:has-text("The partnership agreement")');
    await expectAccessible(council.page, '20-agreement-drafting');
    await council.page.fill('#agreement-horizon', '2035');
    await council.page.click('button:has-text("Propose this version")');
    await banner(council.page, 'The new version is proposed');

    await charity.page.goto(`/partnerships/${partnershipId}/agreement`);
    await charity.page.fill('#position-what', 'Referrals come earlier');
    await charity.page.check('input[name=readiness][value=ready]');
    await charity.page.click('button:has-text("Save position")');
    await banner(charity.page, 'position is saved');
    await charity.page.fill('#position-what', 'Referrals come earlier, and fewer crises');
    await charity.page.check('input[name=readiness][value=ready]');
    await charity.page.click('button:has-text("Save position")');
    await banner(charity.page, 'position is saved');
    await charity.page.click('summary:has-text("Earlier positions (1)")');
    expect(await charity.page.locator('details:has-text("Earlier positions")').innerText()).toContain('Referrals come earlier');

    await forum.page.goto(`/partnerships/${partnershipId}/agreement`);
    await forum.page.click('button:has-text("Object")');
    expect(await forum.page.locator('.govuk-error-summary').innerText()).toContain('Enter why your organisation objects');
    await expectAccessible(forum.page, '21-agreement-error');
    await forum.page.fill('#agreement-reason', 'Residents were not asked');
    await forum.page.click('button:has-text("Object")');
    await banner(forum.page, 'objection is recorded');
    await forum.page.fill('#agreement-destination', 'Older people, asked first, live well at home');
    await forum.page.click('button:has-text("Propose this version")');
    await banner(forum.page, 'The new version is proposed');

    for (const { page } of people) {
      await page.goto(`/partnerships/${partnershipId}/agreement`);
      await page.click('button:has-text("Consent to version 3")');
      await banner(page, 'consent is recorded');
    }
    await council.page.goto(`/partnerships/${partnershipId}/agreement`);
    expect(await council.page.locator('h1 + p .govuk-tag').innerText()).toContain('Agreed');
    expect(await council.page.locator('main').innerText()).toContain('Older people, asked first, live well at home');
    expect(await council.page.locator('main').innerText()).toContain('Referrals come earlier');
    expect(await council.page.locator('main').innerText()).toContain('Verified');
    await expectAccessible(council.page, '22-agreement-agreed');
  }, 120000);

  it('a commissioner sets the review date, aligned to the calendar; other members only see it', async () => {
    const [council, charity] = people;
    const anchorAt = new Date(testClock().now().getTime() + 200 * 24 * 3600_000);
    await council.user.as.post(`/v1/partnerships/${partnershipId}/anchors`, { name: 'Budget setting', date: anchorAt.toISOString() }).expect(201);
    await council.page.goto(`/partnerships/${partnershipId}/agreement`);
    expect(await council.page.locator('main').innerText()).toContain('No review date is set.');
    await council.page.fill('#review-offset', 'a month');
    await council.page.click('button:has-text("Save review date")');
    expect(await council.page.locator('.govuk-error-summary').innerText()).toContain('Enter a whole number of days');
    await council.page.fill('#review-offset', '30');
    await council.page.click('button:has-text("Save review date")');
    await banner(council.page, 'The review date is set');
    expect(await council.page.locator('main').innerText()).toMatch(/next reviewed on \d{1,2} \w+ \d{4}, aligned to “Budget setting”/);
    await expectAccessible(council.page, '23-agreement-review-date');
    await charity.page.goto(`/partnerships/${partnershipId}/agreement`);
    expect(await charity.page.locator('main').innerText()).toContain('aligned to “Budget setting”');
    expect(await charity.page.locator('button:has-text("Save review date")').count()).toBe(0);
    await council.page.click('button:has-text("Cancel the review date")');
    await banner(council.page, 'The review date is cancelled');
  }, 60000);
});
