import { Factory, TestApi, collaboration, createTestApi, fromNow } from '@test/support';

describe('partnerships', () => {
  let api: TestApi;
  let factory: Factory;

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
  });
  afterAll(() => api.close());

  it('a commissioner opens a partnership and is a member of it', async () => {
    const council = await factory.organisation('commissioner');
    const icb = await factory.organisation('commissioner');
    const charity = await factory.organisation('community');
    const commissioner = await factory.user(council);
    const res = await commissioner.as
      .post('/v1/partnerships', {
        name: 'Northshire Healthy Lives',
        memberOrganisationIds: [icb.id, charity.id],
        destination: 'Everyone in Northshire lives well for longer',
        principles: ['Residents decide with us, not after us'],
      })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'Northshire Healthy Lives',
      destination: 'Everyone in Northshire lives well for longer',
      principles: ['Residents decide with us, not after us'],
      outcomes: [],
      anchors: [],
    });
    // Membership by consent (issue 31): the organisations named are invited, and members once they accept.
    expect(res.body.members.map((m: { organisationId: string }) => m.organisationId)).toEqual([council.id]);
    expect(res.body.invited.map((m: { organisationId: string }) => m.organisationId).sort()).toEqual([icb.id, charity.id].sort());
    await factory.acceptInvitations(res.body.id, [icb.id, charity.id]);
    const joined = await commissioner.as.get(`/v1/partnerships/${res.body.id}`).expect(200);
    expect(joined.body.members.map((m: { organisationId: string }) => m.organisationId).sort()).toEqual([council.id, icb.id, charity.id].sort());
    const list = await commissioner.as.get('/v1/partnerships').expect(200);
    expect(list.body.map((p: { id: string }) => p.id)).toContain(res.body.id);
  });

  it('only admins and commissioners open partnerships', async () => {
    const provider = await factory.user(await factory.organisation('provider'));
    await provider.as.post('/v1/partnerships', { name: 'Mine', memberOrganisationIds: [] }).expect(403);
    const org = await factory.organisation('provider');
    await factory.admin.post('/v1/partnerships', { name: 'Set up by admin', memberOrganisationIds: [org.id] }).expect(201);
  });

  it('refuses unknown member organisations as a field error', async () => {
    const commissioner = await factory.user(await factory.organisation('commissioner'));
    const res = await commissioner.as.post('/v1/partnerships', { name: 'P', memberOrganisationIds: ['00000000-0000-4000-8000-000000000000'] }).expect(400);
    expect(res.body.errors[0].field).toBe('memberOrganisationIds');
  });

  it('hides a partnership from users of non-member organisations (404 on every route)', async () => {
    const p = await factory.partnership();
    const outsider = await factory.user(await factory.organisation('commissioner'));
    const id = p.id;
    const anchor = (await p.commissioner.as.post(`/v1/partnerships/${id}/anchors`, { name: 'Budget', date: '2027-02-24' })).body;
    const attempts = [
      outsider.as.get(`/v1/partnerships/${id}`),
      outsider.as.patch(`/v1/partnerships/${id}`, { destination: 'Taken over' }),
      outsider.as.put(`/v1/partnerships/${id}/table`, { on: ['x'], off: [] }),
      outsider.as.get(`/v1/partnerships/${id}/table/${p.council.id}`),
      outsider.as.post(`/v1/partnerships/${id}/outcomes`, {
        title: 'T',
        metrics: [{ name: 'n', unit: 'u', baseline: 1, target: 2, direction: 'increase' }],
      }),
      outsider.as.post(`/v1/partnerships/${id}/anchors`, { name: 'A', date: '2027-01-01' }),
      outsider.as.patch(`/v1/partnerships/${id}/anchors/${anchor.id}`, { date: '2027-01-01' }),
      outsider.as.post(`/v1/partnerships/${id}/members`, { organisationIds: [outsider.organisationId] }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(res.body.detail).toBe('No partnership with that id exists, or you may not see it.');
    }
    const missing = await outsider.as.get('/v1/partnerships/00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body.detail).toBe('No partnership with that id exists, or you may not see it.');
    const list = await outsider.as.get('/v1/partnerships').expect(200);
    expect(list.body.map((x: { id: string }) => x.id)).not.toContain(id);
    // Admins see it.
    await factory.admin.get(`/v1/partnerships/${id}`).expect(200);
  });

  it('a commissioner member’s new destination and principles are a proposal of the agreement: the partnership shows them once every member consents', async () => {
    const p = await factory.partnership();
    const before = (await p.commissioner.as.get(`/v1/partnerships/${p.id}`).expect(200)).body;
    const noYear = await p.commissioner.as.patch(`/v1/partnerships/${p.id}`, { destination: 'A fairer Northshire', principles: ['Open books'] }).expect(400);
    expect(noYear.body.errors[0].field).toBe('horizonYear');
    const res = await p.commissioner.as.patch(`/v1/partnerships/${p.id}`, { destination: 'A fairer Northshire', principles: ['Open books'], horizonYear: 2035 }).expect(200);
    expect(res.body).toMatchObject({ destination: before.destination, principles: before.principles });
    await p.providerUser.as.patch(`/v1/partnerships/${p.id}`, { destination: 'Mine' }).expect(403);
    const agreement = (await p.providerUser.as.get(`/v1/partnerships/${p.id}/agreement`).expect(200)).body;
    expect(agreement).toMatchObject({ state: 'consulting', current: { destination: 'A fairer Northshire', principles: ['Open books'], horizonYear: 2035 } });
    // Only the principles change: the destination and year are kept from the version under consultation.
    await p.commissioner.as.patch(`/v1/partnerships/${p.id}`, { principles: ['Open books', 'Residents first'] }).expect(200);
    const current = (await p.commissioner.as.get(`/v1/partnerships/${p.id}/agreement`).expect(200)).body;
    expect(current.current).toMatchObject({ destination: 'A fairer Northshire', principles: ['Open books', 'Residents first'], horizonYear: 2035 });
    for (const who of [p.commissioner, p.providerUser]) {
      await who.as.post(`/v1/partnerships/${p.id}/agreement/events`, { type: 'CONSENT_AGREEMENT', number: current.current.number }).expect(200);
    }
    expect((await p.providerUser.as.get(`/v1/partnerships/${p.id}`).expect(200)).body.destination).toBe(before.destination);
    await p.communityUser.as.post(`/v1/partnerships/${p.id}/agreement/events`, { type: 'CONSENT_AGREEMENT', number: current.current.number }).expect(200);
    expect((await p.commissioner.as.get(`/v1/partnerships/${p.id}/agreement`).expect(200)).body.state).toBe('agreed');
    expect((await p.providerUser.as.get(`/v1/partnerships/${p.id}`).expect(200)).body).toMatchObject({ destination: 'A fairer Northshire', principles: ['Open books', 'Residents first'] });
  });

  it('a commissioner invites new members, who then see the partnership (once their lead accepts)', async () => {
    const p = await factory.partnership();
    const newcomer = await factory.organisation('provider');
    const user = await factory.lead(newcomer);
    await user.as.get(`/v1/partnerships/${p.id}`).expect(404);
    await p.providerUser.as.post(`/v1/partnerships/${p.id}/members`, { organisationIds: [newcomer.id] }).expect(403);
    await p.commissioner.as.post(`/v1/partnerships/${p.id}/members`, { organisationIds: [newcomer.id] }).expect(201);
    await user.as.get(`/v1/partnerships/${p.id}`).expect(404);
    await user.as.post(`/v1/partnerships/${p.id}/invitations/${newcomer.id}/accept`, {}).expect(200);
    await user.as.get(`/v1/partnerships/${p.id}`).expect(200);
  });

  describe('on and off the table', () => {
    it('each member declares for its own organisation; earlier versions stay readable', async () => {
      const p = await factory.partnership();
      const first = await p.providerUser.as.put(`/v1/partnerships/${p.id}/table`, { on: ['Care navigators'], off: ['Our reserves'] }).expect(200);
      expect(first.body).toMatchObject({ organisationId: p.provider.id, version: 1, on: ['Care navigators'] });
      await p.providerUser.as.put(`/v1/partnerships/${p.id}/table`, { on: ['Care navigators', 'Premises'], off: [] }).expect(200);
      await p.commissioner.as.put(`/v1/partnerships/${p.id}/table`, { on: ['Pooled budget'], off: ['Statutory duties'] }).expect(200);

      const view = await p.communityUser.as.get(`/v1/partnerships/${p.id}`).expect(200);
      const provider = view.body.members.find((m: { organisationId: string }) => m.organisationId === p.provider.id);
      expect(provider.table).toMatchObject({ version: 2, on: ['Care navigators', 'Premises'], off: [] });
      const community = view.body.members.find((m: { organisationId: string }) => m.organisationId === p.community.id);
      expect(community.table).toBeNull();

      const history = await p.communityUser.as.get(`/v1/partnerships/${p.id}/table/${p.provider.id}`).expect(200);
      expect(history.body.map((d: { version: number }) => d.version)).toEqual([2, 1]);
      expect(history.body[1]).toMatchObject({ on: ['Care navigators'], off: ['Our reserves'], declaredByUserId: p.providerUser.id });
    });

    it('keeps every version when members declare at the same moment', async () => {
      const p = await factory.partnership();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => p.providerUser.as.put(`/v1/partnerships/${p.id}/table`, { on: [`item ${i}`], off: [] })));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      const history = await p.providerUser.as.get(`/v1/partnerships/${p.id}/table/${p.provider.id}`).expect(200);
      expect(history.body.map((d: { version: number }) => d.version)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    });

    it('refuses an item both on and off the table, and admins (who have no organisation)', async () => {
      const p = await factory.partnership();
      const res = await p.providerUser.as.put(`/v1/partnerships/${p.id}/table`, { on: ['Premises'], off: ['Premises'] }).expect(400);
      expect(res.body.errors[0].field).toBe('off');
      await factory.admin.put(`/v1/partnerships/${p.id}/table`, { on: [], off: [] }).expect(403);
    });
  });

  it('members build the shared outcome framework with metrics', async () => {
    const p = await factory.partnership();
    const res = await p.communityUser.as
      .post(`/v1/partnerships/${p.id}/outcomes`, {
        title: 'Older people stay well at home',
        metrics: [
          { name: 'Emergency admissions 65+', unit: 'per 1,000', baseline: 24.5, target: 20, direction: 'decrease' },
          { name: 'Feel in control of their care', unit: '%', baseline: 61, target: 75, direction: 'increase' },
        ],
      })
      .expect(201);
    expect(res.body.metrics).toHaveLength(2);
    expect(res.body.metrics[0]).toMatchObject({ id: expect.any(String), direction: 'decrease', baseline: 24.5 });
    const view = await p.commissioner.as.get(`/v1/partnerships/${p.id}`).expect(200);
    expect(view.body.outcomes).toEqual([res.body]);
    await p.commissioner.as.post(`/v1/partnerships/${p.id}/outcomes`, { title: 'No metrics', metrics: [] }).expect(400);
  });

  it('commissioners set and move dated anchors; others may not', async () => {
    const p = await factory.partnership();
    const created = await p.commissioner.as.post(`/v1/partnerships/${p.id}/anchors`, { name: 'Council budget set', date: '2027-02-24' }).expect(201);
    expect(created.body).toMatchObject({ name: 'Council budget set', date: '2027-02-24T00:00:00.000Z' });
    await p.providerUser.as.post(`/v1/partnerships/${p.id}/anchors`, { name: 'Mine', date: '2027-01-01' }).expect(403);
    const bad = await p.commissioner.as.post(`/v1/partnerships/${p.id}/anchors`, { name: 'Bad', date: '24/02/2027' }).expect(400);
    expect(bad.body.errors[0].field).toBe('date');

    const moved = await p.commissioner.as.patch(`/v1/partnerships/${p.id}/anchors/${created.body.id}`, { date: '2027-03-03T10:00:00Z' }).expect(200);
    expect(moved.body).toMatchObject({ id: created.body.id, name: 'Council budget set', date: '2027-03-03T10:00:00.000Z' });
    await p.providerUser.as.patch(`/v1/partnerships/${p.id}/anchors/${created.body.id}`, { date: '2027-01-01' }).expect(403);
    await p.commissioner.as.patch(`/v1/partnerships/${p.id}/anchors/00000000-0000-4000-8000-000000000000`, { date: '2027-01-01' }).expect(404);
  });

  it('refuses an anchor move that would put another commissioner’s scheduled milestone in the past, naming the cycles', async () => {
    const DAY = 86_400_000;
    const c = await collaboration(factory);
    const { council, icb } = c.orgs;
    // The council commissions one cycle alone, the ICB another.
    const ours = await c.newCycle({ title: 'Council winter cycle', commissionerOrganisationIds: [council.id] });
    const theirs = (await c.icbUser.as.post('/v1/cycles', { ...c.cycleBody, title: 'ICB planning cycle', commissionerOrganisationIds: [icb.id] }).expect(201)).body.id;
    const anchor = (await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'Budget set', date: fromNow(300 * DAY) }).expect(201)).body;
    const oursDue = (await c.councilUser.as.post(`/v1/cycles/${ours}/milestones`, { kind: 'framingDue', anchorId: anchor.id, offsetDays: -10 }).expect(201)).body;
    const theirsDue = (await c.icbUser.as.post(`/v1/cycles/${theirs}/milestones`, { kind: 'framingDue', anchorId: anchor.id, offsetDays: -200 }).expect(201)).body;
    const move = (who: typeof c.councilUser, date: string) => who.as.patch(`/v1/partnerships/${c.partnershipId}/anchors/${anchor.id}`, { date });

    // 100 days from now puts the ICB's milestone 100 days in the past: the council may not.
    const refused = await move(c.councilUser, fromNow(100 * DAY)).expect(422);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toContain(`"ICB planning cycle" (${theirs})`);
    expect(refused.body.detail).not.toContain(ours);
    const milestoneOf = async (cycleId: string) => (await c.councilUser.as.get(`/v1/cycles/${cycleId}`).expect(200)).body.milestones[0];
    expect((await milestoneOf(theirs)).dueAt).toBe(theirsDue.dueAt);
    expect((await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200)).body.anchors[0].date).toBe(anchor.date);

    // Putting both in the past names both; a commissioner of only one of them is still refused.
    const both = await move(c.councilUser, fromNow(5 * DAY)).expect(422);
    expect(both.body.detail).toContain(`"ICB planning cycle" (${theirs})`);
    expect(both.body.detail).toContain(`"Council winter cycle" (${ours})`);
    await move(c.icbUser, fromNow(5 * DAY)).expect(422);

    // Only its own milestone in the past: the council may (it commissions that cycle), and the
    // ICB may move its own into the past.
    const later = fromNow(250 * DAY);
    await move(c.councilUser, later).expect(200);
    // Ten days before in England (an hour either way across a change of the clocks).
    expect(Math.abs(Date.parse((await milestoneOf(ours)).dueAt) - (Date.parse(later) - 10 * DAY))).toBeLessThanOrEqual(3_600_000);
    await move(c.icbUser, fromNow(150 * DAY)).expect(200);
    expect((await milestoneOf(theirs)).status).toBe('scheduled');
    expect((await milestoneOf(ours)).id).toBe(oursDue.id);
  });
});
