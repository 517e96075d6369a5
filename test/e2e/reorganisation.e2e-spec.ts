/**
 * Reorganisation (issue 35): two councils succeeded by one unitary on a vesting date, carried out
 * by the worker's job after a Redis flush, with two workers, once; the cycles' rules still hold
 * and every history verifies. Plus what scheduling refuses, and a split.
 */
import {
  Agent,
  agent,
  Collaboration,
  Factory,
  TestApi,
  TestWorker,
  collaboration,
  createTestApi,
  createTestWorker,
  cycleSteps,
  fastWorkerEnvironment,
  fromNow,
  login,
  TEST_PASSWORD,
  waitFor,
  wipeQueueKeys,
  asOwner,
} from '@test/support';
import request from 'supertest';
import { TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

describe('reorganisation: an organisation succeeded on a vesting date', () => {
  let api: TestApi;
  let workers: TestWorker[];
  let factory: Factory;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;

  beforeAll(async () => {
    fastWorkerEnvironment();
    api = await createTestApi();
    workers = [await createTestWorker(), await createTestWorker()];
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
    steps = cycleSteps(c);
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    await api.close();
  });

  const succession = (organisationId: string, body: object) => factory.admin.post(`/v1/organisations/${organisationId}/succession`, body);
  const cycle = async (as: Agent, id: string) => (await as.get(`/v1/cycles/${id}`).expect(200)).body;
  const types = async (as: Agent, id: string) => ((await as.get(`/v1/cycles/${id}/history`).expect(200)).body as { type: string }[]).map((h) => h.type);

  it('two councils become one unitary: once, with two workers and a Redis flush, every rule holding and every history intact', async () => {
    const district = await factory.organisation('commissioner', 'Southshire District Council');
    const unitary = await factory.organisation('commissioner', 'North Wold Council');
    const districtUser = await factory.user(district);
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [district.id] }).expect(201);
    await factory.acceptInvitations(c.partnershipId, [district.id]);

    const framing = await c.newCycle({ title: 'Framing', commissionerOrganisationIds: [c.orgs.council.id, c.orgs.icb.id, district.id] });
    await steps.toFraming(framing);
    const options = await c.newCycle({ title: 'Options' });
    await steps.toOptions(options);
    const deciding = await c.newCycle({ title: 'Deciding' });
    const optionId = await steps.toDeciding(deciding);
    const proposed = await steps.ok(c.icbUser.as, deciding, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Quickest to start' });
    const proposalId = proposed.decision.proposals[0].id;
    // One predecessor has consented already: its consent stands for its successor.
    await steps.ok(c.councilUser.as, deciding, { type: 'CONSENT', proposalId });
    const delivering = await c.newCycle({ title: 'Delivering' });
    await steps.toDelivering(delivering);
    const ended = await c.newCycle({ title: 'Ended' });
    await steps.ok(c.councilUser.as, ended, { type: 'LAUNCH' });
    await steps.ok(c.councilUser.as, ended, { type: 'CANCEL', reason: 'Merged into another cycle' });
    const endedHistory = await types(c.councilUser.as, ended);
    // A closed cycle: the review signed off by the whole panel.
    const closed = await c.newCycle({ title: 'Closed' });
    await steps.toReviewing(closed);
    let last;
    for (const p of c.panel) last = await steps.ok(p.as, closed, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    expect(last.state).toBe('closed');
    const closedHistory = await types(c.councilUser.as, closed);
    // An agreement being consulted on: a position stated, a draft proposed, the council's consent given.
    const agreementEvent = (as: Agent, body: object) => as.post(`/v1/partnerships/${c.partnershipId}/agreement/events`, body).expect(200);
    await agreementEvent(c.councilUser.as, { type: 'STATE_POSITION', whatsInItForUs: 'Fewer admissions', readiness: 'ready' });
    const draft = (await agreementEvent(c.icbUser.as, { type: 'PROPOSE_AGREEMENT', destination: 'Fewer admissions in winter', horizonYear: 2030, principles: ['Share the data'] })).body;
    await agreementEvent(c.councilUser.as, { type: 'CONSENT_AGREEMENT', number: draft.current.number });

    const effectiveAt = fromNow(6000);
    const body = { effectiveAt, successors: [{ organisationId: unitary.id }] };
    const preview = (await factory.admin.post(`/v1/organisations/${c.orgs.council.id}/succession/preview`, body).expect(200)).body;
    expect(preview.refusals).toEqual([]);
    const previewed = preview.partnerships.find((p: { id: string }) => p.id === c.partnershipId);
    expect(previewed.cycles.map((x: { id: string }) => x.id).sort()).toEqual([framing, options, deciding, delivering].sort());
    expect(previewed.cycles.every((x: { successorOrganisationId: string }) => x.successorOrganisationId === unitary.id)).toBe(true);
    expect(preview.users).toBe(2);
    // The preview changed nothing.
    await factory.admin.get(`/v1/organisations/${c.orgs.council.id}/succession`).expect(404);

    const scheduled = await succession(c.orgs.council.id, body).expect(201);
    expect(scheduled.body).toMatchObject({ state: 'scheduled', effectiveAt, successors: [{ organisationId: unitary.id }] });
    await succession(district.id, body).expect(201);
    await factory.admin.get(`/v1/organisations/${c.orgs.council.id}/succession`).expect(200);
    await succession(c.orgs.council.id, body).expect(409);

    // Redis loses the jobs before the date; the reconciler rebuilds them from PostgreSQL.
    await workers[0].drainOutbox();
    await wipeQueueKeys();
    expect(await workers[1].reconcile()).toBeGreaterThan(0);

    await waitFor(
      async () => {
        const [a, b] = await Promise.all([factory.admin.get(`/v1/organisations/${c.orgs.council.id}`), factory.admin.get(`/v1/organisations/${district.id}`)]);
        return a.body.state === 'dissolved' && b.body.state === 'dissolved';
      },
      30000,
      'both councils to be dissolved',
    );
    const council = (await factory.admin.get(`/v1/organisations/${c.orgs.council.id}`).expect(200)).body;
    expect(council.successorOrganisationIds).toEqual([unitary.id]);
    await factory.admin.get(`/v1/organisations/${c.orgs.council.id}/succession`).expect(404);
    // Rebuilt again after it was done: nothing happens twice.
    await workers[0].reconcile();
    await new Promise((r) => setTimeout(r, 1000));

    // The council's people are the unitary's now, and sign in as such.
    const unitaryUser = { ...c.councilUser, as: agent(api.http, await login(api.http, c.councilUser.email, TEST_PASSWORD)) };
    const me = (await unitaryUser.as.get('/v1/me').expect(200)).body;
    expect(me.organisationId ?? me.organisation?.id).toBe(unitary.id);

    for (const id of [framing, options, deciding, delivering]) {
      const view = await cycle(unitaryUser.as, id);
      const owners = view.coOwners.map((o: { organisationId: string }) => o.organisationId);
      expect(owners).toContain(unitary.id);
      expect(owners).not.toContain(c.orgs.council.id);
      expect(owners).not.toContain(district.id);
      // The unitary co-owns once, even succeeding two co-owners.
      expect(owners.filter((o: string) => o === unitary.id)).toHaveLength(1);
      const history = await types(unitaryUser.as, id);
      expect(history.filter((t) => t === 'ORGANISATION_SUCCEEDED')).toHaveLength(id === framing ? 2 : 1);
      await unitaryUser.as
        .get(`/v1/cycles/${id}/history/verify`)
        .expect(200)
        .expect((r) => expect(r.body.intact).toBe(true));
    }
    const entry = ((await unitaryUser.as.get(`/v1/cycles/${deciding}/history`).expect(200)).body as { type: string; payload: object; actorUserId: string | null }[]).find(
      (h) => h.type === 'ORGANISATION_SUCCEEDED',
    )!;
    expect(entry.payload).toEqual({ predecessorOrganisationId: c.orgs.council.id, successorOrganisationId: unitary.id });

    // The council's consent counts for the unitary: the others' consents accept the proposal.
    let view;
    for (const u of [c.icbUser, c.charityUser, c.forumUser]) view = await steps.ok(u.as, deciding, { type: 'CONSENT', proposalId });
    expect(view.state).toBe('delivering');

    // The cancelled and the closed cycles are untouched.
    expect(await types(unitaryUser.as, ended)).toEqual(endedHistory);
    expect(await types(unitaryUser.as, closed)).toEqual(closedHistory);
    expect((await cycle(unitaryUser.as, closed)).coOwners.map((o: { organisationId: string }) => o.organisationId)).toContain(c.orgs.council.id);

    // The partnership and the agreement: the unitary a member, the councils gone, the agreement's history says so.
    const partnership = (await unitaryUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200)).body;
    const members = JSON.stringify(partnership);
    expect(members).toContain(unitary.id);
    const agreement = (await unitaryUser.as.get(`/v1/partnerships/${c.partnershipId}/agreement/history`).expect(200)).body as { type: string }[];
    expect(agreement.filter((h) => h.type === 'ORGANISATION_SUCCEEDED')).toHaveLength(2);
    // The draft is still being consulted on, the council's consent counted for the unitary.
    const consulted = (await unitaryUser.as.get(`/v1/partnerships/${c.partnershipId}/agreement`).expect(200)).body;
    expect(consulted.current.number).toBe(draft.current.number);
    expect(JSON.stringify(consulted)).toContain(unitary.id);
    await unitaryUser.as
      .get(`/v1/partnerships/${c.partnershipId}/agreement/history/verify`)
      .expect(200)
      .expect((r) => expect(r.body.intact).toBe(true));

    // A dissolved organisation's users cannot sign in (the district's moved: they can, as the unitary's).
    const moved = (await factory.admin.get(`/v1/users/${districtUser.id}`).expect(200)).body;
    expect(moved.organisationId ?? moved.organisation?.id).toBe(unitary.id);
    await login(api.http, districtUser.email, TEST_PASSWORD);
    // One left in the council (put back behind the service's back): refused at sign-in.
    await asOwner((m) => m.query(`UPDATE users SET organisation_id = $1 WHERE id = $2`, [c.orgs.council.id, districtUser.id]));
    await request(api.http).post('/v1/auth/login').send({ email: districtUser.email, password: TEST_PASSWORD }).expect(401);
    await asOwner((m) => m.query(`UPDATE users SET organisation_id = $1 WHERE id = $2`, [unitary.id, districtUser.id]));

    // The dissolved council is named "Former … (now …)", in the open data of the cycle it still co-owns (the ended one), its party id kept.
    const ocds = JSON.parse((await unitaryUser.as.get(`/v1/cycles/${ended}/ocds`).expect(200)).text) as { releases: { parties: { id: string; name: string }[] }[] };
    const party = ocds.releases[0].parties.find((p) => p.id.endsWith(c.orgs.council.id));
    expect(party?.name).toBe('Former Northshire County Council (now North Wold Council)');

    // And in the ended cycle's history as CSV (the council launched it).
    const csv = await unitaryUser.as.get(`/v1/cycles/${ended}/history.csv`).expect(200);
    expect(csv.text).toContain('Former Northshire County Council (now North Wold Council)');

    // Writes naming the dissolved council are refused (422), and change nothing.
    const invited = await c.icbUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [c.orgs.council.id] }).expect(422);
    expect(invited.body.detail).toMatch(/was dissolved in a reorganisation: name its successor instead/);
    const person = await factory.admin
      .post('/v1/users', { email: 'late-starter@reorganisation.example.org', name: 'Late Starter', password: TEST_PASSWORD, organisationId: c.orgs.council.id })
      .expect(422);
    expect(person.body.detail).toMatch(/was dissolved in a reorganisation/);
    const before = (await unitaryUser.as.get(`/v1/cycles/${deciding}`).expect(200)).body.version;
    await unitaryUser.as.post(`/v1/cycles/${deciding}/events`, { type: 'INVITE_CO_OWNER', organisationId: c.orgs.council.id, role: 'commissioner' }).expect(422);
    expect((await unitaryUser.as.get(`/v1/cycles/${deciding}`).expect(200)).body.version).toBe(before);
    await succession(c.orgs.council.id, { effectiveAt: fromNow(60_000), successors: [{ organisationId: unitary.id }] }).expect(422);
  });

  it('refuses what cannot be scheduled, in the API’s error format', async () => {
    // A partnership of its own (the first test's councils are dissolved).
    const c = await collaboration(factory);
    const commissioner = await factory.organisation('commissioner');
    const at = fromNow(3_600_000);
    const target = c.orgs.icb.id;
    // Not an admin.
    await c.icbUser.as.post(`/v1/organisations/${target}/succession`, { effectiveAt: at, successors: [{ organisationId: commissioner.id }] }).expect(403);
    // In the past, the organisation itself, twice the same, no such organisation, an unknown field.
    const past = await succession(target, { effectiveAt: fromNow(-1000), successors: [{ organisationId: commissioner.id }] }).expect(400);
    expect(past.body.errors).toEqual([expect.objectContaining({ field: 'effectiveAt' })]);
    await succession(target, { effectiveAt: at, successors: [{ organisationId: target }] }).expect(400);
    await succession(target, { effectiveAt: at, successors: [{ organisationId: commissioner.id }, { organisationId: commissioner.id }] }).expect(400);
    await succession(target, { effectiveAt: at, successors: [{ organisationId: '00000000-0000-4000-8000-000000000000' }] }).expect(400);
    await succession(target, { effectiveAt: at, successors: [{ organisationId: commissioner.id }], extra: 1 }).expect(400);
    await succession('00000000-0000-4000-8000-000000000000', { effectiveAt: at, successors: [{ organisationId: commissioner.id }] }).expect(404);
    // A commissioner in the provider's place: the cycle would have no provider co-owner, and the rules name it.
    const id = await c.newCycle({ title: 'Provider needed' });
    const refused = await succession(c.orgs.charity.id, { effectiveAt: at, successors: [{ organisationId: commissioner.id }] }).expect(422);
    expect(refused.body.detail).toContain(id);
    expect(refused.body.detail).toContain('Provider needed');
    // A split must assign every unfinished cycle to exactly one successor.
    const other = await factory.organisation('commissioner');
    const second = await c.newCycle({ title: 'Second' });
    const split = await succession(target, { effectiveAt: at, successors: [{ organisationId: commissioner.id }, { organisationId: other.id, cycleIds: [id] }] }).expect(422);
    expect(split.body.detail).toContain(second);
    expect(split.body.detail).toContain('assigned to no successor');
    const twice = await succession(target, {
      effectiveAt: at,
      successors: [
        { organisationId: commissioner.id, cycleIds: [id, second] },
        { organisationId: other.id, cycleIds: [id] },
      ],
    });
    expect(twice.status).toBe(422);
    expect(twice.body.detail).toContain('more than one successor');
    // Scheduled, then cancelled before the date.
    await succession(target, { effectiveAt: at, successors: [{ organisationId: commissioner.id }] }).expect(201);
    await factory.admin.delete(`/v1/organisations/${target}/succession`).expect(204);
    await factory.admin.get(`/v1/organisations/${target}/succession`).expect(404);
    await factory.admin.delete(`/v1/organisations/${target}/succession`).expect(404);
  });

  it('the partnership’s page shows a succession coming, and no more once it is cancelled', async () => {
    const web = await createWebApp();
    try {
      const merged = await factory.organisation('community', 'North Wold Residents’ Voice');
      await succession(c.orgs.forum.id, { effectiveAt: '2031-04-01T00:00:00+01:00', successors: [{ organisationId: merged.id }] }).expect(201);
      const { cookie } = await signInOverHttp(web as TestWeb, c.icbUser.email, TEST_PASSWORD);
      const page = (await request(web.app.getHttpServer()).get(`/partnerships/${c.partnershipId}`).set('Cookie', cookie).expect(200)).text;
      expect(page).toContain('Northshire Residents&#39; Forum becomes North Wold Residents’ Voice on 1 April 2031');
      await factory.admin.delete(`/v1/organisations/${c.orgs.forum.id}/succession`).expect(204);
      const after = (await request(web.app.getHttpServer()).get(`/partnerships/${c.partnershipId}`).set('Cookie', cookie).expect(200)).text;
      expect(after).not.toContain('becomes North Wold Residents’ Voice');
    } finally {
      await web.app.close();
    }
  });

  it('a cancelled succession never happens, whatever its job does', async () => {
    const from = await factory.organisation('community');
    const to = await factory.organisation('community');
    await succession(from.id, { effectiveAt: fromNow(1500), successors: [{ organisationId: to.id }] }).expect(201);
    await factory.admin.delete(`/v1/organisations/${from.id}/succession`).expect(204);
    await workers[0].drainOutbox();
    await workers[0].reconcile();
    await new Promise((r) => setTimeout(r, 2500));
    expect((await factory.admin.get(`/v1/organisations/${from.id}`).expect(200)).body.state).toBe('active');
  });

  const inbox = async (as: Agent) =>
    ((await as.get('/v1/me/notifications?limit=100').expect(200)).body.items as { kind: string; text: string }[]).filter((n) => n.kind === 'succession').map((n) => n.text);

  it('changed before its date: the old date’s job is stale, the new one carries it out; the people concerned are told of each step', async () => {
    const f = await Factory.create(api.http);
    const s = await collaboration(f);
    const lead = await f.lead(s.orgs.council, 'Lena Lead');
    const first = await f.organisation('community', 'Wold Voices');
    const second = await f.organisation('community', 'North Wold Residents');
    const cycleId = await s.newCycle({ title: 'Voices heard' });
    await cycleSteps(s).toFraming(cycleId);
    await succession(s.orgs.forum.id, { effectiveAt: fromNow(2500), successors: [{ organisationId: first.id }] }).expect(201);
    // Changed: a later date, another successor; refused in the API's format when the body is bad or the rules refuse.
    await factory.admin.put(`/v1/organisations/${s.orgs.forum.id}/succession`, { effectiveAt: fromNow(-1000), successors: [{ organisationId: second.id }] }).expect(400);
    const provider = await f.organisation('provider');
    await factory.admin.put(`/v1/organisations/${s.orgs.charity.id}/succession`, { effectiveAt: fromNow(9000), successors: [{ organisationId: provider.id }] }).expect(404);
    const changed = (await factory.admin.put(`/v1/organisations/${s.orgs.forum.id}/succession`, { effectiveAt: fromNow(5000), successors: [{ organisationId: second.id }] }).expect(200)).body;
    expect(changed).toMatchObject({ state: 'scheduled', revision: 2, successors: [{ organisationId: second.id }] });
    await workers[0].drainOutbox();
    // Past the first date, the first revision's job (had it stayed in Redis) changes nothing: the forum is still active.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await factory.admin.get(`/v1/organisations/${s.orgs.forum.id}`).expect(200)).body.state).toBe('active');
    await waitFor(async () => (await factory.admin.get(`/v1/organisations/${s.orgs.forum.id}`)).body.state === 'dissolved', 30000, 'the forum to be dissolved');
    const owners = (await cycle(s.councilUser.as, cycleId)).coOwners.map((o: { organisationId: string }) => o.organisationId);
    expect(owners).toContain(second.id);
    expect(owners).not.toContain(first.id);
    // The forum's person (now the successor's) and a lead of a partner organisation were told three times; a council member who is no lead, not at all.
    for (const who of [s.forumUser, lead]) {
      const told = await inbox(who.as);
      expect(told).toHaveLength(3);
      const forum = s.orgs.forum.name;
      expect(told.find((t) => t.startsWith(`${forum} becomes Wold Voices on`))).toBeDefined();
      expect(told.find((t) => t.startsWith(`The succession of ${forum} has changed: ${forum} becomes North Wold Residents on`))).toBeDefined();
      expect(told.find((t) => t.startsWith(`${forum} becomes North Wold Residents from`) && t.endsWith('have moved.'))).toBeDefined();
    }
    expect(await inbox(s.councilUser.as)).toEqual([]);
  });

  it('held where the rules refuse on the date, carried out elsewhere, then resumed once the cycle allows it', async () => {
    const f = await Factory.create(api.http);
    const s = await collaboration(f);
    const other = await collaboration(f);
    // The charity is a member of a second partnership, where nothing refuses.
    await other.councilUser.as.post(`/v1/partnerships/${other.partnershipId}/members`, { organisationIds: [s.orgs.charity.id] }).expect(201);
    await f.acceptInvitations(other.partnershipId, [s.orgs.charity.id]);
    const commissioner = await f.organisation('commissioner', 'Wold Health Partnership');
    // Scheduled with no cycle to refuse it; a cycle begun afterwards would lose its only provider.
    await succession(s.orgs.charity.id, { effectiveAt: fromNow(2500), successors: [{ organisationId: commissioner.id }] }).expect(201);
    const late = await s.newCycle({ title: 'Begun too late' });
    await workers[0].drainOutbox();
    await waitFor(async () => (await factory.admin.get(`/v1/organisations/${s.orgs.charity.id}/succession`)).body.state === 'held', 30000, 'the succession to be held');
    const held = (await factory.admin.get(`/v1/organisations/${s.orgs.charity.id}/succession`).expect(200)).body;
    const byPartnership = Object.fromEntries(held.partnerships.map((p: { partnershipId: string }) => [p.partnershipId, p]));
    expect(byPartnership[other.partnershipId]).toMatchObject({ state: 'done' });
    expect(byPartnership[s.partnershipId]).toMatchObject({ state: 'refused', refusals: [expect.objectContaining({ cycleId: late, title: 'Begun too late' })] });
    // Not dissolved, still co-owning the cycle, its people still its own; the admins told why.
    expect((await factory.admin.get(`/v1/organisations/${s.orgs.charity.id}`).expect(200)).body.state).toBe('active');
    expect((await cycle(s.councilUser.as, late)).coOwners.map((o: { organisationId: string }) => o.organisationId)).toContain(s.orgs.charity.id);
    expect((await types(s.councilUser.as, late)).includes('ORGANISATION_SUCCEEDED')).toBe(false);
    expect((await inbox(factory.admin)).some((t) => t.includes('is held') && t.includes('“Begun too late” in'))).toBe(true);
    // A held succession is not cancelled (it is done elsewhere), and not resumed while the cycle still refuses.
    await factory.admin.delete(`/v1/organisations/${s.orgs.charity.id}/succession`).expect(409);
    const still = await factory.admin.post(`/v1/organisations/${s.orgs.charity.id}/succession/resume`, {}).expect(422);
    expect(still.body.detail).toContain(late);
    // The commissioners cancel the late cycle; resumed, it is carried out in the partnership it had not reached.
    await cycleSteps(s).ok(s.councilUser.as, late, { type: 'LAUNCH' });
    await cycleSteps(s).ok(s.councilUser.as, late, { type: 'CANCEL', reason: 'Begun before the merger: starts again after it' });
    await factory.admin.post(`/v1/organisations/${s.orgs.charity.id}/succession/resume`, {}).expect(200);
    await workers[1].drainOutbox();
    await waitFor(async () => (await factory.admin.get(`/v1/organisations/${s.orgs.charity.id}`)).body.state === 'dissolved', 30000, 'the charity to be dissolved');
    await factory.admin.post(`/v1/organisations/${s.orgs.charity.id}/succession/resume`, {}).expect(404);
    const partnership = JSON.stringify((await s.councilUser.as.get(`/v1/partnerships/${s.partnershipId}`).expect(200)).body);
    expect(partnership).toContain(commissioner.id);
  });

  it('a split: each unfinished cycle goes to the successor it is assigned to, every successor joins', async () => {
    const f = await Factory.create(api.http);
    const s = await collaboration(f);
    const sSteps = cycleSteps(s);
    const north = await f.organisation('commissioner', 'North ICB');
    const south = await f.organisation('commissioner', 'South ICB');
    const one = await s.newCycle({ title: 'North work' });
    const two = await s.newCycle({ title: 'South work' });
    await sSteps.toFraming(one);
    await sSteps.toFraming(two);
    await succession(s.orgs.icb.id, {
      effectiveAt: fromNow(2500),
      successors: [
        { organisationId: north.id, cycleIds: [one] },
        { organisationId: south.id, cycleIds: [two] },
      ],
    }).expect(201);
    await workers[1].drainOutbox();
    await waitFor(async () => (await factory.admin.get(`/v1/organisations/${s.orgs.icb.id}`)).body.state === 'dissolved', 30000, 'the ICB to be dissolved');
    const owners = async (id: string) => (await cycle(s.councilUser.as, id)).coOwners.map((o: { organisationId: string }) => o.organisationId);
    expect(await owners(one)).toEqual(expect.arrayContaining([north.id]));
    expect(await owners(one)).not.toContain(south.id);
    expect(await owners(two)).toEqual(expect.arrayContaining([south.id]));
    expect(await owners(two)).not.toContain(s.orgs.icb.id);
    const partnership = JSON.stringify((await s.councilUser.as.get(`/v1/partnerships/${s.partnershipId}`).expect(200)).body);
    expect(partnership).toContain(north.id);
    expect(partnership).toContain(south.id);
    // The ICB's people went to the first successor listed.
    const me = (await factory.admin.get(`/v1/users/${s.icbUser.id}`).expect(200)).body;
    expect(me.organisationId ?? me.organisation?.id).toBe(north.id);
    for (const id of [one, two])
      await s.councilUser.as
        .get(`/v1/cycles/${id}/history/verify`)
        .expect(200)
        .expect((r) => expect(r.body.intact).toBe(true));
  });
});
