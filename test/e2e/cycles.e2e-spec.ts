import request from 'supertest';
import { ProgressFromHistory1763940000000 } from '@app/database/migrations/1763940000000-progress-from-history';
import { CycleQueriesService, HistoryAuditService } from '@app/cycles';
import { chainedEntry } from '@app/history';
import { Agent, Collaboration, Factory, TestApi, agent, asOwner, collaboration, createTestApi, cycleSteps, ownerDataSource } from '@test/support';

/** A statement behind the apps' back, as the tables' owner (what another process, or an operator, would do). */
const sql = (text: string, params?: unknown[]) => asOwner((m) => m.query(text, params));

describe('cycles over HTTP', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
  });
  afterAll(() => api.close());

  const steps = () => cycleSteps(c);
  const send = (as: Agent, id: string, body: object) => steps().send(as, id, body);
  const ok = (as: Agent, id: string, body: object) => steps().ok(as, id, body);
  const toFraming = (id: string) => steps().toFraming(id);
  const toOptions = (id: string) => steps().toOptions(id);
  const toDeciding = (id: string) => steps().toDeciding(id);
  const toDelivering = (id: string) => steps().toDelivering(id);
  const toReviewing = (id: string) => steps().toReviewing(id);

  it('walks the whole lifecycle, from draft to closed with its next iteration', async () => {
    const created = await c.councilUser.as.post('/v1/cycles', c.cycleBody).expect(201);
    const id = created.body.id;
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({
      state: 'draft',
      version: 1,
      iteration: 1,
      previousCycleId: null,
      partnershipId: c.partnershipId,
      coOwners: expect.arrayContaining([
        { organisationId: c.orgs.council.id, role: 'commissioner' },
        { organisationId: c.orgs.charity.id, role: 'provider' },
        { organisationId: c.orgs.forum.id, role: 'community' },
      ]),
      nextEvents: ['LAUNCH', 'PLEDGE', 'ESCALATE', 'EDIT_DRAFT', 'LEAVE_CYCLE', 'CANCEL'],
      milestones: [],
    });

    let view = await toFraming(id);
    expect(view).toMatchObject({ state: 'framing', problem: { latestRevision: 1 } });
    view = await ok(c.forumUser.as, id, { type: 'OBJECT_PROBLEM', revision: 1, reason: 'Residents living alone are missing' });
    view = await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Older people living alone are admitted to hospital in winter.' });
    expect(view.problem.latestRevision).toBe(2);
    for (const u of c.coOwners) view = await ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 2 });
    expect(view.state).toBe('options');

    view = await ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: 'Winter calls', summary: 'Volunteers call weekly', coAuthorOrganisationIds: [c.orgs.forum.id] });
    const optionId = view.options[0].id;
    expect(view.options[0]).toMatchObject({ title: 'Winter calls', status: 'live', authorOrganisationIds: [c.orgs.charity.id, c.orgs.forum.id] });
    view = await ok(c.icbUser.as, id, { type: 'SUBMIT_OPTION', title: 'Hospital at home', summary: 'Virtual wards' });
    view = await ok(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, summary: 'Volunteers and neighbours call weekly' });
    view = await ok(c.icbUser.as, id, { type: 'WITHDRAW_OPTION', optionId: view.options[1].id });
    view = await ok(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' });
    expect(view.state).toBe('deciding');

    view = await ok(c.forumUser.as, id, { type: 'APPRAISE_OPTION', optionId, scores: [{ outcomeId: c.outcome.id, score: 4 }], comment: 'Residents like it' });
    expect(view.appraisals).toHaveLength(1);
    view = await ok(c.icbUser.as, id, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Best value' });
    const first = view.decision.proposals[0].id;
    view = await ok(c.charityUser.as, id, { type: 'OBJECT', proposalId: first, reason: 'Cannot recruit volunteers before January' });
    expect(view.decision.proposals[0]).toMatchObject({ status: 'blocked', objections: [expect.objectContaining({ organisationId: c.orgs.charity.id })] });
    view = await ok(c.charityUser.as, id, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Start in February' });
    const second = view.decision.proposals[1].id;
    for (const u of c.coOwners) view = await ok(u.as, id, { type: 'CONSENT', proposalId: second });
    expect(view.state).toBe('delivering');
    expect(view.decision.proposals[1].status).toBe('accepted');

    view = await ok(c.charityUser.as, id, { type: 'RECORD_PROGRESS', note: '320 calls in February', readings: [{ metric: c.outcome.metrics[0].id, value: 23.1 }] });
    view = await ok(c.councilUser.as, id, { type: 'RECORD_PROGRESS', note: 'March figures', readings: [{ metric: 'Emergency admissions 65+', value: 21.7 }] });
    expect(view.progress).toEqual([
      {
        seq: expect.any(Number),
        note: '320 calls in February',
        readings: [{ metric: c.outcome.metrics[0].id, value: 23.1 }],
        organisationId: c.orgs.charity.id,
        userId: c.charityUser.id,
        at: expect.any(String),
      },
      expect.objectContaining({ note: 'March figures', organisationId: c.orgs.council.id, userId: c.councilUser.id }),
    ]);
    // What the event answered is what a later read shows (progress comes from the history).
    expect((await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body).toEqual(view);
    view = await ok(c.councilUser.as, id, { type: 'START_REVIEW' });
    expect(view.state).toBe('reviewing');

    view = await ok(c.charityUser.as, id, { type: 'RECORD_LEARNING', insight: 'Calls cut admissions', evidence: 'ICB data', recommendation: 'continue' });
    view = await ok(c.panel[0].as, id, { type: 'RECORD_LEARNING', insight: 'Men living alone were missed', recommendation: 'adapt' });
    expect(view.review.learnings.map((l: { writtenBy: string }) => l.writtenBy)).toEqual(['co-owner', 'panel']);
    view = await ok(c.panel[0].as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
    view = await ok(c.panel[1].as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
    view = await ok(c.panel[2].as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    expect(view).toMatchObject({ state: 'closed', review: { outcome: { outcome: 'iterate', iterate: 2, close: 1 } }, nextEvents: [] });
    expect(view.nextCycleId).toEqual(expect.any(String));

    const next = (await c.forumUser.as.get(`/v1/cycles/${view.nextCycleId}`).expect(200)).body;
    expect(next).toMatchObject({
      state: 'draft',
      iteration: 2,
      previousCycleId: id,
      version: 1,
      coOwners: view.coOwners,
      panelUserIds: view.panelUserIds,
      facilitatorUserIds: view.facilitatorUserIds,
      outcomeIds: [c.outcome.id],
      problem: {
        latestRevision: 1,
        revisions: [expect.objectContaining({ statement: 'Older people living alone are admitted to hospital in winter.', carriedForward: true })],
      },
      inheritedLearning: {
        fromCycleId: id,
        learnings: [expect.objectContaining({ insight: 'Calls cut admissions' }), expect.objectContaining({ insight: 'Men living alone were missed' })],
      },
    });

    const history = (await c.icbUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
    expect(history).toHaveLength(view.version);
    expect(history[0]).toMatchObject({ seq: 1, type: 'CREATED', fromState: null, toState: 'draft', actorUserId: c.councilUser.id });
    expect(history[1]).toMatchObject({ seq: 2, type: 'LAUNCH', fromState: 'draft', toState: 'framing', organisationId: c.orgs.council.id });
    expect(history.at(-1)).toMatchObject({ type: 'SIGN_OFF_REVIEW', fromState: 'reviewing', toState: 'closed', payload: { outcome: 'close' } });
    expect(history.find((h: { type: string }) => h.type === 'SUBMIT_OPTION').payload).toMatchObject({ optionId, title: 'Winter calls' });
    await c.icbUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: view.version });
    const nextHistory = (await c.icbUser.as.get(`/v1/cycles/${view.nextCycleId}/history`).expect(200)).body;
    expect(nextHistory).toEqual([expect.objectContaining({ seq: 1, type: 'CREATED', payload: { title: next.title, iteration: 2, previousCycleId: id } })]);
    // Its first revision carries the last statement of this one: what its predecessor's history recorded.
    await c.icbUser.as.get(`/v1/cycles/${view.nextCycleId}/history/verify`).expect(200, { intact: true, length: 1 });
  });

  it('escalates from where it is and a facilitator returns it there; a commissioner cancels', async () => {
    const id = await c.newCycle();
    await toOptions(id);
    let view = await ok(c.forumUser.as, id, { type: 'ESCALATE', reason: 'The council wants to decide alone' });
    expect(view).toMatchObject({ state: 'escalated', escalation: { from: 'options', reason: 'The council wants to decide alone' } });
    expect(view.nextEvents).toEqual([]);
    const facilitatorView = (await c.facilitator.as.get(`/v1/cycles/${id}`).expect(200)).body;
    expect(facilitatorView.nextEvents).toEqual(['RESOLVE_ESCALATION', 'REMOVE_CO_OWNER']);
    await send(c.councilUser.as, id, { type: 'RESOLVE_ESCALATION', resolution: 'x' }).expect(403);
    view = await ok(c.facilitator.as, id, { type: 'RESOLVE_ESCALATION', resolution: 'Agreed a joint panel decides' });
    expect(view).toMatchObject({ state: 'options', escalation: null });
    expect(view.escalations[0]).toMatchObject({ resolution: 'Agreed a joint panel decides', resolvedByUserId: c.facilitator.id });

    await send(c.charityUser.as, id, { type: 'CANCEL', reason: 'x' }).expect(403);
    view = await ok(c.icbUser.as, id, { type: 'CANCEL', reason: 'Funding moved to the new unitary' });
    expect(view).toMatchObject({ state: 'cancelled', cancellation: { reason: 'Funding moved to the new unitary' }, nextEvents: [] });
    const refused = await send(c.councilUser.as, id, { type: 'LAUNCH' }).expect(422);
    expect(refused.body.detail).toBe('The cycle is cancelled, so LAUNCH is not possible now.');
  });

  describe('creating cycles', () => {
    it('only a commissioner member creates one; others get 403, outsiders 404', async () => {
      await c.charityUser.as.post('/v1/cycles', c.cycleBody).expect(403);
      const outsider = await factory.user(await factory.organisation('commissioner'));
      await outsider.as.post('/v1/cycles', c.cycleBody).expect(404);
    });

    it('names each field that does not fit the partnership', async () => {
      const stranger = await factory.organisation('provider');
      const strangerUser = await factory.user(stranger);
      const res = await c.councilUser.as
        .post('/v1/cycles', {
          ...c.cycleBody,
          providerOrganisationIds: [stranger.id],
          communityOrganisationIds: [c.orgs.icb.id],
        })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['communityOrganisationIds', 'providerOrganisationIds']);
      const panel = await c.councilUser.as.post('/v1/cycles', { ...c.cycleBody, panelUserIds: [strangerUser.id] }).expect(400);
      expect(panel.body.errors[0].field).toBe('panelUserIds');
      const outcome = await c.councilUser.as.post('/v1/cycles', { ...c.cycleBody, outcomeIds: [strangerUser.id] }).expect(400);
      expect(outcome.body.errors[0].field).toBe('outcomeIds');
      const shape = await c.councilUser.as.post('/v1/cycles', { ...c.cycleBody, panelUserIds: 'everyone', extra: 1 }).expect(400);
      expect(shape.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['panelUserIds', 'extra']));
    });

    it('a cycle of commissioners alone cannot launch (422 with the reason)', async () => {
      const id = await c.newCycle({ providerOrganisationIds: [], communityOrganisationIds: [] });
      const res = await send(c.councilUser.as, id, { type: 'LAUNCH' }).expect(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.detail).toBe('A cycle owned by commissioners alone is not collaborative: it needs at least one provider or community co-owner.');
    });
  });

  describe('who may send what (403)', () => {
    let ids: Record<string, string>;
    let optionId: string;
    let proposalId: string;

    beforeAll(async () => {
      const [draft, framing, options, deciding, delivering, reviewing, escalated] = await Promise.all(Array.from({ length: 7 }, () => c.newCycle()));
      await toFraming(framing);
      const opts = await toOptions(options);
      expect(opts.state).toBe('options');
      const o = await ok(c.charityUser.as, options, { type: 'SUBMIT_OPTION', title: 'T', summary: 'S' });
      optionId = o.options[0].id;
      const dOption = await toDeciding(deciding);
      const p = await ok(c.icbUser.as, deciding, { type: 'PROPOSE_DECISION', optionIds: [dOption], rationale: 'r' });
      proposalId = p.decision.proposals[0].id;
      await toDelivering(delivering);
      await toReviewing(reviewing);
      await toFraming(escalated);
      await ok(c.forumUser.as, escalated, { type: 'ESCALATE', reason: 'r' });
      ids = { draft, framing, options, deciding, delivering, reviewing, escalated };
    });

    const outsiderOfCycle = () => c.facilitator; // a member of the partnership, not a co-owner
    const cases: [string, string, () => object, () => Agent[]][] = [
      ['LAUNCH', 'draft', () => ({ type: 'LAUNCH' }), () => [c.charityUser.as, c.forumUser.as, outsiderOfCycle().as, c.panel[1].as]],
      ['REVISE_PROBLEM', 'framing', () => ({ type: 'REVISE_PROBLEM', statement: 's' }), () => [outsiderOfCycle().as, c.panel[1].as]],
      ['ENDORSE_PROBLEM', 'framing', () => ({ type: 'ENDORSE_PROBLEM', revision: 1 }), () => [outsiderOfCycle().as]],
      ['OBJECT_PROBLEM', 'framing', () => ({ type: 'OBJECT_PROBLEM', revision: 1, reason: 'r' }), () => [outsiderOfCycle().as]],
      ['SUBMIT_OPTION', 'options', () => ({ type: 'SUBMIT_OPTION', title: 't', summary: 's' }), () => [outsiderOfCycle().as]],
      ['AMEND_OPTION', 'options', () => ({ type: 'AMEND_OPTION', optionId, title: 't' }), () => [c.councilUser.as, c.forumUser.as, outsiderOfCycle().as]],
      ['WITHDRAW_OPTION', 'options', () => ({ type: 'WITHDRAW_OPTION', optionId }), () => [c.councilUser.as, c.icbUser.as, outsiderOfCycle().as]],
      ['CLOSE_OPTIONS', 'options', () => ({ type: 'CLOSE_OPTIONS' }), () => [c.charityUser.as, c.forumUser.as, outsiderOfCycle().as]],
      ['APPRAISE_OPTION', 'deciding', () => ({ type: 'APPRAISE_OPTION', optionId, scores: [] }), () => [outsiderOfCycle().as]],
      ['PROPOSE_DECISION', 'deciding', () => ({ type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'r' }), () => [outsiderOfCycle().as]],
      ['CONSENT', 'deciding', () => ({ type: 'CONSENT', proposalId }), () => [outsiderOfCycle().as, c.panel[1].as]],
      ['OBJECT', 'deciding', () => ({ type: 'OBJECT', proposalId, reason: 'r' }), () => [outsiderOfCycle().as]],
      ['RECORD_PROGRESS', 'delivering', () => ({ type: 'RECORD_PROGRESS', note: 'n' }), () => [outsiderOfCycle().as, c.panel[1].as]],
      ['START_REVIEW', 'delivering', () => ({ type: 'START_REVIEW' }), () => [c.charityUser.as, c.forumUser.as]],
      ['RECORD_LEARNING', 'reviewing', () => ({ type: 'RECORD_LEARNING', insight: 'i', recommendation: 'stop' }), () => [outsiderOfCycle().as]],
      ['SIGN_OFF_REVIEW', 'reviewing', () => ({ type: 'SIGN_OFF_REVIEW', outcome: 'close' }), () => [c.councilUser.as, c.charityUser.as]],
      ['ESCALATE', 'framing', () => ({ type: 'ESCALATE', reason: 'r' }), () => [outsiderOfCycle().as, c.panel[1].as]],
      ['RESOLVE_ESCALATION', 'escalated', () => ({ type: 'RESOLVE_ESCALATION', resolution: 'r' }), () => [c.councilUser.as, c.forumUser.as]],
      ['CANCEL', 'framing', () => ({ type: 'CANCEL', reason: 'r' }), () => [c.charityUser.as, c.forumUser.as, c.panel[1].as]],
    ];

    it.each(cases)('%s in %s is refused with 403 to those the rules do not name, and nothing changes', async (_type, state, body, who) => {
      const id = ids[state];
      const before = (await c.councilUser.as.get(`/v1/cycles/${id}`)).body.version;
      for (const as of who()) {
        const res = await send(as, id, body());
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.detail).toEqual(expect.any(String));
      }
      expect((await c.councilUser.as.get(`/v1/cycles/${id}`)).body.version).toBe(before);
    });

    it('milestone events sent by people get 403', async () => {
      for (const type of ['FRAMING_DUE', 'OPTIONS_DUE', 'DECISION_DUE', 'REVIEW_START', 'REVIEW_DUE']) {
        await send(c.councilUser.as, ids.framing, { type }).expect(403);
      }
    });

    it('a platform admin without an organisation may read but not act', async () => {
      await factory.admin.get(`/v1/cycles/${ids.framing}`).expect(200);
      await send(factory.admin, ids.framing, { type: 'ENDORSE_PROBLEM', revision: 1 }).expect(403);
    });

    it('users of organisations outside the partnership get 404 for everything', async () => {
      const outsider = await factory.user(await factory.organisation('commissioner'));
      await outsider.as.get(`/v1/cycles/${ids.framing}`).expect(404);
      await outsider.as.get(`/v1/cycles/${ids.framing}/history`).expect(404);
      await outsider.as.get(`/v1/cycles/${ids.framing}/history/verify`).expect(404);
      await send(outsider.as, ids.framing, { type: 'ESCALATE', reason: 'r' }).expect(404);
      const list = await outsider.as.get('/v1/cycles').expect(200);
      expect(list.body.items).toEqual([]);
      await outsider.as.get(`/v1/cycles?partnershipId=${c.partnershipId}`).expect(404);
    });
  });

  describe('refusals by the rules (422) and bad input (400)', () => {
    it('says why, in words, and changes nothing', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      await ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'v2' });
      await ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'v3' });
      const before = (await c.councilUser.as.get(`/v1/cycles/${id}`)).body;
      const stale = await send(c.icbUser.as, id, { type: 'ENDORSE_PROBLEM', revision: 2 }).expect(422);
      expect(stale.body).toMatchObject({ status: 422, detail: 'Revision 2 is no longer the latest; revision 3 is.' });
      await ok(c.icbUser.as, id, { type: 'ENDORSE_PROBLEM', revision: 3 });
      const twice = await send(c.icbUser.as, id, { type: 'ENDORSE_PROBLEM', revision: 3 }).expect(422);
      expect(twice.body.detail).toBe('Your organisation has already endorsed revision 3.');
      const early = await send(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' }).expect(422);
      expect(early.body.detail).toBe('The cycle is framing the problem, so CLOSE_OPTIONS is not possible now.');
      const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`)).body;
      expect(history).toHaveLength(before.version + 1);
    });

    it('refuses to close the options window with no live option', async () => {
      const id = await c.newCycle();
      await toOptions(id);
      const res = await send(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' }).expect(422);
      expect(res.body.detail).toBe('There is no live option: the window cannot close without one.');
    });

    it('refuses unknown types, missing, mistyped and unknown fields with 400 naming them', async () => {
      const id = await c.newCycle();
      const unknown = await send(c.councilUser.as, id, { type: 'APPROVE' }).expect(400);
      expect(unknown.body.errors[0].field).toBe('type');
      await send(c.councilUser.as, id, {}).expect(400);
      const missing = await send(c.councilUser.as, id, { type: 'REVISE_PROBLEM' }).expect(400);
      expect(missing.body.errors[0].field).toBe('statement');
      const typed = await send(c.councilUser.as, id, { type: 'ENDORSE_PROBLEM', revision: 'latest' }).expect(400);
      expect(typed.body.errors[0].field).toBe('revision');
      const extra = await send(c.councilUser.as, id, { type: 'LAUNCH', actor: { userId: 'someone-else' } }).expect(400);
      expect(extra.body.errors).toEqual([{ field: 'actor', message: 'is not a field of this request' }]);
      const nested = await send(c.councilUser.as, id, { type: 'APPRAISE_OPTION', optionId: id, scores: [{ outcomeId: id, score: 9 }] }).expect(400);
      expect(nested.body.errors[0].field).toBe('scores.0.score');
      const long = await send(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'x'.repeat(20001) }).expect(400);
      expect(long.body.errors[0].field).toBe('statement');
      const amend = await send(c.charityUser.as, id, { type: 'AMEND_OPTION', optionId: id }).expect(400);
      expect(amend.body.errors[0].field).toBe('title');
      await send(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'has a \u0000 NUL' }).expect(400);
      expect((await c.councilUser.as.get(`/v1/cycles/${id}`)).body.version).toBe(1);
    });
  });

  describe('concurrency', () => {
    it('a stale If-Match gets 409 and changes nothing; a fresh one is accepted', async () => {
      const id = await c.newCycle();
      await c.councilUser.as.post(`/v1/cycles/${id}/events`, { type: 'LAUNCH' }).set('If-Match', '"1"').expect(200);
      const stale = await c.charityUser.as.post(`/v1/cycles/${id}/events`, { type: 'REVISE_PROBLEM', statement: 's' }).set('If-Match', '"1"').expect(409);
      expect(stale.body).toMatchObject({ status: 409, currentVersion: 2 });
      const fresh = await c.charityUser.as.post(`/v1/cycles/${id}/events`, { type: 'REVISE_PROBLEM', statement: 's' }).set('If-Match', '2').expect(200);
      expect(fresh.headers.etag).toBe('"3"');
      await c.charityUser.as.post(`/v1/cycles/${id}/events`, { type: 'REVISE_PROBLEM', statement: 's' }).set('If-Match', 'latest').expect(400);
    });

    it('Prefer: return=minimal answers the state, version and next events only; without it, the whole cycle', async () => {
      const id = await c.newCycle();
      const minimal = await c.councilUser.as.post(`/v1/cycles/${id}/events`, { type: 'LAUNCH' }).set('Prefer', 'respond-async, return=minimal').expect(200);
      expect(minimal.headers['preference-applied']).toBe('return=minimal');
      expect(minimal.headers.etag).toBe('"2"');
      expect(minimal.body).toEqual({ id, state: 'framing', version: 2, nextEvents: expect.arrayContaining(['REVISE_PROBLEM']) });
      // The minimal answer's next events are the caller's, as the full view's are.
      const full = await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200);
      expect(minimal.body.nextEvents).toEqual(full.body.nextEvents);
      const representation = await c.charityUser.as.post(`/v1/cycles/${id}/events`, { type: 'REVISE_PROBLEM', statement: 'Falls at home' }).set('Prefer', 'return=representation').expect(200);
      expect(representation.headers['preference-applied']).toBeUndefined();
      expect(representation.body).toMatchObject({ id, version: 3, coOwners: expect.any(Array) });
      // Refusals are as ever.
      await c.charityUser.as.post(`/v1/cycles/${id}/events`, { type: 'LAUNCH' }).set('Prefer', 'return=minimal').expect(403);
    });

    it('five organisations endorsing at the same instant all land, and the cycle moves on exactly once', async () => {
      const extra = await factory.organisation('provider', 'Northshire Carers Centre');
      const extraUser = await factory.user(extra);
      await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [extra.id] }).expect(201);
      await factory.acceptInvitations(c.partnershipId, [extra.id]);
      const id = await c.newCycle({ providerOrganisationIds: [c.orgs.charity.id, extra.id] });
      await toFraming(id);
      const five = [...c.coOwners, extraUser];
      const results = await Promise.all(five.map((u) => send(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const view = (await c.councilUser.as.get(`/v1/cycles/${id}`)).body;
      expect(view.state).toBe('options');
      expect(view.problem.endorsements).toHaveLength(5);
      const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`)).body;
      expect(history.filter((h: { type: string }) => h.type === 'ENDORSE_PROBLEM')).toHaveLength(5);
      expect(history.filter((h: { toState: string; fromState: string }) => h.toState === 'options' && h.fromState === 'framing')).toHaveLength(1);
      expect(history).toHaveLength(view.version);
      await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: view.version });
    });

    it('reads that go to the database together each get their own cycle, and only what the caller may see', async () => {
      const ids = [await c.newCycle(), await c.newCycle(), await c.newCycle()];
      const outsider = await factory.user(await factory.organisation('provider'));
      const missing = '00000000-0000-4000-8000-000000000000';
      const [a, b, stranger, none, cc] = await Promise.all([
        c.councilUser.as.get(`/v1/cycles/${ids[0]}`),
        c.charityUser.as.get(`/v1/cycles/${ids[1]}`),
        outsider.as.get(`/v1/cycles/${ids[1]}`),
        c.councilUser.as.get(`/v1/cycles/${missing}`),
        c.forumUser.as.get(`/v1/cycles/${ids[2]}`),
      ]);
      expect([a.status, b.status, stranger.status, none.status, cc.status]).toEqual([200, 200, 404, 404, 200]);
      expect([a.body.id, b.body.id, cc.body.id]).toEqual(ids);
      expect(a.body.nextEvents).toContain('LAUNCH');
      expect(b.body.nextEvents).not.toContain('LAUNCH');
    });

    it('an event to a cycle another transaction holds waits alone: events to other cycles go on meanwhile', async () => {
      const [held, free] = [await c.newCycle(), await c.newCycle()];
      await Promise.all([toDelivering(held), toDelivering(free)]);
      // Another transaction holding the row: a connection of its own, as the tables' owner.
      const owner = await ownerDataSource();
      const runner = owner.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query('SELECT id FROM cycles WHERE id = $1 FOR UPDATE', [held]);
        const version = (await c.councilUser.as.get(`/v1/cycles/${held}`)).body.version;
        // With If-Match too: a lock is not a conflict.
        const waiting = send(c.charityUser.as, held, { type: 'RECORD_PROGRESS', note: 'behind the lock' })
          .set('If-Match', `"${version}"`)
          .then((r) => r);
        const other = await send(c.icbUser.as, free, { type: 'RECORD_PROGRESS', note: 'not held' });
        expect(other.status).toBe(200);
        let settled = false;
        void waiting.then(() => (settled = true));
        await new Promise((r) => setTimeout(r, 100));
        expect(settled).toBe(false);
        await runner.commitTransaction();
        const res = await waiting;
        expect(res.status).toBe(200);
        expect(res.body.progress.map((p: { note: string }) => p.note)).toContain('behind the lock');
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
        await owner.destroy();
      }
      await c.councilUser.as.get(`/v1/cycles/${held}/history/verify`).expect(200);
    });

    it('the view carries the 20 newest progress updates and the count; the progress route pages through them all', async () => {
      const id = await c.newCycle();
      await toDelivering(id);
      let view;
      for (let i = 1; i <= 23; i++) view = await ok(c.coOwners[i % 4].as, id, { type: 'RECORD_PROGRESS', note: `week ${i}` });
      // The event's answer is what a later read shows.
      const read = (await c.councilUser.as.get(`/v1/cycles/${id}`)).body;
      expect(view.progress).toEqual(read.progress);
      expect(read.progressCount).toBe(23);
      expect(read.progress.map((p: { note: string }) => p.note)).toEqual(Array.from({ length: 20 }, (_, i) => `week ${i + 4}`));
      const first = await c.forumUser.as.get(`/v1/cycles/${id}/progress?limit=10`).expect(200);
      expect(first.body.items.map((p: { note: string }) => p.note)).toEqual(Array.from({ length: 10 }, (_, i) => `week ${i + 1}`));
      const notes: string[] = [];
      for (let cursor: string | null = null, pages = 0; pages === 0 || cursor; pages++) {
        const page: { body: { items: { note: string }[]; nextCursor: string | null } } = await c.forumUser.as.get(`/v1/cycles/${id}/progress?limit=10${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        notes.push(...page.body.items.map((p) => p.note));
        cursor = page.body.nextCursor;
      }
      expect(notes).toEqual(Array.from({ length: 23 }, (_, i) => `week ${i + 1}`));
      const all = (await c.forumUser.as.get(`/v1/cycles/${id}/progress`).expect(200)).body;
      expect(all).toMatchObject({ nextCursor: null });
      expect(all.items.slice(-20)).toEqual(read.progress);
      for (const bad of ['cursor=abc', 'cursor=-1', 'limit=0', 'limit=101', 'other=1']) {
        const res = await c.forumUser.as.get(`/v1/cycles/${id}/progress?${bad}`).expect(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      const outsider = await factory.user(await factory.organisation('provider'));
      await outsider.as.get(`/v1/cycles/${id}/progress`).expect(404);
    });

    it('the view carries the latest revision and the live options; earlier revisions and withdrawn options are paged from their own lists, and ?view=full has them all', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      for (let i = 2; i <= 7; i++) await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: `Statement ${i}` });
      for (const u of c.coOwners) await ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 7 });
      let view;
      for (let i = 1; i <= 9; i++) view = await ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: `Option ${i}`, summary: `Summary ${i}` });
      const submitted: { id: string }[] = view.options;
      for (const n of [2, 5, 6, 9]) view = await ok(c.charityUser.as, id, { type: 'WITHDRAW_OPTION', optionId: submitted[n - 1].id });
      // The event's answer and the GET: the latest revision whole, the live options, the counts.
      const read = (await c.charityUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
      expect(view).toEqual(read);
      expect(read.problem).toMatchObject({ latestRevision: 7, revisions: [expect.objectContaining({ number: 7, statement: 'Statement 7' })] });
      expect(read.problem.revisions).toHaveLength(1);
      expect(read.options.map((o: { title: string }) => o.title)).toEqual(['Option 1', 'Option 3', 'Option 4', 'Option 7', 'Option 8']);
      expect(read.options.every((o: { status: string; summary: string }) => o.status === 'live' && o.summary.startsWith('Summary'))).toBe(true);
      expect(read.withdrawnOptionCount).toBe(4);
      // The whole view, asked for: every revision and option, as the view was before it was paged.
      const full = (await c.charityUser.as.get(`/v1/cycles/${id}?view=full`).expect(200)).body;
      expect(full.problem.revisions.map((r: { statement: string }) => r.statement)).toEqual([
        'Too many older people are admitted to hospital in winter.',
        ...Array.from({ length: 6 }, (_, i) => `Statement ${i + 2}`),
      ]);
      expect(full.options.map((o: { title: string; status: string }) => `${o.title} ${o.status}`)).toEqual(
        Array.from({ length: 9 }, (_, i) => `Option ${i + 1} ${[2, 5, 6, 9].includes(i + 1) ? 'withdrawn' : 'live'}`),
      );
      expect({ ...full, problem: { ...full.problem, revisions: full.problem.revisions.slice(-1) }, options: full.options.filter((o: { status: string }) => o.status === 'live') }).toEqual(read);
      // An event asked for the whole view answers it too.
      const fuller = await c.councilUser.as.post(`/v1/cycles/${id}/events?view=full`, { type: 'CLOSE_OPTIONS' }).expect(200);
      expect(fuller.body.options).toHaveLength(9);
      expect(fuller.body.problem.revisions).toHaveLength(7);

      /** Every page of a list, `limit` a page, checking each page's size. */
      const pages = async (path: string, limit: number) => {
        const items: Record<string, unknown>[] = [];
        const sizes: number[] = [];
        for (let cursor: string | null = null, n = 0; n === 0 || cursor; n++) {
          const page: { body: { items: Record<string, unknown>[]; nextCursor: string | null } } = await c.forumUser.as
            .get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
            .expect(200);
          items.push(...page.body.items);
          sizes.push(page.body.items.length);
          cursor = page.body.nextCursor;
        }
        return { items, sizes };
      };
      const revisions = await pages(`/v1/cycles/${id}/revisions`, 3);
      expect(revisions.sizes).toEqual([3, 3, 1]);
      expect(revisions.items).toEqual(full.problem.revisions);
      const withdrawn = await pages(`/v1/cycles/${id}/options?status=withdrawn`, 3);
      expect(withdrawn.sizes).toEqual([3, 1]);
      expect(withdrawn.items).toEqual(full.options.filter((o: { status: string }) => o.status === 'withdrawn'));
      expect((await pages(`/v1/cycles/${id}/options?status=live`, 2)).items).toEqual(read.options);
      expect((await pages(`/v1/cycles/${id}/options`, 4)).items).toEqual(full.options);
      // Without limit, one page of up to 100; a cursor goes on from where its page ended, whatever changed before it.
      expect((await c.forumUser.as.get(`/v1/cycles/${id}/revisions`).expect(200)).body).toEqual({ items: full.problem.revisions, nextCursor: null });
      const second = await c.forumUser.as.get(`/v1/cycles/${id}/options?status=withdrawn&limit=2&cursor=${submitted[4].id}`).expect(200);
      expect(second.body.items.map((o: { title: string }) => o.title)).toEqual(['Option 6', 'Option 9']);
      expect(second.body.nextCursor).toBeNull();

      for (const bad of [
        'revisions?cursor=abc',
        'revisions?cursor=-1',
        'revisions?limit=0',
        'revisions?limit=101',
        'revisions?other=1',
        `options?cursor=${id}`,
        'options?cursor=abc',
        'options?status=gone',
        `options?limit=101`,
      ]) {
        const res = await c.forumUser.as.get(`/v1/cycles/${id}/${bad}`).expect(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      for (const bad of ['view=all', 'view=']) {
        await c.forumUser.as.get(`/v1/cycles/${id}?${bad}`).expect(400);
        await c.forumUser.as.post(`/v1/cycles/${id}/events?${bad}`, { type: 'RECORD_PROGRESS', note: 'never sent' }).expect(400);
      }
      const outsider = await factory.user(await factory.organisation('provider'));
      await outsider.as.get(`/v1/cycles/${id}/revisions`).expect(404);
      await outsider.as.get(`/v1/cycles/${id}/options?status=withdrawn`).expect(404);
      await outsider.as.get(`/v1/cycles/${id}?view=full`).expect(404);
    });

    it('keeps the count of progress updates on the row, right when many arrive at once (batched, some retried)', async () => {
      const id = await c.newCycle();
      await toDelivering(id);
      await Promise.all(Array.from({ length: 12 }, (_, i) => ok(c.coOwners[i % 4].as, id, { type: 'RECORD_PROGRESS', note: `at once ${i}` })));
      const [{ counted }] = await sql(`SELECT count(*)::int AS counted FROM cycle_history WHERE cycle_id = $1 AND type = 'RECORD_PROGRESS'`, [id]);
      expect(counted).toBe(12);
      expect((await c.councilUser.as.get(`/v1/cycles/${id}`)).body.progressCount).toBe(12);
      const [{ progress_count }] = await sql(`SELECT progress_count FROM cycles WHERE id = $1`, [id]);
      expect(progress_count).toBe(12);
    });

    it('finds the cycles a person is involved in: co-owner organisations, panel members, facilitators, and no one else', async () => {
      const id = await c.newCycle();
      const service = api.app.get(CycleQueriesService);
      const principal = (u: { id: string; organisationId: string }, kind: 'commissioner' | 'provider' | 'community') => ({
        userId: u.id,
        role: 'member' as const,
        organisationId: u.organisationId,
        organisationKind: kind,
        generation: 0,
      });
      const ids = async (p: ReturnType<typeof principal>) => (await service.involvingSummaries(p, 500)).map((r) => r.id);
      expect(await ids(principal(c.charityUser, 'provider'))).toContain(id);
      // Each with the same next events as the whole cycle's read (the summary leaves out the texts of revisions and options).
      await toOptions(id);
      const charity = principal(c.charityUser, 'provider');
      const summary = (await service.involvingSummaries(charity, 500)).find((r) => r.id === id)!;
      expect(summary.nextEvents).toEqual((await service.get(charity, id)).nextEvents);
      expect(summary.snapshot.context.problem.revisions.every((r) => (r as { statement?: string }).statement === undefined)).toBe(true);
      // Read as the cycle stands: its next events move on with it.
      expect(summary.nextEvents).not.toContain('AMEND_OPTION');
      await ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: 'Calls', summary: 'Weekly calls' });
      const moved = (await service.involvingSummaries(charity, 500)).find((r) => r.id === id)!;
      expect(moved.nextEvents).toContain('AMEND_OPTION');
      expect(moved.nextEvents).toEqual((await service.get(charity, id)).nextEvents);
      expect(await ids(principal(c.panel[1], 'community'))).toContain(id); // a panel member whose organisation co-owns nothing
      expect(await ids(principal(c.facilitator, 'community'))).toContain(id);
      const colleague = await factory.user(c.orgs.mediation); // the facilitator's organisation, not involved itself
      expect(await ids(principal(colleague, 'community'))).not.toContain(id);
    });

    it('twenty progress updates sent at once all land, none lost', async () => {
      const id = await c.newCycle();
      await toDelivering(id);
      const before = (await c.councilUser.as.get(`/v1/cycles/${id}`)).body.version;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => send(c.coOwners[i % 4].as, id, { type: 'RECORD_PROGRESS', note: `update ${i}`, readings: [{ metric: c.outcome.metrics[0].id, value: i }] })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      // Each answer shows its own update, whether it won its race or was decided again.
      results.forEach((r, i) => expect(r.body.progress.map((p: { note: string }) => p.note)).toContain(`update ${i}`));
      const view = (await c.councilUser.as.get(`/v1/cycles/${id}`)).body;
      expect(view.version).toBe(before + 20);
      expect(view.progress.map((p: { note: string }) => p.note).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `update ${i}`).sort());
      await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: view.version });
    });

    it('progress lives in the history, not the snapshot; machine version 1 snapshots convert both ways', async () => {
      const id = await c.newCycle();
      await toDelivering(id);
      await ok(c.charityUser.as, id, { type: 'RECORD_PROGRESS', note: 'First', readings: [{ metric: c.outcome.metrics[0].id, value: 3 }] });
      const view = await ok(c.councilUser.as, id, { type: 'RECORD_PROGRESS', note: 'Second' });
      // Migrations are the tables' owner's to run.
      const owner = await ownerDataSource();
      const runner = owner.createQueryRunner();
      const stored = async () => (await runner.query(`SELECT snapshot, machine_version FROM cycles WHERE id = $1`, [id]))[0] as { snapshot: any; machine_version: number };
      await runner.startTransaction();
      try {
        expect(await stored()).toMatchObject({ machine_version: 2, snapshot: { context: expect.not.objectContaining({ progress: expect.anything() }) } });
        const migration = new ProgressFromHistory1763940000000();
        await migration.down(runner);
        // Machine version 1 kept the updates without their history position.
        const kept = view.progress.map(({ seq: _seq, ...update }: { seq: number }) => update);
        expect(await stored()).toMatchObject({ machine_version: 1, snapshot: { context: { progress: kept } } });
        await migration.up(runner);
        const after = await stored();
        expect(after.machine_version).toBe(2);
        expect(after.snapshot.context.progress).toBeUndefined();
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
        await owner.destroy();
      }
    });
  });

  describe('history', () => {
    // That the database refuses the apps' role any change of history, and its owner by the triggers: test/medium/append-only-tables.

    it('verify reports where a row altered behind the application breaks the chain', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'The real statement' });
      // A superuser can switch triggers off; the chain still tells.
      await asOwner(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE cycle_history SET payload = '{"statement":"A forged statement"}' WHERE cycle_id = $1 AND seq = 3`, [id]);
      });
      const verdict = await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200);
      expect(verdict.body).toEqual({ intact: false, brokenAtSeq: 3, length: 4, reason: expect.stringMatching(/Entry 3 was changed/) });
    });

    it('what was verified stays evidence: a history rewritten and re-hashed, or rolled back with its cycle, since it was verified is reported', async () => {
      const rewritten = await c.newCycle();
      await toFraming(rewritten);
      await ok(c.forumUser.as, rewritten, { type: 'REVISE_PROBLEM', statement: 'Honest' });
      const { version } = (await c.councilUser.as.get(`/v1/cycles/${rewritten}`).expect(200)).body;
      await c.councilUser.as.get(`/v1/cycles/${rewritten}/history/verify`).expect(200, { intact: true, length: version });
      // The newest entry replaced by a forged one, properly chained, and the cycle's head pointed at it: link by link it holds.
      const last = (await sql(`SELECT * FROM cycle_history WHERE cycle_id = $1 AND seq = $2`, [rewritten, version]))[0];
      const forged = chainedEntry(rewritten, version, last.prev_hash, {
        type: last.type,
        actorUserId: last.actor_user_id,
        organisationId: last.organisation_id,
        representative: last.representative,
        fromState: last.from_state,
        toState: last.to_state,
        payload: { statement: 'Forged' },
        at: last.at,
      });
      await asOwner(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE cycle_history SET payload = $3, hash = $4 WHERE cycle_id = $1 AND seq = $2`, [rewritten, version, forged.payload, forged.hash]);
        await m.query(`UPDATE cycles SET history_hash = $2 WHERE id = $1`, [rewritten, forged.hash]);
      });
      expect((await c.councilUser.as.get(`/v1/cycles/${rewritten}/history/verify`).expect(200)).body).toMatchObject({
        intact: false,
        brokenAtSeq: version,
        reason: expect.stringMatching(/rewritten since/),
      });

      const rolledBack = await c.newCycle();
      await toFraming(rolledBack);
      await ok(c.forumUser.as, rolledBack, { type: 'REVISE_PROBLEM', statement: 'Kept' });
      const at = (await c.councilUser.as.get(`/v1/cycles/${rolledBack}`).expect(200)).body.version;
      await c.councilUser.as.get(`/v1/cycles/${rolledBack}/history/verify`).expect(200, { intact: true, length: at });
      const before = (await sql(`SELECT hash FROM cycle_history WHERE cycle_id = $1 AND seq = $2`, [rolledBack, at - 1]))[0].hash;
      await asOwner(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`DELETE FROM cycle_history WHERE cycle_id = $1 AND seq = $2`, [rolledBack, at]);
        await m.query(`UPDATE cycles SET version = $2, history_hash = $3 WHERE id = $1`, [rolledBack, at - 1, before]);
      });
      expect((await c.councilUser.as.get(`/v1/cycles/${rolledBack}/history/verify`).expect(200)).body).toMatchObject({
        intact: false,
        brokenAtSeq: at,
        reason: expect.stringMatching(/removed since/),
      });
    });

    it('verify reports the newest entries deleted behind the application, by the cycle’s version and head hash', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'First statement' });
      await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Second statement' });
      const { version } = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
      await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: version });
      // What is left still links entry to entry: only the cycle's row says there was more.
      await asOwner(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`DELETE FROM cycle_history WHERE cycle_id = $1 AND seq > $2`, [id, version - 2]);
      });
      const verdict = await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200);
      expect(verdict.body).toEqual({
        intact: false,
        brokenAtSeq: version - 1,
        length: version - 2,
        reason: `The cycle is at version ${version} but its history ends at entry ${version - 2}: the newest entries are missing.`,
      });
    });
    it('verify and the audit compare what the cycle shows, its stored snapshot and texts, with its history', async () => {
      const id = await c.newCycle();
      await toDelivering(id);
      const view = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
      const history: { seq: number; type: string }[] = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
      const seqOf = (type: string) => history.find((h) => h.type === type)!.seq;
      const verify = async (query = '') => (await c.councilUser.as.get(`/v1/cycles/${id}/history/verify${query}`).expect(200)).body;
      expect(await verify()).toEqual({ intact: true, length: view.version });
      const [{ snapshot }] = await asOwner((m) => m.query(`SELECT snapshot FROM cycles WHERE id = $1`, [id]));
      const [{ body: statement }] = await asOwner((m) => m.query(`SELECT body FROM cycle_texts WHERE cycle_id = $1 AND key = 'revision:1'`, [id]));
      const restore = () =>
        asOwner(async (m) => {
          await m.query(`UPDATE cycles SET snapshot = $2 WHERE id = $1`, [id, snapshot]);
          await m.query(`UPDATE cycle_texts SET body = $2 WHERE cycle_id = $1 AND key = 'revision:1'`, [id, statement]);
        });

      // A problem statement rewritten behind the history (the chain itself still holds).
      await asOwner((m) => m.query(`UPDATE cycle_texts SET body = 'A statement nobody wrote' WHERE cycle_id = $1 AND key = 'revision:1'`, [id]));
      expect(await verify()).toEqual({
        intact: false,
        brokenAtSeq: seqOf('REVISE_PROBLEM'),
        length: view.version,
        disagrees: 'texts',
        reason: `The text of problem revision 1 is not the statement entry ${seqOf('REVISE_PROBLEM')} of its history recorded.`,
      });
      // Kept: the web page's verification (from the checkpoint, without comparing) reports it too, until it holds again.
      expect(await api.app.get(HistoryAuditService).verify(id)).toMatchObject({ intact: false, disagrees: 'texts' });
      await restore();
      expect(await verify()).toEqual({ intact: true, length: view.version });

      // A consent taken out of the stored snapshot, and an option's title changed.
      await asOwner((m) => m.query(`UPDATE cycles SET snapshot = jsonb_set(snapshot, '{context,proposals,0,consents}', '[]') WHERE id = $1`, [id]));
      expect(await verify()).toMatchObject({ intact: false, disagrees: 'snapshot', reason: expect.stringMatching(/proposal 1 is not what entry \d+ of its history recorded/) });
      await restore();
      await asOwner(async (m) => {
        await m.query(`UPDATE cycles SET snapshot = jsonb_set(snapshot, '{context,options,0,title}', '"A better title"') WHERE id = $1`, [id]);
        await m.query(`UPDATE history_checkpoints SET full_checked_at = '2000-01-01', broken_at_seq = NULL WHERE cycle_id = $1`, [id]);
      });
      // The background audit compares them on its full walk.
      const audit = api.app.get(HistoryAuditService);
      let found = false;
      for (let round = 0; round < 50 && !found; round++) found = (await audit.auditOldest(500)).broken.includes(id);
      expect(found).toBe(true);
      expect(await verify()).toMatchObject({ intact: false, brokenAtSeq: seqOf('SUBMIT_OPTION'), disagrees: 'snapshot', reason: expect.stringMatching(/option 1 is not what entry/) });
      await restore();
      expect(await verify('?full=true')).toEqual({ intact: true, length: view.version });
    });
  });

  describe('long histories', () => {
    it('a large snapshot one process holds is used only while the cycle is at that version: another process’s events are always seen', async () => {
      const { randomBytes } = await import('node:crypto');
      const other = await createTestApi();
      try {
        const id = await c.newCycle();
        await toOptions(id);
        // Titles that do not compress: the snapshot (stored without the summaries) is large enough to be held.
        for (let i = 0; i < 16; i++) await ok(c.forumUser.as, id, { type: 'SUBMIT_OPTION', title: `Option ${i}: ${randomBytes(200).toString('base64')}`, summary: `Summary ${i}` });
        expect((await sql(`SELECT pg_column_size(snapshot) AS n FROM cycles WHERE id = $1`, [id]))[0].n).toBeGreaterThan(4 * 1024);
        const here = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
        // Events through the other process, which this one does not see being written.
        const elsewhere = agent(other.http, c.charityUser.as.token);
        await elsewhere.post(`/v1/cycles/${id}/events`, { type: 'SUBMIT_OPTION', title: 'Written elsewhere', summary: 'Its summary, elsewhere' }).expect(200);
        const after = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
        expect(after.version).toBe(here.version + 1);
        expect(after.options.at(-1)).toMatchObject({ title: 'Written elsewhere', summary: 'Its summary, elsewhere' });
        // Its own events move what it holds on; what it answers is what the database says.
        await ok(c.forumUser.as, id, { type: 'SUBMIT_OPTION', title: 'Written here', summary: 'Its summary, here' });
        const mine = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
        const theirs = (await agent(other.http, c.councilUser.as.token).get(`/v1/cycles/${id}`).expect(200)).body;
        expect(mine).toEqual(theirs);
        expect(mine.options.at(-1)).toMatchObject({ title: 'Written here', summary: 'Its summary, here' });
        expect(mine.options.map((o: { summary: string }) => o.summary)).toEqual([...Array.from({ length: 16 }, (_, i) => `Summary ${i}`), 'Its summary, elsewhere', 'Its summary, here']);
      } finally {
        await other.close();
      }
    });

    it('long texts one process holds are not read again while the cycle is at that version: any event, here or elsewhere, is seen', async () => {
      const other = await createTestApi();
      try {
        const id = await c.newCycle();
        await toFraming(id);
        // Four statements of 8,000 characters: texts large enough to be kept between reads.
        for (let i = 0; i < 4; i++) await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: `${i} `.padEnd(8_000, 'long statement ') });
        // The whole view: every revision's statement.
        const get = async (http = api.http) => (await agent(http, c.councilUser.as.token).get(`/v1/cycles/${id}?view=full`).expect(200)).body;
        const first = await get();
        // Changed behind the application's back, its version not moved (as nothing must): this
        // process answers the texts it holds, read at this version.
        await sql(`UPDATE cycle_texts SET body = 'Changed behind its back' WHERE cycle_id = $1 AND key = 'revision:2'`, [id]);
        expect(await get()).toEqual(first);
        // Another process's event moves the version: the texts are read afresh.
        await agent(other.http, c.charityUser.as.token).post(`/v1/cycles/${id}/events`, { type: 'OBJECT_PROBLEM', revision: 5, reason: 'Too long to read' }).expect(200);
        const after = await get();
        expect(after.version).toBe(first.version + 1);
        expect(after.problem.revisions[1].statement).toBe('Changed behind its back');
        // This process's own event that writes a text: what it held is forgotten, the new text shows.
        await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'A short statement at last.' });
        const mine = await get();
        expect(mine.problem.revisions.at(-1).statement).toBe('A short statement at last.');
        expect(mine).toEqual(await get(other.http));
        // And one that writes none moves what it holds on to the new version.
        await ok(c.charityUser.as, id, { type: 'OBJECT_PROBLEM', revision: 6, reason: 'Still unclear' });
        const last = await get();
        expect(last.version).toBe(mine.version + 1);
        expect(last).toEqual(await get(other.http));
        expect(last.problem.revisions.map((r: { statement: string }) => r.statement.length)).toEqual(mine.problem.revisions.map((r: { statement: string }) => r.statement.length));
      } finally {
        await other.close();
      }
    });

    it('answers a long-lived cycle’s view with the JSON the whole view makes, its texts made once per version and each caller’s own parts their own', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      // Texts large enough to be kept as JSON between answers (16 KB and more: the latest revision's, the view's).
      for (let i = 0; i < 3; i++) await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: `${i} “quoted” \\ 🙂 `.padEnd(20_000, 'long statement ') });
      const raw = async (as: Agent) => {
        const res = await agent(api.http, as.token)
          .get(`/v1/cycles/${id}`)
          .buffer(true)
          .parse((r, done) => {
            const chunks: Buffer[] = [];
            r.on('data', (d: Buffer) => chunks.push(d));
            r.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
          })
          .expect(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(res.headers.etag).toMatch(/^"\d+"$/);
        // Sent in pieces (the kept texts as they are), its length said: not chunked.
        expect(res.headers['transfer-encoding']).toBeUndefined();
        expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body as unknown as string));
        return res.body as unknown as string;
      };
      const council = await raw(c.councilUser.as);
      const forum = await raw(c.forumUser.as);
      // The very bytes JSON.stringify makes of the view.
      expect(council).toBe(JSON.stringify(JSON.parse(council)));
      expect(forum).toBe(JSON.stringify(JSON.parse(forum)));
      const [councilView, forumView] = [JSON.parse(council), JSON.parse(forum)];
      expect(councilView.problem.revisions.map((r: { statement: string }) => r.statement.slice(0, 12))).toEqual(['2 “quoted” \\']);
      // One version, the same texts, and each caller's next events.
      expect(forumView.version).toBe(councilView.version);
      expect(forumView.problem).toEqual(councilView.problem);
      expect(forumView.nextEvents).not.toEqual(councilView.nextEvents);
      expect(councilView.nextEvents).toEqual(expect.arrayContaining(['REVISE_PROBLEM']));
      // A new revision moves the version: its text shows.
      await ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Short and new.' });
      const after = JSON.parse(await raw(c.councilUser.as));
      expect(after.version).toBe(councilView.version + 1);
      expect(after.problem.revisions.at(-1).statement).toBe('Short and new.');
      // HEAD: the headers alone.
      const head = await request(api.http).head(`/v1/cycles/${id}`).set('Authorization', `Bearer ${c.councilUser.as.token}`).expect(200);
      expect(head.headers.etag).toBe(`"${after.version}"`);
      expect(head.text ?? '').toBe('');
    });

    it('stores a cycle without its texts (kept apart, one row each) and shows them; a snapshot stored with them still shows them and gives them up on its next change', async () => {
      const id = await c.newCycle();
      await toOptions(id);
      const submitted = await ok(c.forumUser.as, id, { type: 'SUBMIT_OPTION', title: 'Warm hubs', summary: 'Libraries open as warm spaces.' });
      const optionId = submitted.options.at(-1).id;
      await ok(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, title: 'Warm hubs, with lunch' });
      let view = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
      expect(view.options.at(-1)).toMatchObject({ title: 'Warm hubs, with lunch', summary: 'Libraries open as warm spaces.', amendments: 1 });
      await ok(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, summary: 'Libraries and halls open as warm spaces.' });
      view = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
      expect(view.options.at(-1).summary).toBe('Libraries and halls open as warm spaces.');
      expect(view.problem.revisions.every((r: { statement: string }) => r.statement.length > 0)).toBe(true);
      const stored = async () => (await sql(`SELECT snapshot::text AS s FROM cycles WHERE id = $1`, [id]))[0].s as string;
      expect(await stored()).not.toMatch(/"statement"|"summary"/);
      const texts = await sql(`SELECT key, body FROM cycle_texts WHERE cycle_id = $1 AND key = $2`, [id, `option:${optionId}`]);
      expect(texts).toEqual([{ key: `option:${optionId}`, body: 'Libraries and halls open as warm spaces.' }]);
      // A minimal answer reads no texts and shows none.
      const minimal = await c.forumUser.as.post(`/v1/cycles/${id}/events`).set('Prefer', 'return=minimal').send({ type: 'AMEND_OPTION', optionId, title: 'Warm hubs' }).expect(200);
      expect(JSON.stringify(minimal.body)).not.toMatch(/summary|statement/);

      // As a snapshot stored before texts were kept apart: its own texts are shown.
      await sql(
        `UPDATE cycles SET snapshot = jsonb_set(snapshot, '{context,options}', (SELECT jsonb_agg(CASE WHEN o->>'id' = $2 THEN o || '{"summary": "Inline, from before"}' ELSE o END ORDER BY n)
           FROM jsonb_array_elements(snapshot->'context'->'options') WITH ORDINALITY AS x(o, n))) WHERE id = $1`,
        [id, optionId],
      );
      const other = await createTestApi();
      try {
        const before = (await agent(other.http, c.councilUser.as.token).get(`/v1/cycles/${id}`).expect(200)).body;
        expect(before.options.at(-1).summary).toBe('Inline, from before');
        // Its next change stores it without, the text moved apart.
        await agent(other.http, c.forumUser.as.token).post(`/v1/cycles/${id}/events`, { type: 'SUBMIT_OPTION', title: 'Another', summary: 'Another summary' }).expect(200);
        expect(await stored()).not.toMatch(/"statement"|"summary"/);
        const after = (await agent(other.http, c.councilUser.as.token).get(`/v1/cycles/${id}`).expect(200)).body;
        expect(after.options.map((o: { summary: string }) => o.summary).slice(-2)).toEqual(['Inline, from before', 'Another summary']);
      } finally {
        await other.close();
      }
    });

    it('pages the history with limit and cursor; without them, the whole history as an array', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      for (let i = 0; i < 7; i++) await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: `Statement ${i}` });
      const whole = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
      expect(whole.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: whole.length }, (_, i) => i + 1));
      const paged: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: unknown[]; nextCursor: string | null } = (await c.councilUser.as.get(`/v1/cycles/${id}/history?limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200)).body;
        expect(page.items.length).toBeLessThanOrEqual(3);
        paged.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(whole);
      await c.councilUser.as.get(`/v1/cycles/${id}/history?cursor=abc`).expect(400);
      await c.councilUser.as.get(`/v1/cycles/${id}/history?limit=0`).expect(400);
      await c.councilUser.as.get(`/v1/cycles/${id}/history?limit=1001`).expect(400);
      const outsider = await factory.user(await factory.organisation('provider'));
      await outsider.as.get(`/v1/cycles/${id}/history`).expect(404);
      await outsider.as.get(`/v1/cycles/${id}/history?limit=5`).expect(404);
    });

    it('verify goes on from its checkpoint; a full verification (asked for, or the background audit) finds an older change, and it is reported from then on', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'The real statement' });
      await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: 4 });
      expect((await sql(`SELECT seq FROM history_checkpoints WHERE cycle_id = $1`, [id]))[0].seq).toBe(4);
      await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'A second statement' });
      await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: 5 });
      expect((await sql(`SELECT seq FROM history_checkpoints WHERE cycle_id = $1`, [id]))[0].seq).toBe(5);
      // An entry after the checkpoint changed: found by the ordinary verification.
      await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'A third statement' });
      await asOwner(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE cycle_history SET payload = '{"statement":"Forged late"}' WHERE cycle_id = $1 AND seq = 6`, [id]);
      });
      expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200)).body).toMatchObject({ intact: false, brokenAtSeq: 6 });
      // The checkpoint's own entry changed: found too (its content is hashed again each time).
      const other = await c.newCycle();
      await toFraming(other);
      await c.councilUser.as.get(`/v1/cycles/${other}/history/verify`).expect(200, { intact: true, length: 3 });
      await asOwner(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE cycle_history SET payload = '{"forged":true}' WHERE cycle_id = $1 AND seq = 3`, [other]);
      });
      expect((await c.councilUser.as.get(`/v1/cycles/${other}/history/verify`).expect(200)).body).toMatchObject({ intact: false, brokenAtSeq: 3 });

      // An entry before the checkpoint changed: the ordinary verification trusts what it verified; a full one finds it, and from then on every verification reports it.
      const old = await c.newCycle();
      await toFraming(old);
      await ok(c.forumUser.as, old, { type: 'REVISE_PROBLEM', statement: 'Old statement' });
      await c.councilUser.as.get(`/v1/cycles/${old}/history/verify`).expect(200, { intact: true, length: 4 });
      await asOwner(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE cycle_history SET payload = '{"forged":true}' WHERE cycle_id = $1 AND seq = 1`, [old]);
      });
      await c.councilUser.as.get(`/v1/cycles/${old}/history/verify`).expect(200, { intact: true, length: 4 });
      // A full walk was made minutes ago (the first verification): asked again so soon, it goes on from the checkpoint.
      await c.councilUser.as.get(`/v1/cycles/${old}/history/verify?full=true`).expect(200, { intact: true, length: 4 });
      await sql(`UPDATE history_checkpoints SET full_checked_at = full_checked_at - interval '10 minutes' WHERE cycle_id = $1`, [old]);
      expect((await c.councilUser.as.get(`/v1/cycles/${old}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: false, brokenAtSeq: 1 });
      expect((await c.councilUser.as.get(`/v1/cycles/${old}/history/verify`).expect(200)).body).toMatchObject({ intact: false, brokenAtSeq: 1 });
      await c.councilUser.as.get(`/v1/cycles/${old}/history/verify?full=yes`).expect(400);

      // The background audit verifies every chain in full, those checked longest ago first.
      const audited = await c.newCycle();
      await toFraming(audited);
      await c.councilUser.as.get(`/v1/cycles/${audited}/history/verify`).expect(200, { intact: true, length: 3 });
      await asOwner(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE cycle_history SET payload = '{"forged":true}' WHERE cycle_id = $1 AND seq = 1`, [audited]);
        await m.query(`UPDATE history_checkpoints SET full_checked_at = '2000-01-01' WHERE cycle_id = $1`, [audited]);
      });
      const audit = api.app.get(HistoryAuditService);
      let found = false;
      for (let round = 0; round < 50 && !found; round++) found = (await audit.auditOldest(500)).broken.includes(audited);
      expect(found).toBe(true);
      expect((await c.councilUser.as.get(`/v1/cycles/${audited}/history/verify`).expect(200)).body).toMatchObject({ intact: false, brokenAtSeq: 1 });
      // Paced by its caller: told how long each cycle took, and stopped when it answers false.
      const took: number[] = [];
      const paced = await audit.auditOldest(5, async (ms) => {
        took.push(ms);
        return took.length < 3;
      });
      expect(paced.checked).toBe(3);
      expect(took).toHaveLength(3);
      expect(took.every((ms) => ms > 0)).toBe(true);
    });
  });

  describe('listing', () => {
    it('pages newest first with a cursor, filtered by partnership and state', async () => {
      const mine = await collaboration(factory);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await mine.newCycle({ title: `Cycle ${i}` }));
      await mine.councilUser.as.post(`/v1/cycles/${ids[1]}/events`, { type: 'LAUNCH' }).expect(200);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/v1/cycles?partnershipId=${mine.partnershipId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await mine.forumUser.as.get(url).expect(200)).body;
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((x: { id: string }) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      const framing = (await mine.forumUser.as.get(`/v1/cycles?partnershipId=${mine.partnershipId}&state=framing`).expect(200)).body;
      expect(framing.items.map((x: { id: string }) => x.id)).toEqual([ids[1]]);
      await mine.forumUser.as.get('/v1/cycles?state=flying').expect(400);
      await mine.forumUser.as.get('/v1/cycles?limit=1000').expect(400);
      await mine.forumUser.as.get('/v1/cycles?cursor=00000000-0000-4000-8000-000000000000').expect(400);
      // A cycle of a partnership the caller is not in, or of another partnership than the one asked for, is no cursor.
      const elsewhere = await c.newCycle();
      await mine.forumUser.as.get(`/v1/cycles?cursor=${elsewhere}`).expect(400);
      const second = await mine.councilUser.as.post('/v1/partnerships', { name: 'Second', memberOrganisationIds: [mine.orgs.forum.id] }).expect(201);
      await factory.acceptInvitations(second.body.id, [mine.orgs.forum.id]);
      await mine.forumUser.as.get(`/v1/cycles?partnershipId=${second.body.id}&cursor=${ids[2]}`).expect(400);
      await mine.forumUser.as.get(`/v1/cycles?partnershipId=${mine.partnershipId}&cursor=${ids[2]}`).expect(200);
      const everything = (await mine.forumUser.as.get('/v1/cycles?limit=100').expect(200)).body;
      expect(everything.items.every((x: { partnershipId: string }) => x.partnershipId === mine.partnershipId)).toBe(true);
    });

    it('a platform admin pages every partnership’s cycles newest first, across partnerships, filtered by state', async () => {
      const [one, two] = [await collaboration(factory), await collaboration(factory)];
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) for (const p of [one, two]) ids.push(await p.newCycle({ title: `Across ${i}` }));
      await two.councilUser.as.post(`/v1/cycles/${ids[3]}/events`, { type: 'LAUNCH' }).expect(200);
      // The newest six of the whole service are these, newest first, in pages of four and two.
      const first = (await factory.admin.get('/v1/cycles?limit=4').expect(200)).body;
      const second = (await factory.admin.get(`/v1/cycles?limit=2&cursor=${first.nextCursor}`).expect(200)).body;
      expect([...first.items, ...second.items].map((x: { id: string }) => x.id)).toEqual([...ids].reverse());
      const framing = (await factory.admin.get('/v1/cycles?state=framing&limit=100').expect(200)).body.items.map((x: { id: string }) => x.id);
      expect(framing).toContain(ids[3]);
      expect(framing.filter((id: string) => ids.includes(id))).toEqual([ids[3]]);
      // Its partnership filter still reads that partnership only.
      const only = (await factory.admin.get(`/v1/cycles?partnershipId=${one.partnershipId}&limit=100`).expect(200)).body.items;
      expect(only.map((x: { id: string }) => x.id)).toEqual([ids[4], ids[2], ids[0]]);
    });
  });
});
