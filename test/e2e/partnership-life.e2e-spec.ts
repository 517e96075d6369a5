import { Collaboration, Factory, TestApi, collaboration, startTestApi, cycleSteps, fromNow } from '@test/support';

/** Partnerships change: members leave (not while they co-own unfinished cycles), and a partnership is archived. */
describe('a partnership’s life', () => {
  let api: TestApi;
  let factory: Factory;

  beforeAll(async () => ({ api, factory } = await startTestApi()));
  afterAll(() => api.close());

  it('removes a member only once it co-owns no unfinished cycle (409 naming them); keeps a commissioner', async () => {
    const c: Collaboration = await collaboration(factory);
    const id = await c.newCycle({ title: 'Winter pressures 2027' });
    const refused = await c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.forum.id}`).expect(409);
    expect(refused.body.detail).toContain('“Winter pressures 2027”');
    await c.charityUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.forum.id}`).expect(403);
    await cycleSteps(c).ok(c.councilUser.as, id, { type: 'CANCEL', reason: 'Merged into the ICB programme' });
    // Two commissioner members (issue 31): the council proposes, the ICB agrees, then it happens.
    await c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.forum.id}`).expect(202);
    await c.icbUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.forum.id}`).expect(204);
    const view = await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200);
    expect(view.body.members.map((m: { organisationId: string }) => m.organisationId)).not.toContain(c.orgs.forum.id);
    await c.forumUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(404);
    await c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.forum.id}`).expect(404);
    // The ICB and the council are its commissioners: one may go, not both.
    await c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.icb.id}`).expect(202);
    await c.icbUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.icb.id}`).expect(204);
    const last = await c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.council.id}`).expect(422);
    expect(last.body.detail).toContain('at least one commissioner member');
  });

  it('archives a partnership: read-only, its milestones cancelled and recorded, every write 409', async () => {
    const c: Collaboration = await collaboration(factory);
    const id = await c.newCycle();
    await cycleSteps(c).toFraming(id);
    const milestone = await c.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: fromNow(30 * 86_400_000) }).expect(201);
    await c.charityUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(403);
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(202);
    const archived = await c.icbUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(200);
    expect(archived.body).toMatchObject({ archived: true, archivedAt: expect.any(String) });

    const cycle = await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200);
    expect(cycle.body.nextEvents).toEqual([]);
    expect(cycle.body.milestones).toEqual([expect.objectContaining({ id: milestone.body.id, status: 'cancelled' })]);
    const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
    expect(history.at(-1)).toMatchObject({ type: 'MILESTONE_CANCELLED', payload: expect.objectContaining({ reason: 'The partnership was archived.' }) });
    await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200);

    const writes = [
      cycleSteps(c).send(c.charityUser.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 }),
      c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { destination: 'Somewhere else' }),
      c.councilUser.as.post('/v1/cycles', c.cycleBody),
      c.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'optionsClose', dueAt: fromNow(40 * 86_400_000) }),
      c.charityUser.as.put(`/v1/partnerships/${c.partnershipId}/table`, { on: ['Volunteers'], off: [] }),
      c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'Budget', date: fromNow(50 * 86_400_000).slice(0, 10) }),
      c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`),
      c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/members/${c.orgs.mediation.id}`),
    ];
    for (const res of await Promise.all(writes)) {
      expect({ status: res.status, detail: res.body.detail }).toEqual({ status: 409, detail: 'The partnership is archived: it and its cycles are read-only.' });
    }
    // Reading stays open.
    await c.forumUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200);
  });
});
