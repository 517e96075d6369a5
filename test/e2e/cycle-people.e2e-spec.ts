import { Collaboration, Factory, TestApi, startCollaboration, cycleSteps } from '@test/support';

/** A cycle's people change over HTTP: drafts edited, panels and facilitators changed, co-owners invited and leaving. */
describe("a cycle's people over HTTP", () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;

  beforeAll(async () => ({ api, factory, c, steps } = await startCollaboration()));
  afterAll(() => api.close());

  it('a draft made without a provider is edited (title, co-owners, panel) and launched; each change is in the history', async () => {
    const id = await c.newCycle({ providerOrganisationIds: [], communityOrganisationIds: [] });
    const launch = await steps.send(c.councilUser.as, id, { type: 'LAUNCH' });
    expect(launch.status).toBe(422);
    const edited = await steps.ok(c.councilUser.as, id, {
      type: 'EDIT_DRAFT',
      title: 'Staying well at home, with the charity',
      providerOrganisationIds: [c.orgs.charity.id],
      panelUserIds: [c.panel[0].id],
    });
    expect(edited).toMatchObject({ title: 'Staying well at home, with the charity', state: 'draft', panelUserIds: [c.panel[0].id] });
    expect(edited.coOwners).toContainEqual({ organisationId: c.orgs.charity.id, role: 'provider' });
    await steps.ok(c.councilUser.as, id, { type: 'LAUNCH' });
    const history = await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200);
    const entry = history.body.find((h: { type: string }) => h.type === 'EDIT_DRAFT');
    expect(entry.payload).toEqual({ title: 'Staying well at home, with the charity', providerOrganisationIds: [c.orgs.charity.id], panelUserIds: [c.panel[0].id] });
    expect((await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body.title).toBe('Staying well at home, with the charity');
    await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: history.body.length });
  });

  it('refuses a co-owner’s user as a facilitator, at creation and later', async () => {
    const created = await c.councilUser.as.post('/v1/cycles', { ...c.cycleBody, facilitatorUserIds: [c.charityUser.id] });
    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body.errors)).toContain('belongs to an organisation that co-owns the cycle');
    const id = await c.newCycle();
    await steps.toFraming(id);
    const res = await steps.send(c.councilUser.as, id, { type: 'CHANGE_FACILITATORS', facilitatorUserIds: [c.forumUser.id] });
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain('belongs to an organisation that co-owns the cycle');
  });

  it('a panel member removed in the review lets it close with the others’ sign-offs', async () => {
    const id = await c.newCycle();
    await steps.toReviewing(id);
    await steps.ok(c.panel[0].as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    await steps.ok(c.panel[1].as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    const changed = await steps.ok(c.councilUser.as, id, { type: 'CHANGE_PANEL', panelUserIds: [c.panel[0].id, c.panel[1].id] });
    expect(changed.state).toBe('closed');
  });

  it('an invited provider holds framing until it endorses the latest revision', async () => {
    const carers = await factory.organisation('provider', 'Northshire Carers Centre');
    const carer = await factory.user(carers);
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [carers.id] }).expect((r) => expect(r.status).toBeLessThan(300));
    await factory.acceptInvitations(c.partnershipId, [carers.id]);
    const id = await c.newCycle();
    await steps.toFraming(id);
    const stranger = await factory.organisation('provider');
    const refused = await steps.send(c.councilUser.as, id, { type: 'INVITE_CO_OWNER', organisationId: stranger.id, role: 'provider' });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('not a member of the partnership');
    await steps.ok(c.councilUser.as, id, { type: 'INVITE_CO_OWNER', organisationId: carers.id, role: 'provider' });
    let view;
    for (const u of c.coOwners) view = await steps.ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    expect(view.state).toBe('framing');
    expect((await carer.as.get(`/v1/cycles/${id}`).expect(200)).body.nextEvents).toContain('ENDORSE_PROBLEM');
    view = await steps.ok(carer.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    expect(view.state).toBe('options');
  });

  it('a co-owner leaves by its own act; the last provider or community co-owner cannot', async () => {
    const id = await c.newCycle();
    await steps.toFraming(id);
    const left = await steps.ok(c.forumUser.as, id, { type: 'LEAVE_CYCLE', reason: 'No capacity this year' });
    expect(left.coOwners.map((o: { organisationId: string }) => o.organisationId)).not.toContain(c.orgs.forum.id);
    const refused = await steps.send(c.charityUser.as, id, { type: 'LEAVE_CYCLE', reason: 'Us too' });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('at least one provider or community co-owner');
  });

  it('a representative-only organisation’s other users get 403 with a reason; each entry records whether its actor was a representative', async () => {
    const id = await c.newCycle();
    await steps.toFraming(id);
    const clerk = await factory.user(c.orgs.charity, 'Charity clerk');
    await factory.admin.patch(`/v1/users/${c.charityUser.id}`, { representative: true }).expect(200);
    const refused = await steps.send(clerk.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/^Your organisation names representatives: only .+ may endorse the problem for it\.$/);
    expect((await clerk.as.get(`/v1/cycles/${id}`).expect(200)).body.nextEvents).not.toContain('ENDORSE_PROBLEM');
    await steps.ok(c.charityUser.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    await steps.ok(c.forumUser.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
    const endorsements = history.filter((h: { type: string }) => h.type === 'ENDORSE_PROBLEM');
    expect(endorsements.map((h: { representative: boolean }) => h.representative)).toEqual([true, false]);
    await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: history.length });
    await factory.admin.patch(`/v1/users/${c.charityUser.id}`, { representative: false }).expect(200);
  });

  it('an independent facilitator’s users see only the cycles that name them', async () => {
    const mediation = await factory.organisation('facilitator', 'Independent Mediation Ltd');
    const mediator = await factory.user(mediation);
    const named = await c.newCycle({ facilitatorUserIds: [mediator.id] });
    const other = await c.newCycle();
    await mediator.as.get(`/v1/cycles/${named}`).expect(200);
    await mediator.as.get(`/v1/cycles/${other}`).expect(404);
    await mediator.as.get(`/v1/partnerships/${c.partnershipId}`).expect(404);
    const list = await mediator.as.get('/v1/cycles').expect(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([named]);
    // And they resolve its escalation, removing a co-owner with the parties' agreement.
    await steps.toFraming(named);
    await steps.ok(c.charityUser.as, named, { type: 'ESCALATE', reason: 'The forum and the charity disagree' });
    const removed = await steps.ok(mediator.as, named, { type: 'REMOVE_CO_OWNER', organisationId: c.orgs.forum.id, reason: 'Agreed at mediation' });
    expect(removed.coOwners.map((o: { organisationId: string }) => o.organisationId)).not.toContain(c.orgs.forum.id);
  });
});
