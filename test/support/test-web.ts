import request from 'supertest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import { APP_CONFIG, type AppConfig, loadConfig } from '@app/config';
import { configureWeb } from '../../apps/web/src/bootstrap';
import { WebModule } from '../../apps/web/src/web.module';

/** Debian's Chromium (`.ci/run` installs it): browsers are not downloaded here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, '../../test-output/screenshots');

export interface TestWeb {
  app: NestExpressApplication;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The real web module on a free port of its own (no browser: for tests over plain HTTP). */
export async function createWebApp(options: { config?: (config: AppConfig) => AppConfig; port?: number } = {}): Promise<{ app: NestExpressApplication; base: string }> {
  const config = options.config ? options.config(loadConfig()) : loadConfig();
  const builder = Test.createTestingModule({ imports: [WebModule] });
  if (options.config) builder.overrideProvider(APP_CONFIG).useValue(config);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureWeb(app, config);
  await app.listen(options.port ?? 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}` };
}

/** The real web module on a free port of its own, and a headless Chromium to drive it. */
export async function createTestWeb(options: Parameters<typeof createWebApp>[0] = {}): Promise<TestWeb> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium package (bash .ci/run does) or set CHROMIUM_PATH`);
  const { app, base } = await createWebApp(options);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    app,
    base,
    browser,
    close: async () => {
      await browser.close();
      await app.close();
    },
  };
}

/** A signed-in browser context of its own (cookies apart) for one user. */
export async function signedIn(web: TestWeb, email: string, password: string, options: { javaScript?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await web.browser.newContext({ baseURL: web.base, viewport: { width: 1100, height: 900 }, javaScriptEnabled: options.javaScript ?? true });
  // Fail within the test's time, with the step that waited.
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  return { context, page };
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is now, against WCAG 2.2 A and AA: the serious and critical violations. */
export async function accessibilityProblems(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, as the page's Content-Security-Policy would refuse an injected script.
  await page.evaluate(AXE);
  // Runs in the page (a string: this project is not compiled with the DOM's types).
  const violations: AxeViolation[] = await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  })()`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A full-page screenshot for a reviewer, under test-output/screenshots (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in over plain HTTP, as a browser would: the sign-in token, then the session cookie and its form token. */
export async function signInOverHttp(web: TestWeb, email: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const http = web.app.getHttpServer();
  const form = await request(http).get('/sign-in').expect(200);
  const signInCookie = String(form.headers['set-cookie']).split(';')[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
  const res = await request(http).post('/sign-in').set('Cookie', signInCookie).type('form').send({ _csrf: token, email, password, next: '/' }).expect(303);
  const session = (res.headers['set-cookie'] as unknown as string[]).find((h) => h.startsWith('cocommission_session='))!.split(';')[0];
  const page = await request(http).get('/').set('Cookie', session).expect(200);
  return { cookie: session, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1] };
}
