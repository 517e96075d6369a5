import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { Collaboration, Factory, TEST_PASSWORD, TestApi, TestUser, cycleSteps, startCollaboration } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signInOverHttp } from '@test/support/test-web';

/** A CSV body parsed back (RFC 4180): the header row, then the rows as objects by column. */
function csvOf(res: request.Response): { header: string[]; rows: Record<string, string>[] } {
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.csv"$/);
  const text = res.text;
  // Excel's UTF-8 mark, then CRLF line ends.
  expect(text.startsWith('\uFEFF')).toBe(true);
  expect(text.endsWith('\r\n')).toBe(true);
  const records: string[][] = parse(text, { bom: true, relax_column_count: false });
  const [header, ...rows] = records;
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}

const TRICKY = 'Calls, visits and "warm spaces"\nhelped most';
const FORMULA = '=HYPERLINK("http://evil.example","click")';

describe('open data: CSV downloads, outcomes across cycles, the public page', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;
  let first: string;
  let second: string;
  let outsider: TestUser;
  let metricId: string;
  let web: TestWeb;

  beforeAll(async () => {
    ({ api, factory, c, steps } = await startCollaboration());
    web = await createTestWeb();
    metricId = c.outcome.metrics[0].id;
    outsider = await factory.user(await factory.organisation('commissioner', 'Southshire Council'));

    // The first cycle: a pledge, a decision that commits some of it, progress with readings, learning.
    first = await c.newCycle({ title: 'Winter, first go' });
    await steps.ok(c.councilUser.as, first, { type: 'PLEDGE', kind: 'cash', amountPence: 4_000_050, description: 'Prevention budget' });
    const optionId = await steps.toDeciding(first);
    const proposed = await steps.ok(c.icbUser.as, first, {
      type: 'PROPOSE_DECISION',
      optionIds: [optionId],
      rationale: 'Quickest to start, and residents asked for it',
      allocations: [{ optionId, organisationId: c.orgs.council.id, amountPence: 1_000_000 }],
    });
    for (const u of c.coOwners) await steps.ok(u.as, first, { type: 'CONSENT', proposalId: proposed.decision.proposals[0].id });
    await steps.ok(c.charityUser.as, first, { type: 'RECORD_PROGRESS', note: TRICKY, readings: [{ metric: metricId, value: 23.5 }] });
    await steps.ok(c.charityUser.as, first, { type: 'RECORD_PROGRESS', note: FORMULA, readings: [{ metric: metricId, value: 22 }] });
    await steps.ok(c.councilUser.as, first, { type: 'START_REVIEW' });
    await steps.ok(c.panel[0].as, first, { type: 'RECORD_LEARNING', insight: TRICKY, evidence: FORMULA, recommendation: 'adapt' });
    await steps.ok(c.charityUser.as, first, { type: 'RECORD_LEARNING', insight: '-1 admissions a week', evidence: '@ICB data', recommendation: 'continue' });

    // A second cycle of the same partnership, later, with a reading of the same metric.
    second = await c.newCycle({ title: 'Winter, second go' });
    await steps.toDelivering(second);
    await steps.ok(c.forumUser.as, second, { type: 'RECORD_PROGRESS', note: 'Second winter', readings: [{ metric: metricId, value: 21 }] });
  }, 120000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  describe('CSV downloads over the API', () => {
    it("gives a cycle's history, every entry, with the payload's text round-tripping and formulas neutralised", async () => {
      const json = (await c.councilUser.as.get(`/v1/cycles/${first}/history`).expect(200)).body as { seq: number; type: string; at: string; hash: string }[];
      const res = await c.councilUser.as.get(`/v1/cycles/${first}/history.csv`).expect(200);
      const { header, rows } = csvOf(res);
      expect(header).toEqual(['seq', 'at', 'type', 'organisationId', 'organisation', 'representative', 'actorUserId', 'fromState', 'toState', 'summary', 'payload', 'hash']);
      expect(rows.map((r) => [Number(r.seq), r.type, r.at, r.hash])).toEqual(json.map((e) => [e.seq, e.type, e.at, e.hash]));
      const progress = rows.filter((r) => r.type === 'RECORD_PROGRESS');
      expect(progress[0]).toMatchObject({ organisation: 'Age Well Northshire', fromState: 'delivering', toState: 'delivering', representative: 'no' });
      expect(progress[0].summary).toBe(`note: ${TRICKY}`);
      expect(JSON.parse(progress[0].payload)).toEqual({ note: TRICKY, readings: [{ metric: metricId, value: 23.5 }] });
      // The summary starts with "note:", so it is safe; a payload cell is JSON and starts with "{".
      expect(progress[1].summary).toBe(`note: ${FORMULA}`);
      expect(res.text).toContain('"note: Calls, visits and ""warm spaces""\nhelped most"');
    });

    it("gives the partnership's learning, with a comma, quotes and a line break in a cell and formula-looking cells quoted", async () => {
      const res = await c.forumUser.as.get(`/v1/partnerships/${c.partnershipId}/learning.csv`).expect(200);
      const { header, rows } = csvOf(res);
      expect(header).toEqual(['cycleId', 'cycle', 'iteration', 'at', 'writtenBy', 'organisationId', 'organisation', 'recommendation', 'insight', 'evidence']);
      expect(rows).toEqual([
        expect.objectContaining({
          cycleId: first,
          cycle: 'Winter, first go',
          iteration: '1',
          writtenBy: 'panel',
          organisation: "Northshire Residents' Forum",
          recommendation: 'adapt',
          insight: TRICKY,
          evidence: `'${FORMULA}`,
        }),
        expect.objectContaining({ cycleId: first, writtenBy: 'co-owner', organisation: 'Age Well Northshire', recommendation: 'continue', insight: "'-1 admissions a week", evidence: "'@ICB data" }),
      ]);
    });

    it('gives every metric reading across cycles with its baseline and target', async () => {
      const res = await c.icbUser.as.get(`/v1/partnerships/${c.partnershipId}/readings.csv`).expect(200);
      const { header, rows } = csvOf(res);
      expect(header).toEqual([
        'cycleId',
        'cycle',
        'iteration',
        'seq',
        'recordedAt',
        'organisationId',
        'organisation',
        'outcome',
        'metricId',
        'metric',
        'unit',
        'value',
        'baseline',
        'target',
        'direction',
      ]);
      expect(rows.map((r) => [r.cycle, r.organisation, r.metric, r.unit, r.value, r.baseline, r.target, r.direction])).toEqual([
        ['Winter, first go', 'Age Well Northshire', 'Emergency admissions 65+', 'per 1,000', '23.5', '24.5', '20', 'decrease'],
        ['Winter, first go', 'Age Well Northshire', 'Emergency admissions 65+', 'per 1,000', '22', '24.5', '20', 'decrease'],
        ['Winter, second go', "Northshire Residents' Forum", 'Emergency admissions 65+', 'per 1,000', '21', '24.5', '20', 'decrease'],
      ]);
      expect(new Set(rows.map((r) => r.metricId))).toEqual(new Set([metricId]));
      expect(rows.every((r) => !Number.isNaN(Date.parse(r.recordedAt)))).toBe(true);
    });

    it('gives funding per year and organisation in pounds', async () => {
      const years = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/funding`).expect(200)).body.years as { year: string }[];
      const res = await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/funding.csv`).expect(200);
      const { header, rows } = csvOf(res);
      expect(header).toEqual(['year', 'organisationId', 'organisation', 'pledgedPounds', 'committedPounds']);
      expect(rows).toEqual([{ year: years[0].year, organisationId: c.orgs.council.id, organisation: 'Northshire County Council', pledgedPounds: '40000.50', committedPounds: '10000.00' }]);
    });

    it('answers 401 without a token and 404 to whoever may not see the data, in the API error format', async () => {
      for (const path of [
        `/v1/cycles/${first}/history.csv`,
        `/v1/partnerships/${c.partnershipId}/learning.csv`,
        `/v1/partnerships/${c.partnershipId}/readings.csv`,
        `/v1/partnerships/${c.partnershipId}/funding.csv`,
      ]) {
        const anonymous = await factory.anonymous().get(path);
        expect({ path, status: anonymous.status, type: anonymous.headers['content-type'] }).toEqual({ path, status: 401, type: expect.stringContaining('application/problem+json') });
        const stranger = await outsider.as.get(path);
        expect({ path, status: stranger.status, type: stranger.headers['content-type'] }).toEqual({ path, status: 404, type: expect.stringContaining('application/problem+json') });
      }
      await c.councilUser.as.get('/v1/cycles/not-a-cycle/history.csv').expect(404);
      await c.councilUser.as.get('/v1/partnerships/00000000-0000-4000-8000-000000000000/funding.csv').expect(404);
    });

    it('lists the downloads in the OpenAPI document as text/csv', async () => {
      const doc = (await factory.anonymous().get('/docs-json').expect(200)).body;
      for (const path of ['/v1/cycles/{id}/history.csv', '/v1/partnerships/{id}/learning.csv', '/v1/partnerships/{id}/readings.csv', '/v1/partnerships/{id}/funding.csv']) {
        expect(Object.keys(doc.paths[path].get.responses['200'].content)).toEqual(['text/csv']);
      }
    });
  });

  describe('in the web app', () => {
    it('downloads the same CSV for signed-in people, linked from the cycle and partnership pages', async () => {
      const http = web.app.getHttpServer();
      const { cookie } = await signInOverHttp(web, c.councilUser.email, TEST_PASSWORD);
      const cyclePage = await request(http).get(`/cycles/${first}`).set('Cookie', cookie).expect(200);
      expect(cyclePage.text).toContain(`href="/cycles/${first}/history.csv"`);
      const partnershipPage = await request(http).get(`/partnerships/${c.partnershipId}`).set('Cookie', cookie).expect(200);
      for (const file of ['learning', 'readings', 'funding']) expect(partnershipPage.text).toContain(`href="/partnerships/${c.partnershipId}/${file}.csv"`);

      const fromWeb = csvOf(await request(http).get(`/partnerships/${c.partnershipId}/learning.csv`).set('Cookie', cookie).expect(200));
      const fromApi = csvOf(await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/learning.csv`).expect(200));
      expect(fromWeb).toEqual(fromApi);
      expect(csvOf(await request(http).get(`/cycles/${first}/history.csv`).set('Cookie', cookie).expect(200)).rows.length).toBeGreaterThan(5);
      // Without a session: to the sign-in page.
      await request(http).get(`/partnerships/${c.partnershipId}/funding.csv`).expect(303);
    });

    it("draws each metric's readings from every cycle against baseline and target on the partnership page, with a text alternative and a table", async () => {
      const http = web.app.getHttpServer();
      const { cookie } = await signInOverHttp(web, c.forumUser.email, TEST_PASSWORD);
      const page = (await request(http).get(`/partnerships/${c.partnershipId}`).set('Cookie', cookie).expect(200)).text;
      const section = page.slice(page.indexOf('id="outcomes-across-cycles"'));
      expect(section).toContain('<svg');
      expect(section).toMatch(/role="img" aria-labelledby="outcome-chart-1-caption"/);
      const caption = /<figcaption[^>]*id="outcome-chart-1-caption">([^<]*)<\/figcaption>/.exec(section)![1];
      expect(caption).toContain('Emergency admissions 65+: 3 readings from 2 cycles, the first 23.5 per 1,000');
      expect(caption).toContain('the latest 21 per 1,000');
      expect(caption).toContain('baseline 24.5 per 1,000 (grey dashes), target 20 per 1,000 (green dots); lower is better.');
      expect(caption).toContain('Cycle 1 is “Winter, first go” (iteration 1); Cycle 2 is “Winter, second go” (iteration 1)');
      const table = section.slice(section.indexOf('app-outcome-readings'));
      const cells = [...table.slice(0, table.indexOf('</table>')).matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1].trim());
      expect(cells.filter((_, i) => i % 4 !== 1)).toEqual([
        'Cycle 1: Winter, first go',
        '23.5 per 1,000',
        'Age Well Northshire',
        'Cycle 1: Winter, first go',
        '22 per 1,000',
        'Age Well Northshire',
        'Cycle 2: Winter, second go',
        '21 per 1,000',
        'Northshire Residents&#39; Forum',
      ]);
    });
  });

  describe('the public page', () => {
    const path = () => `/public/partnerships/${c.partnershipId}`;
    const agreed = 'Older people in Northshire live well at home, asked first';

    it('is not there until a commissioner member publishes it; others may not publish it', async () => {
      const http = web.app.getHttpServer();
      await request(http)
        .get(path())
        .expect(404)
        .expect('content-type', /text\/html/);
      await request(http).get('/public/partnerships/not-an-id').expect(404);
      await request(http).get('/public/partnerships/00000000-0000-4000-8000-000000000000').expect(404);
      const refused = await c.charityUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.detail).toBe('Only commissioners of the partnership publish or withdraw its public page.');
      await outsider.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(404);
      const bad = await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: 'yes' }).expect(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'public' })]);
      expect((await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200)).body.public).toBe(false);
      await request(http).get(path()).expect(404);
    });

    it('once published, shows the agreed destination, stages, decisions with rationale, learning, metrics and funding to anyone, naming no person', async () => {
      const http = web.app.getHttpServer();
      // A proposal through the partnership's fields, then another that every member agrees: the page shows the agreed one.
      await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { destination: 'Not yet agreed text', principles: ['Own principle'], horizonYear: 2030 }).expect(200);
      const agreement = (who: TestUser, body: object) => who.as.post(`/v1/partnerships/${c.partnershipId}/agreement/events`, body).expect(200);
      await agreement(c.councilUser, { type: 'PROPOSE_AGREEMENT', destination: agreed, horizonYear: 2035, principles: ['Decide with residents, not for them'] });
      const number = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/agreement`).expect(200)).body.current.number;
      for (const who of [c.councilUser, c.icbUser, c.charityUser, c.forumUser, c.facilitator, c.panel[1]]) await agreement(who, { type: 'CONSENT_AGREEMENT', number });

      // Publishing is agreed by two commissioner members (issue 31): the council proposes, the ICB agrees.
      await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(202);
      expect((await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200)).body.public).toBe(false);
      const published = await c.icbUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(200);
      expect(published.body.public).toBe(true);

      const res = await request(http).get(path()).expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.headers['set-cookie']).toBeUndefined();
      const page = res.text;
      expect(page).toContain(agreed);
      expect(page).toContain('(by 2035)');
      expect(page).toContain('Decide with residents, not for them');
      expect(page).not.toContain('Not yet agreed text');
      expect(page).toContain('Winter, first go');
      expect(page).toContain('Quickest to start, and residents asked for it');
      expect(page).toContain('Decision: Winter calls');
      expect(page).toContain('Calls, visits and &quot;warm spaces&quot;');
      expect(page).toContain('Emergency admissions 65+');
      expect(page).toContain('<svg');
      expect(page).toContain('Northshire County Council');
      expect(page).toContain('£40,000.50');
      expect(page).toContain('£10,000.00');

      // No person: none of the names, emails or ids of anyone in this test (the admin's included).
      const users = (await factory.admin.get('/v1/users').expect(200)).body as { id: string; name: string; email: string }[];
      const people = users.flatMap((u) => [u.name, u.email, u.id]);
      expect(people.length).toBeGreaterThanOrEqual(30);
      expect(people.filter((p) => page.includes(p))).toEqual([]);
      // The same page for a signed-in visitor: nothing of theirs, so a cache may keep one copy for all.
      const { cookie } = await signInOverHttp(web, c.councilUser.email, TEST_PASSWORD);
      const signedIn = await request(http).get(path()).set('Cookie', cookie).expect(200);
      expect(people.filter((p) => signedIn.text.includes(p))).toEqual([]);
      expect(signedIn.text.replace(/\s+/g, ' ')).toBe(page.replace(/\s+/g, ' '));
    });

    it('is accessible in a browser without signing in', async () => {
      const context = await web.browser.newContext({ baseURL: web.base, viewport: { width: 1100, height: 900 } });
      try {
        const page = await context.newPage();
        const response = await page.goto(path());
        expect(response?.status()).toBe(200);
        expect(await page.locator('h1').innerText()).toContain('Healthy Lives');
        await screenshot(page, '40-public-partnership');
        expect(await accessibilityProblems(page)).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('shows commissioners the link and the control on the partnership page; withdrawing it answers 404 again', async () => {
      const http = web.app.getHttpServer();
      const council = await signInOverHttp(web, c.councilUser.email, TEST_PASSWORD);
      const charity = await signInOverHttp(web, c.charityUser.email, TEST_PASSWORD);
      const councilPage = (await request(http).get(`/partnerships/${c.partnershipId}`).set('Cookie', council.cookie).expect(200)).text;
      expect(councilPage).toContain(`/public/partnerships/${c.partnershipId}`);
      expect(councilPage).toContain('Withdraw the public page');
      const charityPage = (await request(http).get(`/partnerships/${c.partnershipId}`).set('Cookie', charity.cookie).expect(200)).text;
      expect(charityPage).toContain(`/public/partnerships/${c.partnershipId}`);
      expect(charityPage).not.toContain('Withdraw the public page');
      // Not a commissioner: refused, even with a form made by hand.
      await request(http).post(`/partnerships/${c.partnershipId}/public`).set('Cookie', charity.cookie).type('form').send({ _csrf: charity.csrf, public: 'false' }).expect(403);
      await request(http).post(`/partnerships/${c.partnershipId}/public`).set('Cookie', council.cookie).type('form').send({ _csrf: council.csrf, public: 'maybe' }).expect(400);

      await request(http).post(`/partnerships/${c.partnershipId}/public`).set('Cookie', council.cookie).type('form').send({ _csrf: council.csrf, public: 'false' }).expect(303);
      await request(http).get(path()).expect(404);
      expect((await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200)).body.public).toBe(false);
      const withdrawn = (await request(http).get(`/partnerships/${c.partnershipId}`).set('Cookie', council.cookie).expect(200)).text;
      expect(withdrawn).toContain('Publish the public page');

      // Published again from the page, then archived: archiving withdraws it (nobody could withdraw it afterwards).
      await request(http).post(`/partnerships/${c.partnershipId}/public`).set('Cookie', council.cookie).type('form').send({ _csrf: council.csrf, public: 'true' }).expect(303);
      await request(http).get(path()).expect(404);
      const icb = await signInOverHttp(web, c.icbUser.email, TEST_PASSWORD);
      await request(http).post(`/partnerships/${c.partnershipId}/public`).set('Cookie', icb.cookie).type('form').send({ _csrf: icb.csrf, public: 'true' }).expect(303);
      await request(http).get(path()).expect(200);
      await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(202);
      await c.icbUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(200);
      await request(http).get(path()).expect(404);
      await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(409);
    });
  });
});
