import { WebhooksService } from '@app/webhooks';
import { Collaboration, TestUser, WebhookBed, asOwner, collaboration, cycleSteps, eventually } from '@test/support';

interface Listed {
  id: string;
  url: string;
  organisationId: string;
  active: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  disabledDetail: string | null;
}

/**
 * Webhooks follow access (issue 31): a webhook speaks for its maker's organisation, and stops, in
 * the same transaction, when the organisation leaves the partnership, its maker is deactivated or
 * no longer acts for it, or the partnership is archived; a delivery already queued does not go out.
 */
describe('webhooks follow access', () => {
  const bed = new WebhookBed();

  beforeAll(async () => {
    await bed.start({ WEBHOOK_BACKOFF_MS: '100', WEBHOOK_ATTEMPTS: '3' });
  }, 60000);
  afterAll(() => bed.close());

  /** A fresh collaboration with one webhook for each commissioner (the council's and the ICB's), at their own paths. */
  async function twoHooks(name: string) {
    const c = await collaboration(bed.factory);
    const make = async (as: TestUser, path: string) => (await as.as.post(`/v1/partnerships/${c.partnershipId}/webhooks`, { url: `${bed.base}${path}`, events: ['*'] }).expect(201)).body as Listed;
    const council = await make(c.councilUser, `/${name}/council`);
    const icb = await make(c.icbUser, `/${name}/icb`);
    // A cycle the ICB does not co-own, so that it may leave the partnership.
    const cycleId = await c.newCycle({ title: `${name} cycle`, commissionerOrganisationIds: [c.orgs.council.id] });
    return { c, council, icb, cycleId, councilPath: `/${name}/council`, icbPath: `/${name}/icb` };
  }

  /** The event types a path received for a cycle, sorted (deliveries run in parallel). */
  const typesAt = (path: string, cycleId: string) =>
    bed.receiver
      .on(path)
      .filter((r) => JSON.parse(r.body).cycleId === cycleId)
      .map((r) => JSON.parse(r.body).type as string)
      .sort();
  const listed = async (c: Collaboration, id: string): Promise<Listed> =>
    (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks`).expect(200)).body.find((w: Listed) => w.id === id);
  /** Sends an event and waits until the council's webhook (still on) has it: by then the other one would have had it too. */
  async function revise(c: Collaboration, cycleId: string, councilPath: string, statement: string) {
    await cycleSteps(c).ok(c.charityUser.as, cycleId, { type: 'REVISE_PROBLEM', statement });
    await eventually(
      () => bed.receiver.on(councilPath).filter((r) => JSON.parse(r.body).payload?.statement === statement),
      (list) => list.length === 1,
    );
  }

  /** The council proposes the ICB's removal and the ICB agrees (two commissioner members decide it). */
  const removeIcb = async (c: Collaboration) => {
    await c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.icb.id}`).expect(202);
    await c.icbUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.icb.id}`).expect(204);
  };

  it('binds each webhook to its maker’s organisation', async () => {
    const { c, council, icb } = await twoHooks('bound');
    expect(council).toMatchObject({ organisationId: c.orgs.council.id, active: true, disabledReason: null, disabledDetail: null });
    expect(icb).toMatchObject({ organisationId: c.orgs.icb.id, active: true });
  });

  it('switches off the webhooks of an organisation removed from the partnership, and sends it nothing more', async () => {
    const { c, icb, cycleId, councilPath, icbPath } = await twoHooks('removed');
    await cycleSteps(c).toFraming(cycleId);
    await eventually(
      () => typesAt(icbPath, cycleId),
      (types) => types.length === 3,
    );
    await removeIcb(c);
    expect(await listed(c, icb.id)).toMatchObject({
      active: false,
      disabledAt: expect.any(String),
      disabledReason: 'member-removed',
      disabledDetail: 'Its organisation was removed from the partnership.',
    });
    await revise(c, cycleId, councilPath, 'After the ICB left');
    expect(typesAt(icbPath, cycleId)).toEqual(['CREATED', 'LAUNCH', 'REVISE_PROBLEM']);
    // Added back, the organisation's old webhook stays off (its people add a new one, which then receives).
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [c.orgs.icb.id] }).expect(201);
    await bed.factory.acceptInvitations(c.partnershipId, [c.orgs.icb.id]);
    await revise(c, cycleId, councilPath, 'After the ICB came back');
    expect(await listed(c, icb.id)).toMatchObject({ active: false, disabledReason: 'member-removed' });
    expect(typesAt(icbPath, cycleId)).toHaveLength(3);
    const again = await c.icbUser.as.post(`/v1/partnerships/${c.partnershipId}/webhooks`, { url: `${bed.base}${icbPath}`, events: ['*'] }).expect(201);
    expect(again.body).toMatchObject({ active: true, organisationId: c.orgs.icb.id });
    await revise(c, cycleId, councilPath, 'With the new webhook');
    await eventually(
      () => typesAt(icbPath, cycleId),
      (types) => types.length === 4,
    );
  });

  it('does not send a delivery queued before the removal, not even if its webhook were on again', async () => {
    const { c, icb, cycleId, councilPath, icbPath } = await twoHooks('queued');
    await eventually(
      () => typesAt(icbPath, cycleId),
      (types) => types.length === 1,
    );
    await bed.stopWorker();
    try {
      await cycleSteps(c).ok(c.councilUser.as, cycleId, { type: 'LAUNCH' });
      const queued = async () =>
        (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks/${icb.id}/deliveries`).expect(200)).body.items.filter((d: { eventType: string }) => d.eventType === 'LAUNCH');
      expect(await queued()).toEqual([expect.objectContaining({ status: 'pending' })]);
      await removeIcb(c);
      // Failed with the removal, in its transaction.
      expect(await queued()).toEqual([expect.objectContaining({ status: 'failed', lastError: 'The webhook was switched off.' })]);
      // Even a webhook switched back on behind the service's back, with its delivery pending again,
      // sends nothing: the worker checks the access again at send time.
      await asOwner((m) => m.query(`UPDATE webhooks SET active = true WHERE id = $1`, [icb.id]));
      await asOwner((m) => m.query(`UPDATE webhook_deliveries SET status = 'pending' WHERE webhook_id = $1`, [icb.id]));
      const [first] = await queued();
      await expect(bed.api.app.get(WebhooksService).deliver(first.id, 1, false)).resolves.toBe('gone');
      expect(await queued()).toEqual([expect.objectContaining({ status: 'failed', lastError: 'The webhook is switched off.' })]);
      await asOwner((m) => m.query(`UPDATE webhooks SET active = false WHERE id = $1`, [icb.id]));
    } finally {
      await bed.startWorker();
    }
    await revise(c, cycleId, councilPath, 'After the worker came back');
    expect(typesAt(icbPath, cycleId)).toEqual(['CREATED']);
  });

  it('switches off the webhooks of a person deactivated', async () => {
    const { c, icb, cycleId, councilPath, icbPath } = await twoHooks('deactivated');
    await cycleSteps(c).ok(c.councilUser.as, cycleId, { type: 'LAUNCH' });
    await eventually(
      () => typesAt(icbPath, cycleId),
      (types) => types.length === 2,
    );
    await bed.factory.admin.patch(`/v1/users/${c.icbUser.id}`, { active: false }).expect(200);
    expect(await listed(c, icb.id)).toMatchObject({ active: false, disabledReason: 'creator-deactivated', disabledDetail: 'The person who made it was deactivated.' });
    await revise(c, cycleId, councilPath, 'After the ICB officer left');
    expect(typesAt(icbPath, cycleId)).toEqual(['CREATED', 'LAUNCH']);
    // Active again, the person's webhook stays off.
    await bed.factory.admin.patch(`/v1/users/${c.icbUser.id}`, { active: true }).expect(200);
    expect(await listed(c, icb.id)).toMatchObject({ active: false, disabledReason: 'creator-deactivated' });
  });

  it('keeps a webhook on when its maker becomes a lead (who may make them too), and switches it off when they stop acting for its organisation', async () => {
    const { c, council, icb, cycleId, councilPath, icbPath } = await twoHooks('role');
    await bed.factory.admin.patch(`/v1/users/${c.icbUser.id}`, { role: 'lead' }).expect(200);
    expect(await listed(c, icb.id)).toMatchObject({ active: true });
    await cycleSteps(c).ok(c.councilUser.as, cycleId, { type: 'LAUNCH' });
    await eventually(
      () => typesAt(icbPath, cycleId),
      (types) => types.length === 2,
    );
    // No route moves a person to another organisation or changes an organisation's kind (a
    // succession would): the database's own triggers switch the webhook off whichever code does.
    const provider = (await bed.factory.organisation('provider')).id;
    await asOwner((m) => m.query(`UPDATE users SET organisation_id = $2 WHERE id = $1`, [c.icbUser.id, provider]));
    expect(await listed(c, icb.id)).toMatchObject({ active: false, disabledReason: 'creator-role' });
    await asOwner((m) => m.query(`UPDATE organisations SET kind = 'provider' WHERE id = $1`, [c.orgs.council.id]));
    expect(await asOwner((m) => m.query(`SELECT active, disabled_reason FROM webhooks WHERE id = $1`, [council.id]))).toEqual([{ active: false, disabled_reason: 'organisation-not-commissioner' }]);
    await cycleSteps(c).ok(c.charityUser.as, cycleId, { type: 'REVISE_PROBLEM', statement: 'Nobody hears this' });
    await new Promise((r) => setTimeout(r, 500));
    expect(typesAt(icbPath, cycleId)).toEqual(['CREATED', 'LAUNCH']);
    expect(typesAt(councilPath, cycleId)).toEqual(['CREATED', 'LAUNCH']);
  });

  it('switches off every webhook of a partnership archived, and its queued deliveries fail', async () => {
    const { c, council, icb, cycleId, councilPath, icbPath } = await twoHooks('archived');
    await eventually(
      () => [...typesAt(councilPath, cycleId), ...typesAt(icbPath, cycleId)],
      (types) => types.length === 2,
    );
    await bed.stopWorker();
    try {
      await cycleSteps(c).ok(c.councilUser.as, cycleId, { type: 'LAUNCH' });
      await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(202);
      await c.icbUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(200); // agreed by a second commissioner
      for (const hook of [council, icb]) {
        expect(await listed(c, hook.id)).toMatchObject({ active: false, disabledReason: 'partnership-archived', disabledDetail: 'The partnership was archived.' });
        const items = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/webhooks/${hook.id}/deliveries`).expect(200)).body.items;
        expect(items.map((d: { eventType: string; status: string }) => [d.eventType, d.status])).toEqual([
          ['LAUNCH', 'failed'],
          ['CREATED', 'delivered'],
        ]);
      }
    } finally {
      await bed.startWorker();
    }
  });
});
