import { DataSource } from 'typeorm';
import { MilestoneJobsService } from '@app/milestones';
import { Agent, Collaboration, Factory, TestApi, TestUser, collaboration, cycleSteps, fromNow, startCollaboration } from '@test/support';

/**
 * A person hands over their work (issue 35, part 5): a lead of their organisation moves their
 * panel seats and facilitator roles in unfinished cycles to a colleague, each cycle's history
 * records HANDED_OVER, their open tasks follow and the colleague is told; a seat whose review
 * the person signed off stays theirs.
 */
describe('handing over a person’s work', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;
  let lead: TestUser;
  let leaver: TestUser;
  let colleague: TestUser;
  /** The leaver facilitates it (framing). */
  let facilitated: string;
  /** The leaver sits on its panel, their review to do (reviewing). */
  let reviewing: string;
  /** The leaver sat on its panel and signed off its review: their seat stays. */
  let signedOff: string;

  type Item = { kind: string; cycleId: string; text: string; state: 'open' | 'done'; link: string | null };
  const inbox = async (who: { as: Agent }, cycleId: string): Promise<Item[]> => (await who.as.get('/v1/me/notifications?limit=100').expect(200)).body.items.filter((n: Item) => n.cycleId === cycleId);
  const view = async (id: string) => (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
  const handOver = (as: Agent, userId: string, toUserId: string) => as.post(`/v1/users/${userId}/handover`, { toUserId });

  const saved = process.env.WEBHOOK_ALLOW_PRIVATE;
  beforeAll(async () => {
    // A webhook on this machine (no worker runs: its deliveries stay queued, which is what is checked).
    process.env.WEBHOOK_ALLOW_PRIVATE = 'true';
    ({ api, factory, c, steps } = await startCollaboration());
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/webhooks`, { url: 'http://127.0.0.1:9/handovers', events: ['HANDED_OVER'] }).expect(201);
    [lead, leaver, colleague] = await Promise.all([factory.lead(c.orgs.mediation, 'Mediation lead'), factory.user(c.orgs.mediation, 'Lee Leaver'), factory.user(c.orgs.mediation, 'Cal Colleague')]);
    facilitated = await c.newCycle({ title: 'Facilitated by the leaver', facilitatorUserIds: [leaver.id] });
    await steps.toFraming(facilitated);
    reviewing = await c.newCycle({ title: 'Reviewed by the leaver', panelUserIds: [c.panel[0].id, leaver.id] });
    await steps.toReviewing(reviewing);
    signedOff = await c.newCycle({ title: 'Signed off by the leaver', panelUserIds: [c.panel[0].id, leaver.id] });
    await steps.toReviewing(signedOff);
    await steps.ok(leaver.as, signedOff, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
  }, 120000);
  afterAll(async () => {
    await api.close();
    if (saved === undefined) delete process.env.WEBHOOK_ALLOW_PRIVATE;
    else process.env.WEBHOOK_ALLOW_PRIVATE = saved;
  });

  it('refuses anyone but a lead of the person’s organisation or an admin (403), an unknown person (404) and a bad body (400)', async () => {
    // A member of the same organisation, a lead of another.
    expect((await handOver(c.facilitator.as, leaver.id, colleague.id)).status).toBe(403);
    const otherLead = await factory.lead(c.orgs.forum);
    const refused = await handOver(otherLead.as, leaver.id, colleague.id);
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect((await handOver(lead.as, '00000000-0000-4000-8000-000000000000', colleague.id)).status).toBe(404);
    const invalid = await lead.as.post(`/v1/users/${leaver.id}/handover`, { toUserId: 'nobody' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([expect.objectContaining({ field: 'toUserId' })]);
    expect((await lead.as.post(`/v1/users/${leaver.id}/handover`, { toUserId: colleague.id, extra: 1 })).status).toBe(400);
    expect((await view(facilitated)).facilitatorUserIds).toEqual([leaver.id]);
  });

  it('refuses a colleague of another organisation, a deactivated one, an unknown one and the person themselves (422), moving nothing', async () => {
    const other = await handOver(lead.as, leaver.id, c.forumUser.id);
    expect(other.status).toBe(422);
    expect(other.body.detail).toBe('The colleague must be a user of Northshire Mediation Service.');
    const gone = await factory.user(c.orgs.mediation, 'Dee Deactivated');
    await factory.admin.patch(`/v1/users/${gone.id}`, { active: false }).expect(200);
    const inactive = await handOver(lead.as, leaver.id, gone.id);
    expect(inactive.status).toBe(422);
    expect(inactive.body.detail).toBe('Dee Deactivated’s account is deactivated: choose an active colleague.');
    expect((await handOver(lead.as, leaver.id, '00000000-0000-4000-8000-000000000000')).status).toBe(422);
    expect((await handOver(lead.as, leaver.id, leaver.id)).status).toBe(422);
    expect((await view(reviewing)).panelUserIds).toEqual([c.panel[0].id, leaver.id]);
  });

  it('moves the facilitator role and the panel seat across two cycles, with their tasks, and tells the colleague; a signed-off seat stays', async () => {
    expect((await inbox(leaver, reviewing)).filter((n) => n.kind === 'task.review').map((n) => n.state)).toEqual(['open']);
    const before = await c.councilUser.as.get(`/v1/cycles/${signedOff}/history`).expect(200);

    const answer = await handOver(lead.as, leaver.id, colleague.id).expect(200);
    expect(answer.body.cycles).toEqual([facilitated, reviewing].sort());
    expect(answer.body.skipped).toEqual([{ cycleId: signedOff, reason: "Lee Leaver has signed off this cycle's review: their sign-off stands, so their seat stays theirs." }]);

    expect((await view(facilitated)).facilitatorUserIds).toEqual([colleague.id]);
    expect((await view(reviewing)).panelUserIds).toEqual([c.panel[0].id, colleague.id]);
    expect((await view(signedOff)).panelUserIds).toEqual([c.panel[0].id, leaver.id]);

    for (const id of [facilitated, reviewing]) {
      const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
      const entry = history.at(-1);
      expect(entry).toMatchObject({ type: 'HANDED_OVER', payload: { fromUserId: leaver.id, toUserId: colleague.id } });
      // Who did it: the lead, for their organisation.
      expect(entry).toMatchObject({ actorUserId: lead.id, organisationId: c.orgs.mediation.id, fromState: entry.toState });
      await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: history.length });
    }
    // The partnership's webhook gets each entry, queued with it.
    const queued: { cycle_id: string; payload: object }[] = await api.app
      .get(DataSource)
      .query(`SELECT cycle_id, body->'payload' AS payload FROM webhook_deliveries WHERE event_type = 'HANDED_OVER' AND cycle_id = ANY($1::uuid[]) ORDER BY cycle_id`, [
        [facilitated, reviewing, signedOff],
      ]);
    expect(queued).toEqual([facilitated, reviewing].sort().map((cycle_id) => ({ cycle_id, payload: { fromUserId: leaver.id, toUserId: colleague.id } })));
    // The signed-off cycle's history is as it was.
    const after = await c.councilUser.as.get(`/v1/cycles/${signedOff}/history`).expect(200);
    expect(after.body.length).toBe(before.body.length);

    // The review task follows the seat: done for the leaver, open for the colleague.
    expect((await inbox(leaver, reviewing)).filter((n) => n.kind === 'task.review').map((n) => n.state)).toEqual(['done']);
    expect((await inbox(colleague, reviewing)).filter((n) => n.kind === 'task.review').map((n) => n.state)).toEqual(['open']);
    // The colleague is told of each cycle.
    const [toldFacilitated] = (await inbox(colleague, facilitated)).filter((n) => n.kind === 'handover');
    expect(toldFacilitated).toMatchObject({
      text: 'Lee Leaver handed their facilitator role over to you: “Facilitated by the leaver”',
      link: expect.stringMatching(new RegExp(`/cycles/${facilitated}$`)),
    });
    const [toldReviewing] = (await inbox(colleague, reviewing)).filter((n) => n.kind === 'handover');
    expect(toldReviewing.text).toBe('Lee Leaver handed their panel seat over to you: “Reviewed by the leaver”');
    expect(await inbox(colleague, signedOff)).toEqual([]);

    // The colleague now does the work the leaver would have.
    await steps.ok(colleague.as, reviewing, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
    expect((await steps.send(leaver.as, reviewing, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' })).status).toBe(403);
  });

  it('a repeat moves nothing more, tells nobody again and answers the same cycles', async () => {
    const lengths = async () => Promise.all([facilitated, reviewing, signedOff].map(async (id) => (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body.length));
    const was = await lengths();
    const again = await handOver(lead.as, leaver.id, colleague.id).expect(200);
    expect(again.body.cycles).toEqual([facilitated, reviewing].sort());
    expect(again.body.skipped).toEqual([{ cycleId: signedOff, reason: expect.stringContaining('signed off') }]);
    expect(await lengths()).toEqual(was);
    expect((await inbox(colleague, facilitated)).filter((n) => n.kind === 'handover')).toHaveLength(1);
  });

  it('two handovers of the same person at once move each seat once, and both answer the same cycles', async () => {
    const [twice, taker] = await Promise.all([factory.user(c.orgs.mediation, 'Tam Twice'), factory.user(c.orgs.mediation)]);
    const x = await c.newCycle({ title: 'Concurrent one', facilitatorUserIds: [twice.id] });
    const y = await c.newCycle({ title: 'Concurrent two', panelUserIds: [twice.id] });
    const answers = await Promise.all([handOver(lead.as, twice.id, taker.id), handOver(lead.as, twice.id, taker.id)]);
    for (const answer of answers) expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { cycles: [x, y].sort(), skipped: [] } });
    for (const id of [x, y]) {
      const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
      expect(history.filter((h: { type: string }) => h.type === 'HANDED_OVER')).toHaveLength(1);
      await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: history.length });
      expect((await inbox(taker, id)).filter((n) => n.kind === 'handover')).toHaveLength(1);
    }
  });

  it('leaves the seats of an archived partnership’s cycles, saying why', async () => {
    const archivedOne = await collaboration(factory);
    const [mediationLead, stays] = await Promise.all([factory.lead(archivedOne.orgs.mediation), factory.user(archivedOne.orgs.mediation)]);
    const id = await archivedOne.newCycle({ facilitatorUserIds: [stays.id] });
    await archivedOne.councilUser.as.post(`/v1/partnerships/${archivedOne.partnershipId}/archive`).expect(202);
    await archivedOne.icbUser.as.post(`/v1/partnerships/${archivedOne.partnershipId}/archive`).expect(200);
    const answer = await handOver(mediationLead.as, stays.id, archivedOne.facilitator.id).expect(200);
    expect(answer.body).toEqual({ cycles: [], skipped: [{ cycleId: id, reason: 'The partnership is archived: it and its cycles are read-only.' }] });
    expect((await archivedOne.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body.facilitatorUserIds).toEqual([stays.id]);
  });

  it('a person with an open task is erased only once it is handed over; the colleague’s notification then names them no more', async () => {
    const [going, taking] = await Promise.all([factory.user(c.orgs.mediation, 'Gail Going'), factory.user(c.orgs.mediation)]);
    const id = await c.newCycle({ title: 'Reviewed, then erased', panelUserIds: [c.panel[0].id, going.id] });
    await steps.toReviewing(id);
    // A milestone's reminder, open until the milestone comes: it follows the facilitator role.
    const framing = await c.newCycle({ title: 'Framed, then erased', facilitatorUserIds: [going.id] });
    await steps.toFraming(framing);
    const milestone = await c.councilUser.as.post(`/v1/cycles/${framing}/milestones`, { kind: 'framingDue', dueAt: fromNow(3 * 86_400_000) }).expect(201);
    await api.app.get(MilestoneJobsService).remind({ milestoneId: milestone.body.id, revision: 1, days: 3 });
    const reminders = async (who: { as: Agent }) => (await inbox(who, framing)).filter((n) => n.kind === 'milestone-reminder').map((n) => n.state);
    expect(await reminders(going)).toEqual(['open']);
    expect(await reminders(taking)).toEqual([]);

    const erase = () => factory.admin.post(`/v1/users/${going.id}/erase`, { reason: 'Left the service; asked to be erased' });
    expect((await erase()).body.detail).toContain('hand their work to a colleague');
    await handOver(lead.as, going.id, taking.id).expect(200, { cycles: [id, framing].sort(), skipped: [] });
    expect(await reminders(going)).toEqual(['done']);
    expect(await reminders(taking)).toEqual(['open']);
    await erase().expect(200);
    const [told] = (await inbox(taking, id)).filter((n) => n.kind === 'handover');
    expect(told.text).toBe('Former member of Northshire Mediation Service handed their panel seat over to you: “Reviewed, then erased”');
  });

  it('an admin hands over too; a person with no seat left hands over nothing', async () => {
    const idle = await factory.user(c.orgs.mediation);
    await factory.admin.post(`/v1/users/${idle.id}/handover`, { toUserId: colleague.id }).expect(200, { cycles: [], skipped: [] });
  });
});
