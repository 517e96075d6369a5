import { CYCLE_CAPS } from '@app/domain';
import request from 'supertest';
import { Collaboration, Factory, TEST_PASSWORD, TestApi, agent, collaboration, createTestApi, cycleSteps, fromNow } from '@test/support';
import { type TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

const DAY = 24 * 3600 * 1000;
const metric = { name: 'Emergency admissions 65+', unit: 'per 1,000', baseline: 24.5, target: 20, direction: 'decrease' };

/** The collections a cycle or partnership grows are capped: past the cap, a 422 naming it, and nothing changes. */
describe('caps on collections', () => {
  const caps = { milestonesPerCycle: 3, outcomesPerPartnership: 3 };
  let setup: TestApi;
  let api: TestApi;
  let c: Collaboration;

  beforeAll(async () => {
    setup = await createTestApi();
    api = await createTestApi({ config: (config) => ({ ...config, caps }) });
    c = await collaboration(await Factory.create(setup.http));
  }, 60000);
  afterAll(async () => {
    await Promise.all([setup.close(), api.close()]);
  });

  it(`holds at most ${CYCLE_CAPS.revisions} revisions of a cycle's problem: the next is a 422 naming the cap`, async () => {
    const steps = cycleSteps(c);
    const id = await c.newCycle();
    await steps.ok(c.councilUser.as, id, { type: 'LAUNCH' });
    const as = agent(api.http, c.charityUser.as.token);
    for (let i = 1; i <= CYCLE_CAPS.revisions; i++) await as.post(`/v1/cycles/${id}/events`, { type: 'REVISE_PROBLEM', statement: `Revision ${i}` }).expect(200);
    const refused = await as.post(`/v1/cycles/${id}/events`, { type: 'REVISE_PROBLEM', statement: 'One more' }).expect(422);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toMatch(/at most 500 revisions/);
    const view = (await as.get(`/v1/cycles/${id}?view=full`).expect(200)).body;
    expect(view.problem.revisions).toHaveLength(CYCLE_CAPS.revisions);
  }, 120000);

  it('holds at most MAX_MILESTONES_PER_CYCLE milestones (cancelled ones count): the next is a 422 naming the cap, with no history entry', async () => {
    const id = await c.newCycle();
    const as = agent(api.http, c.councilUser.as.token);
    const ids: string[] = [];
    for (let i = 0; i < caps.milestonesPerCycle; i++) ids.push((await as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: fromNow(DAY + i * 1000) }).expect(201)).body.id);
    await as.delete(`/v1/cycles/${id}/milestones/${ids[0]}`).expect((res) => expect(res.status).toBeLessThan(300));
    const history = (await as.get(`/v1/cycles/${id}/history`).expect(200)).body;
    const refused = await as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: fromNow(2 * DAY) }).expect(422);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toBe('A cycle holds at most 3 milestones (MAX_MILESTONES_PER_CYCLE), and this one has them all (cancelled ones count: they stay in its calendar).');
    expect((await as.get(`/v1/cycles/${id}/milestones`).expect(200)).body).toHaveLength(caps.milestonesPerCycle);
    expect((await as.get(`/v1/cycles/${id}/history`).expect(200)).body).toHaveLength(history.length);
  });

  it('holds at most MAX_OUTCOMES_PER_PARTNERSHIP outcomes, however many are added at once: the rest are a 422 naming the cap', async () => {
    const p = await (await Factory.create(setup.http)).partnership();
    const as = agent(api.http, p.commissioner.as.token);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => as.post(`/v1/partnerships/${p.id}/outcomes`, { title: `Outcome ${i}`, metrics: [metric] })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 201, 422, 422, 422]);
    const refused = answers.find((a) => a.status === 422)!;
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toBe('A partnership holds at most 3 outcomes (MAX_OUTCOMES_PER_PARTNERSHIP), and this one has them all.');
    expect((await as.get(`/v1/partnerships/${p.id}`).expect(200)).body.outcomes).toHaveLength(caps.outcomesPerPartnership);
  });

  it('says so in the web app, on the form, with the GOV.UK error summary', async () => {
    const p = await (await Factory.create(setup.http)).partnership();
    const as = agent(setup.http, p.commissioner.as.token);
    for (let i = 0; i < caps.outcomesPerPartnership; i++) await as.post(`/v1/partnerships/${p.id}/outcomes`, { title: `Outcome ${i}`, metrics: [metric] }).expect(201);
    const cycleId = await c.newCycle();
    const anchor = (await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'Budget setting', date: fromNow(30 * DAY).slice(0, 10) }).expect(201)).body;
    for (let i = 0; i < caps.milestonesPerCycle; i++) await c.councilUser.as.post(`/v1/cycles/${cycleId}/milestones`, { kind: 'framingDue', dueAt: fromNow(DAY + i * 1000) }).expect(201);
    const web = await createWebApp({ config: (config) => ({ ...config, caps }) });
    try {
      const http = web.app.getHttpServer();
      const commissioner = await signInOverHttp({ app: web.app } as TestWeb, p.commissioner.email, TEST_PASSWORD);
      const outcome = { _csrf: commissioner.csrf, title: 'One more', metric: 'Admissions', unit: '%', baseline: '10', target: '5', direction: 'decrease' };
      const refused = await request(http).post(`/partnerships/${p.id}/outcomes`).set('Cookie', commissioner.cookie).type('form').send(outcome).expect(422);
      expect(refused.text).toContain('govuk-error-summary');
      expect(refused.text).toContain('A partnership holds at most 3 outcomes (MAX_OUTCOMES_PER_PARTNERSHIP), and this one has them all.');
      const council = await signInOverHttp({ app: web.app } as TestWeb, c.councilUser.email, TEST_PASSWORD);
      const milestone = { _csrf: council.csrf, kind: 'framingDue', anchorId: anchor.id, offset: '-3' };
      const full = await request(http).post(`/cycles/${cycleId}/milestones`).set('Cookie', council.cookie).type('form').send(milestone).expect(400);
      expect(full.text).toContain('govuk-error-summary');
      expect(full.text).toContain('A cycle holds at most 3 milestones (MAX_MILESTONES_PER_CYCLE)');
    } finally {
      await web.app.close();
    }
  });
});
