import type { Page } from 'playwright-core';
import { Factory, TEST_PASSWORD, TestApi, collaboration, createTestApi } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signedIn } from '@test/support/test-web';

/** Issue 31, findings 4 and 5 in a browser: a lead accepts an invitation; one commissioner proposes, another agrees; each page accessible. */
describe('partnership invitations and decisions in a browser', () => {
  let api: TestApi;
  let factory: Factory;
  let web: TestWeb;

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    web = await createTestWeb();
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

  it('an invited lead accepts; a proposal to archive waits for the other commissioner, who agrees; the history shows it', async () => {
    const c = await collaboration(factory);
    const newcomer = await factory.organisation('provider', 'Northshire Hospice');
    const lead = await factory.lead(newcomer, 'Hana Lead');
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [newcomer.id] }).expect(201);

    const hana = await signedIn(web, lead.email, TEST_PASSWORD);
    await hana.page.goto('/partnership-invitations');
    await expectAccessible(hana.page, '60-partnership-invitations');
    await hana.page.click('button:has-text("Accept")');
    await banner(hana.page, 'it is a member now');
    await hana.context.close();

    const council = await signedIn(web, c.councilUser.email, TEST_PASSWORD);
    await council.page.goto(`/partnerships/${c.partnershipId}`);
    await council.page.click('button:has-text("Archive the partnership")');
    await banner(council.page, 'Your proposal is recorded');
    await expectAccessible(council.page, '61-partnership-proposed');
    await council.context.close();

    const icb = await signedIn(web, c.icbUser.email, TEST_PASSWORD);
    await icb.page.goto(`/partnerships/${c.partnershipId}#decisions`);
    expect(await icb.page.locator('#decisions ~ .govuk-inset-text').first().innerText()).toContain('proposes to archive the partnership');
    await icb.page.locator('button[id^="agree-"]').click();
    await banner(icb.page, 'The partnership is archived');
    await icb.page.goto(`/partnerships/${c.partnershipId}/history`);
    expect(await icb.page.locator('main').innerText()).toContain('Northshire Hospice accepted the invitation and joined');
    await expectAccessible(icb.page, '62-partnership-history');
    await icb.context.close();
  }, 90000);
});
