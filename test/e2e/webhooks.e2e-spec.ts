import { Webhook } from 'standardwebhooks';
import { WebhooksService } from '@app/webhooks';
import { Collaboration, Factory, WebhookBed, collaboration, createTestApi, cycleSteps, eventually } from '@test/support';
import { counted, deliveries } from '@app/http';

/** Webhooks to a real HTTP receiver: signed per Standard Webhooks, retried after 500s, logged, switched off, SSRF-guarded. */
describe('webhooks', () => {
  const bed = new WebhookBed();
  let c: Collaboration;

  beforeAll(async () => {
    await bed.start({ WEBHOOK_BACKOFF_MS: '100', WEBHOOK_ATTEMPTS: '5' });
    c = await collaboration(bed.factory);
  }, 60000);
  afterAll(() => bed.close());

  it('delivers every subscribed event, signed; the receiver verifies each signature; retries after 500s are logged', async () => {
    const created = await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/webhooks`, { url: `${bed.base}/partner`, events: ['*'] }).expect(201);
    expect(created.body).toMatchObject({ url: `${bed.base}/partner`, events: ['*'], active: true, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/) });
    const listed = await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks`).expect(200);
    expect(listed.body).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    await c.charityUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks`).expect(403);

    bed.receiver.answer('/partner', 500, 500);
    const [sentBefore, retriedBefore] = await Promise.all([counted(deliveries, { channel: 'webhook', outcome: 'sent' }), counted(deliveries, { channel: 'webhook', outcome: 'retried' })]);
    const id = await c.newCycle({ title: 'Webhooked' });
    await cycleSteps(c).toFraming(id);
    // CREATED, LAUNCH and REVISE_PROBLEM, each delivered once in the end.
    const seen = await eventually(
      () => bed.receiver.on('/partner').filter((r) => r.answered === 200 && JSON.parse(r.body).cycleId === id),
      (list) => list.length >= 3,
    );
    const verifier = new Webhook(created.body.secret);
    for (const delivery of seen) {
      const body = verifier.verify(delivery.body, delivery.headers as Record<string, string>) as Record<string, unknown>;
      expect(body).toMatchObject({ cycleId: id, partnershipId: c.partnershipId, seq: expect.any(Number), at: expect.any(String), payload: expect.any(Object) });
      expect(delivery.headers['webhook-signature']).toMatch(/^v1,/);
    }
    expect(seen.map((s) => JSON.parse(s.body).type).sort()).toEqual(['CREATED', 'LAUNCH', 'REVISE_PROBLEM']);
    // A tampered body fails verification.
    expect(() => verifier.verify(seen[0].body.replace('"seq":', '"seq":9'), seen[0].headers as Record<string, string>)).toThrow();
    // The receiver answers before the worker records the delivery: wait for the log to say so.
    type Delivery = { cycleId: string; status: string; attempts: number; lastStatusCode: number };
    const log = await eventually(
      async (): Promise<Delivery[]> =>
        (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks/${created.body.id}/deliveries`).expect(200)).body.items.filter((d: { cycleId: string }) => d.cycleId === id),
      (items) => items.length === 3 && items.every((d) => d.status !== 'pending'),
    );
    expect(log.map((d) => [d.status, d.lastStatusCode])).toEqual([
      ['delivered', 200],
      ['delivered', 200],
      ['delivered', 200],
    ]);
    // The two 500s were tried again: three deliveries took five tries in all.
    expect(log.reduce((sum, d) => sum + d.attempts, 0)).toBe(5);
    expect(bed.receiver.on('/partner').filter((r) => r.answered === 500)).toHaveLength(2);
    // The metrics count them: three sent, two retried.
    expect(await counted(deliveries, { channel: 'webhook', outcome: 'sent' })).toBeGreaterThanOrEqual(sentBefore + 3);
    expect(await counted(deliveries, { channel: 'webhook', outcome: 'retried' })).toBeGreaterThanOrEqual(retriedBefore + 2);
  });

  it('switches a webhook off after 20 failures in a row and tells the commissioners', async () => {
    bed.receiver.alwaysAnswer('/broken', 500);
    const hook = await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/webhooks`, { url: `${bed.base}/broken`, events: ['REVISE_PROBLEM'] }).expect(201);
    const id = await c.newCycle({ title: 'Broken receiver' });
    await cycleSteps(c).toFraming(id);
    for (let n = 2; n <= 4; n++) await cycleSteps(c).ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: `Version ${n}` });
    const [listed] = await eventually(
      async (): Promise<{ active: boolean; disabledAt: string | null }[]> =>
        (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks`).expect(200)).body.filter((w: { id: string }) => w.id === hook.body.id),
      (list) => list[0]?.active === false,
      30000,
    );
    expect(listed.disabledAt).toEqual(expect.any(String));
    expect(bed.receiver.on('/broken')).toHaveLength(20);
    const notes = (await c.icbUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items;
    expect(notes).toContainEqual(expect.objectContaining({ kind: 'webhook-disabled', text: expect.stringContaining(`${bed.base}/broken`) }));
  });

  it('refuses private addresses without WEBHOOK_ALLOW_PRIVATE, and checks the address again at delivery', async () => {
    const strict = await createTestApi({ config: (config) => ({ ...config, webhooks: { ...config.webhooks, allowPrivate: false } }) });
    try {
      const { factory: f } = { factory: await Factory.create(strict.http) };
      const council = await f.organisation('commissioner');
      const officer = await f.user(council);
      const partnership = (await officer.as.post('/v1/partnerships', { name: 'Strict', memberOrganisationIds: [] }).expect(201)).body;
      // Only https on 443 (or 80), and only public addresses.
      const refuse = async (url: string) => (await officer.as.post(`/v1/partnerships/${partnership.id}/webhooks`, { url, events: ['*'] }).expect(400)).body.errors[0];
      expect(await refuse(`${bed.base}/inside`)).toEqual({ field: 'url', message: 'must be an https:// URL' });
      expect(await refuse('https://partner.example.org:6379/inside')).toEqual({ field: 'url', message: 'must use port 443 (or 80)' });
      expect(await refuse('https://127.0.0.1/inside')).toMatchObject({ field: 'url', message: expect.stringContaining('a loopback address: webhooks go to public addresses only') });
      // A delivery to a webhook registered while private addresses were allowed is refused now, and nothing reaches the receiver.
      const hook = await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/webhooks`, { url: `${bed.base}/inside`, events: ['CANCEL'] }).expect(201);
      await bed.stopWorker();
      const id = await c.newCycle({ title: 'Inside' });
      await cycleSteps(c).ok(c.councilUser.as, id, { type: 'CANCEL', reason: 'Testing' });
      const [delivery] = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks/${hook.body.id}/deliveries`).expect(200)).body.items;
      await expect(strict.app.get(WebhooksService).deliver(delivery.id, 1, true)).rejects.toThrow(/must be an https:\/\/ URL/);
      expect(bed.receiver.on('/inside')).toEqual([]);
      // What the API shows says what kind of failure it was, not where it went.
      const [logged] = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks/${hook.body.id}/deliveries`).expect(200)).body.items;
      expect(logged).toMatchObject({ status: 'failed', lastError: 'The address is not allowed: webhooks go to public https addresses only.' });
    } finally {
      await strict.close();
    }
  });
});
