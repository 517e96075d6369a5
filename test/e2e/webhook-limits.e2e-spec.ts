import { createServer } from 'node:net';
import request from 'supertest';
import { Collaboration, TEST_PASSWORD, WebhookBed, collaboration, cycleSteps, eventually } from '@test/support';
import { TestWeb, createTestWeb, signInOverHttp } from '@test/support/test-web';

/**
 * Webhooks do not amplify (issue 31): at most 10 on per partnership, one per address, deliveries
 * to one host paced (held back and sent later, never dropped), and failures shown in general terms.
 */
describe('webhooks do not amplify', () => {
  const bed = new WebhookBed();
  // One try each: a delivery held back by the host's pace must not use it up. The worker starts later.
  beforeAll(() => bed.start({ WEBHOOK_BACKOFF_MS: '100', WEBHOOK_ATTEMPTS: '1', WEBHOOK_HOST_RATE: '2', WEBHOOK_HOST_WINDOW_SECONDS: '1' }, { worker: false }), 60000);
  afterAll(() => bed.close());

  const hooks = (c: Collaboration) => `/v1/partnerships/${c.partnershipId}/webhooks`;

  it('refuses an 11th webhook in a partnership (422), and takes one again once another is removed', async () => {
    const c = await collaboration(bed.factory);
    const made: string[] = [];
    for (let n = 1; n <= 10; n++) made.push((await c.councilUser.as.post(hooks(c), { url: `${bed.base}/cap/${n}`, events: ['*'] }).expect(201)).body.id);
    const refused = await c.icbUser.as.post(hooks(c), { url: `${bed.base}/cap/11`, events: ['*'] }).expect(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 422, title: expect.any(String), detail: expect.stringContaining('at most 10 webhooks') });
    expect((await c.councilUser.as.get(hooks(c)).expect(200)).body).toHaveLength(10);
    await c.councilUser.as.delete(`${hooks(c)}/${made[0]}`).expect(204);
    await c.icbUser.as.post(hooks(c), { url: `${bed.base}/cap/11`, events: ['*'] }).expect(201);
  });

  it('refuses a second webhook to the same address in a partnership (409); another path, or another partnership, is fine', async () => {
    const c = await collaboration(bed.factory);
    await c.councilUser.as.post(hooks(c), { url: `${bed.base}/same`, events: ['*'] }).expect(201);
    const twice = await c.icbUser.as.post(hooks(c), { url: `${bed.base}/same`, events: ['LAUNCH'] }).expect(409);
    expect(twice.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(twice.body).toMatchObject({ status: 409, detail: expect.stringContaining(`already goes to ${bed.base}/same`) });
    await c.icbUser.as.post(hooks(c), { url: `${bed.base}/other`, events: ['*'] }).expect(201);
    const elsewhere = await collaboration(bed.factory);
    await elsewhere.councilUser.as.post(hooks(elsewhere), { url: `${bed.base}/same`, events: ['*'] }).expect(201);
    expect((await c.councilUser.as.get(hooks(c)).expect(200)).body.map((w: { url: string }) => w.url)).toEqual([`${bed.base}/same`, `${bed.base}/other`]);
  });

  it('on the web page: a second webhook to an address is refused in the form (409), and one switched off says why', async () => {
    const web: TestWeb = await createTestWeb();
    try {
      const http = web.app.getHttpServer();
      const { id, council, commissioner } = await bed.factory.partnership();
      const colleague = await bed.factory.user(council);
      await colleague.as.post(`/v1/partnerships/${id}/webhooks`, { url: `${bed.base}/web`, events: ['*'] }).expect(201);
      await bed.factory.admin.patch(`/v1/users/${colleague.id}`, { active: false }).expect(200);
      await commissioner.as.post(`/v1/partnerships/${id}/webhooks`, { url: `${bed.base}/web-again`, events: ['*'] }).expect(201);
      const me = await signInOverHttp(web, commissioner.email, TEST_PASSWORD);
      const page = await request(http).get(`/partnerships/${id}`).set('Cookie', me.cookie).expect(200);
      expect(page.text).toContain('The person who made it was deactivated.');
      const twice = await request(http)
        .post(`/partnerships/${id}/webhooks`)
        .set('Cookie', me.cookie)
        .type('form')
        .send({ _csrf: me.csrf, url: `${bed.base}/web-again`, events: '' })
        .expect(409);
      expect(twice.text).toContain('govuk-error-summary');
      expect(twice.text).toContain(`already goes to ${bed.base}/web-again`);
    } finally {
      await web.close();
    }
  });

  it('paces deliveries to one host (2 a second here): those over it wait and all arrive, none using up its one try', async () => {
    const c = await collaboration(bed.factory);
    const hook = (await c.councilUser.as.post(hooks(c), { url: `${bed.base}/paced`, events: ['*'] }).expect(201)).body;
    const id = await c.newCycle({ title: 'Paced' });
    await cycleSteps(c).toFraming(id);
    for (let n = 2; n <= 4; n++) await cycleSteps(c).ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: `Version ${n}` });
    // Six deliveries waiting (CREATED, LAUNCH, four revisions) when the worker starts.
    await bed.startWorker();
    // The first arrival of each delivery (a worker that stalls may post one again: at least once).
    const firsts = () => [
      ...new Map(
        bed.receiver
          .on('/paced')
          .reverse()
          .map((r) => [r.headers['webhook-id'], r.at]),
      ).values(),
    ];
    const at = (await eventually(firsts, (list) => list.length >= 6, 30000)).sort((a, b) => a - b);
    // Two a window at most: six take three windows, and no second holds more than two windows' worth.
    expect(at[5] - at[0]).toBeGreaterThanOrEqual(900);
    for (const t of at) expect(at.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(4);
    const log = await eventually(
      async () => (await c.councilUser.as.get(`${hooks(c)}/${hook.id}/deliveries`).expect(200)).body.items as { status: string; attempts: number }[],
      (items) => items.every((d) => d.status !== 'pending'),
    );
    expect(log.map((d) => [d.status, d.attempts])).toEqual(Array(6).fill(['delivered', 1]));
  });

  it('shows a failed delivery in general terms: no address, port or network code in what the API answers', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    await bed.startWorker();
    const c = await collaboration(bed.factory);
    const hook = (await c.councilUser.as.post(hooks(c), { url: `http://127.0.0.1:${closed}/nobody`, events: ['CREATED'] }).expect(201)).body;
    await c.newCycle({ title: 'Nobody listens' });
    const res = await eventually(
      () => c.councilUser.as.get(`${hooks(c)}/${hook.id}/deliveries`).expect(200),
      (r) => r.body.items[0]?.status === 'failed',
    );
    expect(res.body.items[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null, lastError: 'The receiver refused the connection.' });
    expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4,5}\b/);
  });
});
