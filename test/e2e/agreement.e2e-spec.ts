import { DataSource } from 'typeorm';
import { Factory, TestApi, TestUser, startTestApi } from '@test/support';

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
    let view = (await send(members[0], { type: 'PROPOSE_AGREEMENT', destination: 'Older people live well and independently at home', horizonYear: 2035, principles: ['Decide together', 'Open books'] }).expect(200)).body;
    expect(view).toMatchObject({ state: 'consulting', current: { number: 2, horizonYear: 2035 } });
    expect(view.positions).toHaveLength(5);
    const objection = await send(members[3], { type: 'OBJECT_AGREEMENT', number: 2, reason: 'Residents were not asked' }).expect(200);
    expect(objection.body.objections).toEqual([{ organisationId: members[3].organisationId, reason: 'Residents were not asked' }]);
    const stale = await send(members[1], { type: 'CONSENT_AGREEMENT', number: 1 }).expect(422);
    expect(stale.body.detail).toBe('Version 1 is not the one under consultation; version 2 is.');
    view = (await send(members[3], { type: 'PROPOSE_AGREEMENT', destination: 'Older people, asked first, live well at home', horizonYear: 2035, principles: ['Decide together', 'Residents first'] }).expect(200)).body;
    expect(view.objections).toEqual([]);
    for (const who of members) view = (await send(who, { type: 'CONSENT_AGREEMENT', number: 3 }).expect(200)).body;
    expect(view).toMatchObject({ state: 'agreed', agreed: { number: 3, destination: 'Older people, asked first, live well at home' }, notConsentedToAgreed: [] });

    // A member that joins later has not consented until the next review.
    const joiner = await factory.organisation('community', 'Lived Experience Network');
    await members[0].as.post(`/v1/partnerships/${partnershipId}/members`, { organisationIds: [joiner.id] }).expect(201);
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
    const history = (await members[0].as.get(`${url()}/history`).expect(200)).body;
    expect(history[0]).toMatchObject({ seq: 1, type: 'CREATED', toState: 'drafting' });
    expect(history.at(-1)).toMatchObject({ type: 'REOPEN_AGREEMENT', fromState: 'agreed', toState: 'reviewing' });
    await members[0].as.get(`${url()}/history/verify`).expect(200, { intact: true, length: history.length });
    const db = api.app.get(DataSource);
    await db.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE agreement_history SET payload = jsonb_set(payload, '{reason}', '"Rewritten"') WHERE partnership_id = $1 AND type = 'OBJECT_AGREEMENT'`, [partnershipId]);
    });
    const verdict = (await members[0].as.get(`${url()}/history/verify`).expect(200)).body;
    expect(verdict).toMatchObject({ intact: false, brokenAtSeq: history.findIndex((h: { type: string }) => h.type === 'OBJECT_AGREEMENT') + 1 });
  });
});
