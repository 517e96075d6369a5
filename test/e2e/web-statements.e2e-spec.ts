import request from 'supertest';
import { Factory, TEST_PASSWORD, TestApi, TestUser, createTestApi } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, createWebApp, screenshot, signInOverHttp } from '@test/support/test-web';

/**
 * The legal pages (issue 34, part 6): the accessibility statement and the cookies page answer
 * anyone without a session, pass axe in Chromium, and every page's footer links to them and to the
 * privacy notice. The cookies page names the cookies the app really sets, with their lifetimes.
 */
describe('the accessibility statement and the cookies page', () => {
  let api: TestApi;
  let web: TestWeb;
  let user: TestUser;

  beforeAll(async () => {
    api = await createTestApi();
    web = await createTestWeb();
    const factory = await Factory.create(api.http);
    user = await factory.user(await factory.organisation('commissioner', 'Northshire County Council'), 'Priya Shah');
  }, 60000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  const http = () => request(web.app.getHttpServer());
  const FOOTER = [
    ['/accessibility', 'Accessibility statement'],
    ['/privacy', 'Privacy'],
    ['/cookies', 'Cookies'],
  ];
  const footerLinks = (html: string) => {
    const footer = html.slice(html.indexOf('<footer'));
    return FOOTER.filter(([href, text]) => new RegExp(`<a class="govuk-footer__link" href="${href}">${text}</a>`).test(footer)).map(([href]) => href);
  };

  it('answers 200 without a session, for anyone, with the statement’s parts', async () => {
    const statement = await http().get('/accessibility').expect(200);
    expect(statement.headers['set-cookie']).toBeUndefined();
    for (const part of [
      'Accessibility statement for Cocommission',
      'How accessible this website is',
      'Feedback and contact information',
      'Enforcement procedure',
      'Equality Advisory and Support Service',
      'Technical information about this website’s accessibility',
      'partially compliant with the',
      'Web Content Accessibility Guidelines version 2.2',
      'Non-accessible content',
      'What we’re doing to improve accessibility',
      'Preparation of this accessibility statement',
      'axe-core',
      '375 pixels wide',
    ]) {
      expect(statement.text).toContain(part);
    }
    // The session's real lifetime (WEB_SESSION_TTL_SECONDS, 8 hours by default) is the known issue it names.
    expect(statement.text).toContain('Your sign-in ends 8 hours after you sign in');

    const cookies = await http().get('/cookies').expect(200);
    expect(cookies.headers['set-cookie']).toBeUndefined();
    expect(cookies.text).toContain('We do not use Google Analytics or any other analytics service');
    for (const name of ['cocommission_session', 'cocommission_sign_in', 'cocommission_oidc']) expect(cookies.text).toContain(`<code>${name}</code>`);
    expect(cookies.text).toContain('8 hours, or until you sign out');
    expect(cookies.text).toContain('1 hour, or until you sign in');
    expect(cookies.text).toContain('10 minutes, or until the sign-in finishes');
  });

  it('names who runs the service and where to report a problem, once SERVICE_OPERATOR and CONTACT_EMAIL are set', async () => {
    const unset = await http().get('/accessibility').expect(200);
    expect(unset.text).toContain('tell the person who invited you, or your organisation’s Cocommission administrator');
    const { app } = await createWebApp({ config: (config) => ({ ...config, site: { operator: 'Northshire County Council', contactEmail: 'accessibility@northshire.gov.uk' } }) });
    try {
      const statement = await request(app.getHttpServer()).get('/accessibility').expect(200);
      expect(statement.text).toContain('This website is run by Northshire County Council.');
      expect(statement.text).toContain('Northshire County Council is committed to making its website accessible');
      expect(statement.text).toContain('<a class="govuk-link" href="mailto:accessibility@northshire.gov.uk">accessibility@northshire.gov.uk</a>');
      const cookies = await request(app.getHttpServer()).get('/cookies').expect(200);
      expect(cookies.text).toContain('mailto:accessibility@northshire.gov.uk');
    } finally {
      await app.close();
    }
  });

  it('names the cookies the app really sets, with the lifetimes it gives them', async () => {
    const form = await http().get('/sign-in').expect(200);
    const signIn = [form.headers['set-cookie']].flat().find((c) => c?.startsWith('cocommission_sign_in='))!;
    expect(signIn).toMatch(/Max-Age=3600;/);
    expect(signIn).toMatch(/HttpOnly/);
    expect(signIn).toMatch(/SameSite=Lax/);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const signedIn = await http().post('/sign-in').set('Cookie', signIn.split(';')[0]).type('form').send({ _csrf: token, email: user.email, password: TEST_PASSWORD, next: '/' }).expect(303);
    const set = [signedIn.headers['set-cookie']].flat() as string[];
    const session = set.find((c) => c.startsWith('cocommission_session='))!;
    expect(Number(/Max-Age=(\d+)/.exec(session)![1])).toBeGreaterThan(8 * 3600 - 60);
    expect(Number(/Max-Age=(\d+)/.exec(session)![1])).toBeLessThanOrEqual(8 * 3600);
    expect(session).toMatch(/HttpOnly/);
    // Every cookie the sign-in sets is on the page (the sign-in form's is cleared).
    const cookies = await http().get('/cookies').expect(200);
    for (const cookie of set) expect(cookies.text).toContain(`<code>${cookie.split('=')[0]}</code>`);
  });

  it('links every page’s footer to the statement, the privacy notice and the cookies page: public and signed in', async () => {
    for (const path of ['/sign-in', '/accessibility', '/cookies'])
      expect({ path, links: footerLinks((await http().get(path).expect(200)).text) }).toEqual({ path, links: FOOTER.map(([href]) => href) });
    const { cookie } = await signInOverHttp(web, user.email, TEST_PASSWORD);
    for (const path of ['/', '/partnerships', '/account']) {
      const page = await http().get(path).set('Cookie', cookie).expect(200);
      expect({ path, links: footerLinks(page.text) }).toEqual({ path, links: FOOTER.map(([href]) => href) });
    }
    // Signed in, the statement keeps the person's own frame, and is not kept by a cache.
    const statement = await http().get('/accessibility').set('Cookie', cookie).expect(200);
    expect(statement.text).toContain('Sign out');
    expect(statement.headers['cache-control']).toBe('no-store');
  });

  it('passes axe in Chromium, signed out and on a phone-sized screen', async () => {
    for (const viewport of [
      { width: 1100, height: 900 },
      { width: 375, height: 740 },
    ]) {
      const context = await web.browser.newContext({ baseURL: web.base, viewport });
      context.setDefaultTimeout(10000);
      try {
        const page = await context.newPage();
        for (const [path, heading] of [
          ['/accessibility', 'Accessibility statement for Cocommission'],
          ['/cookies', 'Cookies'],
        ]) {
          expect((await page.goto(path))?.status()).toBe(200);
          await page.getByRole('heading', { level: 1, name: heading }).waitFor();
          await screenshot(page, `legal${path.replace('/', '-')}-${viewport.width}`);
          expect({ path, problems: await accessibilityProblems(page) }).toEqual({ path, problems: [] });
          expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
        }
        // The footer's links lead to them.
        await page.getByRole('link', { name: 'Accessibility statement' }).click();
        await page.waitForURL((url) => url.pathname === '/accessibility');
      } finally {
        await context.close();
      }
    }
  });
});
