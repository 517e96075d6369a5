import { AgreementReviewsService } from '@app/agreements';
import { ManualClock } from '@app/domain';
import { Factory, TestApi, TestUser, asOwner, createTestApi, createTestWorker, eventually, startTestApi, testClock } from '@test/support';

const DAY = 24 * 3600_000;

/** The partnership's own agreement over HTTP: five members, an objection, a new version, all consent, verify. */
describe('the partnership agreement', () => {
  let api: TestApi;
  let factory: Factory;
  let partnershipId: string;
  let members: TestUser[];

  beforeAll(async () => {
    ({ api, factory } = await startTestApi());
    const orgs = await Promise.all([
      factory.organisation('commissioner', 'Northshire County Council'),
      factory.organisation('commissioner', 'Northshire ICB'),
      factory.organisation('provider', 'Age Well Northshire'),
      factory.organisation('community', "Northshire Residents' Forum"),
      factory.organisation('provider', 'Northshire Carers Centre'),
    ]);
    members = await Promise.all(orgs.map((o) => factory.user(o)));
    const created = await members[0].as
      .post('/v1/partnerships', { name: 'Healthy Ageing', memberOrganisationIds: orgs.slice(1).map((o) => o.id), destination: 'Older people live well at home', principles: ['Decide together'] })
      .expect(201);
    partnershipId = created.body.id;
    await factory.acceptInvitations(
      partnershipId,
      orgs.slice(1).map((o) => o.id),
    );
  });
  afterAll(() => api.close());

  const url = () => `/v1/partnerships/${partnershipId}/agreement`;
  const send = (who: TestUser, body: object) => who.as.post(`${url()}/events`, body);

  it('takes the partnership’s text as version 1, in drafting; positions, an objection, a new version, every member’s consent agrees it', async () => {
    const first = await members[2].as.get(url()).expect(200);
    expect(first.body).toMatchObject({ state: 'drafting', current: { number: 1, destination: 'Older people live well at home', principles: ['Decide together'] }, agreed: null });
    expect(first.body.nextEvents).toEqual(['PROPOSE_AGREEMENT', 'STATE_POSITION']);

    for (const [i, who] of members.entries()) {
      await send(who, { type: 'STATE_POSITION', whatsInItForUs: `Benefit ${i}`, readiness: i === 3 ? 'concerns' : 'ready', ...(i === 3 && { concerns: 'Residents must be asked' }) }).expect(200);
    }
    let view = (
      await send(members[0], { type: 'PROPOSE_AGREEMENT', destination: 'Older people live well and independently at home', horizonYear: 2035, principles: ['Decide together', 'Open books'] }).expect(
        200,
      )
    ).body;
    expect(view).toMatchObject({ state: 'consulting', current: { number: 2, horizonYear: 2035 } });
    expect(view.positions).toHaveLength(5);
    const objection = await send(members[3], { type: 'OBJECT_AGREEMENT', number: 2, reason: 'Residents were not asked' }).expect(200);
    expect(objection.body.objections).toEqual([{ organisationId: members[3].organisationId, reason: 'Residents were not asked' }]);
    const stale = await send(members[1], { type: 'CONSENT_AGREEMENT', number: 1 }).expect(422);
    expect(stale.body.detail).toBe('Version 1 is not the one under consultation; version 2 is.');
    view = (
      await send(members[3], { type: 'PROPOSE_AGREEMENT', destination: 'Older people, asked first, live well at home', horizonYear: 2035, principles: ['Decide together', 'Residents first'] }).expect(
        200,
      )
    ).body;
    expect(view.objections).toEqual([]);
    for (const who of members) view = (await send(who, { type: 'CONSENT_AGREEMENT', number: 3 }).expect(200)).body;
    expect(view).toMatchObject({ state: 'agreed', agreed: { number: 3, destination: 'Older people, asked first, live well at home' }, notConsentedToAgreed: [] });

    // A member that joins later has not consented until the next review.
    const joiner = await factory.organisation('community', 'Lived Experience Network');
    await members[0].as.post(`/v1/partnerships/${partnershipId}/members`, { organisationIds: [joiner.id] }).expect(201);
    await factory.acceptInvitations(partnershipId, [joiner.id]);
    expect((await members[0].as.get(url()).expect(200)).body.notConsentedToAgreed).toEqual([joiner.id]);

    // A member asks for a review: it starts again.
    view = (await send(members[1], { type: 'REOPEN_AGREEMENT', reason: 'The new ICB strategy' }).expect(200)).body;
    expect(view.state).toBe('reviewing');
  });

  it('refuses outsiders and bad input, and its history is hash-chained: intact, and a tampered row is detected', async () => {
    const outsider = await factory.user(await factory.organisation('provider'));
    await outsider.as.get(url()).expect(404);
    const bad = await send(members[0], { type: 'STATE_POSITION', whatsInItForUs: 'x', readiness: 'concerns' }).expect(400);
    expect(bad.body.errors).toEqual([{ field: 'concerns', message: 'Enter your concerns' }]);
    await send(members[0], { type: 'AGREEMENT_REVIEW_DUE' }).expect(400);
    // Names of Object.prototype are not event types.
    for (const type of ['valueOf', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) await send(members[0], { type }).expect(400);
    const history = (await members[0].as.get(`${url()}/history`).expect(200)).body;
    expect(history[0]).toMatchObject({ seq: 1, type: 'CREATED', toState: 'drafting' });
    expect(history.at(-1)).toMatchObject({ type: 'REOPEN_AGREEMENT', fromState: 'agreed', toState: 'reviewing' });
    await members[0].as.get(`${url()}/history/verify`).expect(200, { intact: true, length: history.length });
    await asOwner(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE agreement_history SET payload = jsonb_set(payload, '{reason}', '"Rewritten"') WHERE partnership_id = $1 AND type = 'OBJECT_AGREEMENT'`, [partnershipId]);
    });
    const verdict = (await members[0].as.get(`${url()}/history/verify`).expect(200)).body;
    expect(verdict).toMatchObject({ intact: false, brokenAtSeq: history.findIndex((h: { type: string }) => h.type === 'OBJECT_AGREEMENT') + 1 });
  });

  describe('the review date (agreementReviewDue), aligned to an anchor', () => {
    let timed: TestApi;
    let clock: ManualClock;
    let owners: TestUser[];
    let id: string;
    const agreementOf = (who: TestUser) =>
      who.as
        .get(`/v1/partnerships/${id}/agreement`)
        .expect(200)
        .then((r) => r.body);
    const agree = async () => {
      const proposed = (
        await owners[0].as
          .post(`/v1/partnerships/${id}/agreement/events`, { type: 'PROPOSE_AGREEMENT', destination: 'Fewer falls at home', horizonYear: 2030, principles: ['Share the data'] })
          .expect(200)
      ).body;
      for (const who of owners) await who.as.post(`/v1/partnerships/${id}/agreement/events`, { type: 'CONSENT_AGREEMENT', number: proposed.current.number }).expect(200);
    };

    beforeAll(async () => {
      clock = new ManualClock(testClock().now());
      timed = await createTestApi({ clock });
      const f = await Factory.create(timed.http);
      const orgs = await Promise.all([f.organisation('commissioner', 'Eastshire Council'), f.organisation('provider', 'Eastshire Falls Service'), f.organisation('community', 'Eastshire Voices')]);
      owners = await Promise.all(orgs.map((o) => f.user(o)));
      id = (await owners[0].as.post('/v1/partnerships', { name: 'Falls prevention', memberOrganisationIds: orgs.slice(1).map((o) => o.id) }).expect(201)).body.id;
      await f.acceptInvitations(
        id,
        orgs.slice(1).map((o) => o.id),
      );
    });
    afterAll(() => timed.close());

    it('is set by a commissioner member; moves with its anchor; reopens an agreed agreement once, and is moot otherwise', async () => {
      const anchorAt = new Date(clock.now().getTime() + 30 * DAY);
      const anchor = (await owners[0].as.post(`/v1/partnerships/${id}/anchors`, { name: 'Annual review', date: anchorAt.toISOString() }).expect(201)).body;
      // Bad input and the wrong people change nothing.
      await owners[0].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: anchor.id, offsetDays: 1, offsetWorkingDays: 1 }).expect(400);
      await owners[0].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: '00000000-0000-4000-8000-000000000000', offsetDays: 0 }).expect(400);
      const past = await owners[0].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: anchor.id, offsetDays: -60 }).expect(400);
      expect(past.body.errors[0].message).toMatch(/which has passed/);
      await owners[1].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: anchor.id, offsetDays: 0 }).expect(403);
      expect((await agreementOf(owners[1])).review).toBeNull();

      const view = (await owners[0].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: anchor.id, offsetWorkingDays: -5 }).expect(200)).body;
      expect(view.review).toMatchObject({ kind: 'agreementReviewDue', anchorId: anchor.id, anchorName: 'Annual review', offsetWorkingDays: -5, status: 'scheduled' });
      expect(new Date(view.review.dueAt).getTime()).toBeLessThan(anchorAt.getTime());
      // The anchor moves a week later: the review date follows it.
      const moved = new Date(anchorAt.getTime() + 7 * DAY);
      await owners[0].as.patch(`/v1/partnerships/${id}/anchors/${anchor.id}`, { date: moved.toISOString() }).expect(200);
      const dueAt = new Date((await agreementOf(owners[2])).review.dueAt);
      expect(dueAt.getTime()).toBeGreaterThan(new Date(view.review.dueAt).getTime());
      await owners[0].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: anchor.id, offsetDays: 0 }).expect(200);

      await agree();
      const reviews = timed.app.get(AgreementReviewsService);
      expect(await reviews.fireDue()).toBe(0);
      expect((await agreementOf(owners[0])).state).toBe('agreed');
      clock.set(moved);
      // Two workers at once: fired once.
      expect((await Promise.all([reviews.fireDue(), reviews.fireDue()])).reduce((a, b) => a + b)).toBe(1);
      const reopened = await agreementOf(owners[1]);
      expect(reopened).toMatchObject({ state: 'reviewing', review: { status: 'fired' } });
      const history = (await owners[0].as.get(`/v1/partnerships/${id}/agreement/history`).expect(200)).body;
      expect(history.at(-1)).toMatchObject({ type: 'AGREEMENT_REVIEW_DUE', fromState: 'agreed', toState: 'reviewing', organisationId: null });
      expect((await owners[0].as.get(`/v1/partnerships/${id}/agreement/history/verify`).expect(200)).body.intact).toBe(true);

      // A review date that comes while the agreement is not agreed is moot: nothing moves.
      const next = (await owners[0].as.post(`/v1/partnerships/${id}/anchors`, { name: 'Next year', date: new Date(clock.now().getTime() + 10 * DAY).toISOString() }).expect(201)).body;
      await owners[0].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: next.id, offsetDays: 0 }).expect(200);
      clock.advance(11 * DAY);
      expect(await reviews.fireDue()).toBe(1);
      const moot = await agreementOf(owners[0]);
      expect(moot.state).toBe('reviewing');
      expect(moot.review.status).toBe('moot');
      expect(moot.review.changes.at(-1).note).toMatch(/review date no longer applies/);

      // Cancelled: never fires; a second cancel finds none.
      const later = (await owners[0].as.post(`/v1/partnerships/${id}/anchors`, { name: 'Later', date: new Date(clock.now().getTime() + 10 * DAY).toISOString() }).expect(201)).body;
      await owners[0].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: later.id, offsetDays: 0 }).expect(200);
      await owners[2].as.delete(`/v1/partnerships/${id}/agreement/review`).expect(403);
      await owners[0].as.delete(`/v1/partnerships/${id}/agreement/review`).expect(204);
      await owners[0].as.delete(`/v1/partnerships/${id}/agreement/review`).expect(404);
      clock.advance(11 * DAY);
      expect(await reviews.fireDue()).toBe(0);
      expect((await agreementOf(owners[0])).review.status).toBe('cancelled');
    });

    it('the worker’s pass fires a review date that has come', async () => {
      await agree();
      const anchor = (await owners[0].as.post(`/v1/partnerships/${id}/anchors`, { name: 'Spring review', date: new Date(clock.now().getTime() + DAY).toISOString() }).expect(201)).body;
      await owners[0].as.put(`/v1/partnerships/${id}/agreement/review`, { anchorId: anchor.id, offsetDays: 0 }).expect(200);
      // The anchor is brought forward to a date that has passed (by the worker's clock, the wall clock's).
      await owners[0].as.patch(`/v1/partnerships/${id}/anchors/${anchor.id}`, { date: new Date(testClock().now().getTime() - 400 * DAY).toISOString() }).expect(200);
      const worker = await createTestWorker();
      try {
        const view = await eventually(
          () => agreementOf(owners[0]),
          (v) => v.state === 'reviewing',
        );
        expect(view.review.status).toBe('fired');
      } finally {
        await worker.close();
      }
    });
  });
});
