import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { AppConfig } from '@app/config';
import { Factory, TEST_PASSWORD, TestApi, createTestApi } from '@test/support';
import { TestOidc, startTestOidc } from '@test/support/test-oidc';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signInOverHttp, signedIn } from '@test/support/test-web';

/** A free loopback port: the web app's own address must be known before it starts (the provider sends the browser back to it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** In Chromium: a lead connects the organisation's provider on its page, and a colleague signs in through it. */
describe('sign-in with an identity provider, in a browser', () => {
  let api: TestApi;
  let factory: Factory;
  let web: TestWeb;
  let idp: TestOidc;

  beforeAll(async () => {
    const port = await freePort();
    const config = (c: AppConfig): AppConfig => ({ ...c, oidc: { ...c.oidc, allowInsecureIssuer: true }, mail: { ...c.mail, publicWebUrl: `http://127.0.0.1:${port}` } });
    api = await createTestApi({ config });
    factory = await Factory.create(api.http);
    web = await createTestWeb({ config, port });
    idp = await startTestOidc();
    // Three processes' worth of start (the API, the web app with its browser, the provider's child process).
  }, 90000);
  afterAll(async () => {
    await idp?.stop();
    await web?.close();
    await api?.close();
  });

  it('the lead connects the provider; a colleague chooses “Sign in with …”, signs in at the provider and is signed in here', async () => {
    const org = await factory.organisation('commissioner', `Northshire Council ${randomUUID().slice(0, 6)}`);
    const lead = await factory.lead(org);
    const domain = `northshire-${randomUUID().slice(0, 6)}.gov.uk`;
    const client = await idp.client(`${web.base}/sign-in/oidc/callback`);

    // Someone else's organisation's page is not theirs (the API's 403).
    const member = await factory.user(org);
    const { cookie } = await signInOverHttp(web, member.email, TEST_PASSWORD);
    await request(web.app.getHttpServer()).get(`/organisations/${org.id}/identity-provider`).set('Cookie', cookie).expect(403);

    const { context, page } = await signedIn(web, lead.email, TEST_PASSWORD);
    await page.goto('/people');
    await page.click('text=How your organisation’s people sign in');
    expect(await page.textContent('h1')).toContain(`How ${org.name}’s people sign in`);
    expect(await page.textContent('main')).toContain(`${web.base}/sign-in/oidc/callback`);
    await page.fill('#idp-issuer', idp.issuer);
    await page.fill('#idp-client-id', client.clientId);
    await page.fill('#idp-client-secret', client.clientSecret);
    await page.fill('#idp-domains', domain);
    await page.click('button:has-text("Save identity provider")');
    await page.waitForURL(/done=saved/);
    expect(await page.textContent('main')).toContain('The identity provider is saved');
    expect(await page.content()).not.toContain(client.clientSecret);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'identity-provider');
    await context.close();

    await idp.account({ sub: 'colleague-1', email: `sam.okafor@${domain}`, email_verified: true, name: 'Sam Okafor' });
    const visitor = await web.browser.newContext({ baseURL: web.base, viewport: { width: 1100, height: 900 } });
    visitor.setDefaultTimeout(10000);
    const tab = await visitor.newPage();
    await tab.goto('/sign-in');
    expect(await accessibilityProblems(tab)).toEqual([]);
    await screenshot(tab, 'sign-in-with-provider');
    await tab.click(`text=Sign in with ${org.name}`);
    await tab.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`));
    await tab.fill('#login', 'colleague-1');
    await tab.click('button:has-text("Continue")');
    await tab.waitForURL((url) => url.href.startsWith(web.base) && !url.pathname.startsWith('/sign-in'));
    expect(await tab.textContent('body')).toContain('Sam Okafor');

    // Signed in by the provider, they make a token for a script on their account page.
    await tab.goto('/account');
    expect(await tab.textContent('main')).toContain('you have no password here');
    await tab.fill('#token-name', 'Weekly report script');
    await tab.check('#token-scope');
    await tab.click('button:has-text("Make token")');
    const token = (await tab.textContent('#new-token'))!.trim();
    expect(token).toMatch(/^cct_/);
    expect(await accessibilityProblems(tab)).toEqual([]);
    await screenshot(tab, 'account-tokens');
    await request(api.http).get('/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    await visitor.close();
  });
});
