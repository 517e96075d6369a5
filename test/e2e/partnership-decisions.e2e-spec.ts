import request from 'supertest';
import { Collaboration, Factory, TEST_PASSWORD, TestApi, asOwner, collaboration, startTestApi } from '@test/support';
import { type TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/**
 * Partnership decisions recorded, and agreed by two (issue 31, finding 5): removing a member,
 * archiving and publishing need a second commissioner member's agreement, and every step of the
 * partnership's membership, archive and public page is in its chained history.
 */
describe('partnership decisions', () => {
  let api: TestApi;
  let factory: Factory;

  beforeAll(async () => ({ api, factory } = await startTestApi()));
  afterAll(() => api.close());

  const types = async (c: Collaboration) => (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/history`).expect(200)).body.map((e: { type: string }) => e.type);

  it('records the opening, invitations and acceptances in a chained history members read and verify; outsiders 404', async () => {
    const c = await collaboration(factory);
    const history = (await c.charityUser.as.get(`/v1/partnerships/${c.partnershipId}/history`).expect(200)).body;
    expect(history.map((e: { type: string }) => e.type)).toEqual(['CREATED', ...Array(5).fill('INVITED'), ...Array(5).fill('INVITATION_ACCEPTED')]);
    expect(history[0]).toMatchObject({
      seq: 1,
      actorUserId: c.councilUser.id,
      organisationId: c.orgs.council.id,
      fromState: 'open',
      toState: 'open',
      payload: { memberOrganisationIds: [c.orgs.council.id] },
    });
    expect(history[1]).toMatchObject({ seq: 2, type: 'INVITED', payload: { organisationId: c.orgs.icb.id }, prevHash: history[0].hash, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await c.charityUser.as.get(`/v1/partnerships/${c.partnershipId}/history/verify`).expect(200, { intact: true, length: history.length });
    const outsider = await factory.user(await factory.organisation('commissioner'));
    await outsider.as.get(`/v1/partnerships/${c.partnershipId}/history`).expect(404);
    await outsider.as.get(`/v1/partnerships/${c.partnershipId}/history/verify`).expect(404);
  });

  it('a tampered or deleted entry breaks the verification (the table refuses changes; behind its back, verify tells)', async () => {
    const c = await collaboration(factory);
    // The table refuses changes (test/medium/append-only-tables); its owner may switch the trigger off.
    await asOwner(async (m) => {
      await m.query('ALTER TABLE partnership_history DISABLE TRIGGER partnership_history_no_update_delete');
      await m.query(`UPDATE partnership_history SET payload = '{"organisationId":"someone else"}' WHERE partnership_id = $1 AND seq = 2`, [c.partnershipId]);
      await m.query('ALTER TABLE partnership_history ENABLE TRIGGER partnership_history_no_update_delete');
    });
    const verdict = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/history/verify`).expect(200)).body;
    expect(verdict).toMatchObject({ intact: false, brokenAtSeq: 2 });

    // The newest entry deleted: every link holds, and the partnership's head tells.
    const other = await collaboration(factory);
    await asOwner(async (m) => {
      await m.query('ALTER TABLE partnership_history DISABLE TRIGGER partnership_history_no_update_delete');
      await m.query(`DELETE FROM partnership_history WHERE partnership_id = $1 AND seq = (SELECT max(seq) FROM partnership_history WHERE partnership_id = $1)`, [other.partnershipId]);
      await m.query('ALTER TABLE partnership_history ENABLE TRIGGER partnership_history_no_update_delete');
    });
    const cut = (await other.councilUser.as.get(`/v1/partnerships/${other.partnershipId}/history/verify`).expect(200)).body;
    expect(cut).toMatchObject({ intact: false, brokenAtSeq: 11, reason: expect.stringContaining('newest entries are missing') });
  });

  it('one commissioner member proposes removing a member; nothing happens until a commissioner member of another organisation agrees', async () => {
    const c = await collaboration(factory);
    const remove = `/v1/partnerships/${c.partnershipId}/members/${c.orgs.mediation.id}`;
    const proposed = await c.councilUser.as.delete(remove).expect(202);
    expect(proposed.body).toMatchObject({ action: 'remove_member', organisationId: c.orgs.mediation.id, state: 'open', proposedByOrganisationId: c.orgs.council.id });
    // Asking again, or a colleague of the same organisation asking, changes nothing.
    const colleague = await factory.user(c.orgs.council);
    expect((await colleague.as.delete(remove).expect(202)).body.id).toBe(proposed.body.id);
    const view = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200)).body;
    expect(view.members.map((m: { organisationId: string }) => m.organisationId)).toContain(c.orgs.mediation.id);
    expect(view.proposals).toEqual([expect.objectContaining({ id: proposed.body.id, action: 'remove_member' })]);
    // The other commissioner's people are told; the proposer's own organisation's and the others' are not.
    const told = (await c.icbUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items;
    expect(told.filter((n: { kind: string }) => n.kind === 'partnership-proposal')).toEqual([
      expect.objectContaining({ text: expect.stringContaining('proposes to remove Northshire Mediation Service'), link: expect.stringContaining(`/partnerships/${c.partnershipId}#decisions`) }),
    ]);
    expect((await c.charityUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items.filter((n: { kind: string }) => n.kind === 'partnership-proposal')).toEqual([]);
    // Not a commissioner: refused; the proposer's organisation may not agree to its own proposal.
    await c.charityUser.as.post(`/v1/partnerships/${c.partnershipId}/proposals/${proposed.body.id}/agree`, {}).expect(403);
    await colleague.as.post(`/v1/partnerships/${c.partnershipId}/proposals/${proposed.body.id}/agree`, {}).expect(422);
    // The ICB agrees: it happens, recorded, and the members (the removed one too) are told.
    const agreed = await c.icbUser.as.post(`/v1/partnerships/${c.partnershipId}/proposals/${proposed.body.id}/agree`, {}).expect(200);
    expect(agreed.body.members.map((m: { organisationId: string }) => m.organisationId)).not.toContain(c.orgs.mediation.id);
    expect(agreed.body.proposals).toEqual([]);
    const history = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/history`).expect(200)).body;
    expect(history.slice(-3)).toEqual([
      expect.objectContaining({
        type: 'PROPOSED',
        actorUserId: c.councilUser.id,
        organisationId: c.orgs.council.id,
        payload: { proposalId: proposed.body.id, action: 'remove_member', organisationId: c.orgs.mediation.id },
      }),
      expect.objectContaining({ type: 'AGREED', actorUserId: c.icbUser.id, organisationId: c.orgs.icb.id, payload: expect.objectContaining({ proposalId: proposed.body.id }) }),
      expect.objectContaining({ type: 'MEMBER_REMOVED', actorUserId: c.icbUser.id, payload: { organisationId: c.orgs.mediation.id, proposalId: proposed.body.id } }),
    ]);
    await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/history/verify`).expect(200, { intact: true, length: history.length });
    const removedTold = (await c.facilitator.as.get('/v1/me/notifications?limit=100').expect(200)).body.items;
    expect(removedTold.some((n: { kind: string; text: string }) => n.kind === 'partnership-decision' && n.text.includes('Northshire Mediation Service is no longer a member'))).toBe(true);
    const listed = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/proposals`).expect(200)).body.items;
    expect(listed).toEqual([expect.objectContaining({ id: proposed.body.id, state: 'agreed', decidedByOrganisationId: c.orgs.icb.id })]);
    await c.icbUser.as.post(`/v1/partnerships/${c.partnershipId}/proposals/${proposed.body.id}/agree`, {}).expect(422);
  });

  it('archiving is proposed and agreed (sending the same request agrees); a proposal may be withdrawn by its organisation only', async () => {
    const c = await collaboration(factory);
    const first = await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(202);
    expect(first.body).toMatchObject({ archived: false, proposals: [expect.objectContaining({ action: 'archive' })] });
    const proposalId = first.body.proposals[0].id;
    await c.icbUser.as.delete(`/v1/partnerships/${c.partnershipId}/proposals/${proposalId}`).expect(403);
    await c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/proposals/${proposalId}`).expect(204);
    await c.councilUser.as.delete(`/v1/partnerships/${c.partnershipId}/proposals/${proposalId}`).expect(422);
    // Withdrawn: the ICB's request now only proposes, and the council's agrees.
    await c.icbUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(202);
    const archived = await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/archive`).expect(200);
    expect(archived.body).toMatchObject({ archived: true, proposals: [] });
    expect((await types(c)).slice(-5)).toEqual(['PROPOSED', 'PROPOSAL_WITHDRAWN', 'PROPOSED', 'AGREED', 'ARCHIVED']);
    const last = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/history`).expect(200)).body.at(-1);
    expect(last).toMatchObject({ type: 'ARCHIVED', fromState: 'open', toState: 'archived' });
    const told = (await c.forumUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items;
    expect(told.some((n: { kind: string; text: string }) => n.kind === 'partnership-decision' && n.text.includes('is archived'))).toBe(true);
  });

  it('publishing is proposed and agreed; withdrawing the page happens at once; both recorded', async () => {
    const c = await collaboration(factory);
    await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(202);
    expect((await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}`).expect(200)).body.public).toBe(false);
    expect((await c.icbUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(200)).body.public).toBe(true);
    expect((await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: false }).expect(200)).body.public).toBe(false);
    expect((await types(c)).slice(-4)).toEqual(['PROPOSED', 'AGREED', 'PUBLISHED', 'WITHDRAWN']);
  });

  it('a partnership with one commissioner member acts alone, recorded as alone', async () => {
    const p = await factory.partnership();
    await p.commissioner.as.patch(`/v1/partnerships/${p.id}`, { public: true }).expect(200);
    await p.commissioner.as.delete(`/v1/partnerships/${p.id}/members/${p.community.id}`).expect(204);
    await p.commissioner.as.post(`/v1/partnerships/${p.id}/archive`).expect(200);
    const history = (await p.commissioner.as.get(`/v1/partnerships/${p.id}/history`).expect(200)).body;
    expect(history.slice(-3)).toEqual([
      expect.objectContaining({ type: 'PUBLISHED', payload: { alone: true } }),
      expect.objectContaining({ type: 'MEMBER_REMOVED', payload: { organisationId: p.community.id, alone: true } }),
      expect.objectContaining({ type: 'ARCHIVED', payload: { alone: true }, toState: 'archived' }),
    ]);
    await p.commissioner.as.get(`/v1/partnerships/${p.id}/history/verify`).expect(200, { intact: true, length: history.length });
  });

  it('in the web app, one commissioner proposes, the other sees it and agrees, and the history page shows it, intact', async () => {
    const c = await collaboration(factory);
    const web = await createWebApp();
    const http = web.app.getHttpServer();
    try {
      const council = await signInOverHttp({ app: web.app } as TestWeb, c.councilUser.email, TEST_PASSWORD);
      const icb = await signInOverHttp({ app: web.app } as TestWeb, c.icbUser.email, TEST_PASSWORD);
      await request(http)
        .post(`/partnerships/${c.partnershipId}/archive`)
        .set('Cookie', council.cookie)
        .type('form')
        .send({ _csrf: council.csrf })
        .expect(303)
        .expect('location', `/partnerships/${c.partnershipId}?done=proposed#decisions`);
      const councilPage = (await request(http).get(`/partnerships/${c.partnershipId}?done=proposed`).set('Cookie', council.cookie).expect(200)).text;
      expect(councilPage).toContain('Your proposal is recorded');
      expect(councilPage).toContain('Withdraw the proposal');
      expect(councilPage).not.toContain('This partnership was archived');
      const icbPage = (await request(http).get(`/partnerships/${c.partnershipId}`).set('Cookie', icb.cookie).expect(200)).text;
      expect(icbPage).toContain('Northshire County Council proposes to archive the partnership');
      expect(icbPage).toMatch(
        new RegExp(`<form method="post" action="/partnerships/${c.partnershipId}/archive"[^>]*>\\s*<input type="hidden" name="_csrf"[^>]*>\\s*(<[^>]*>\\s*)*<button[^>]*id="agree-`),
      );
      await request(http)
        .post(`/partnerships/${c.partnershipId}/archive`)
        .set('Cookie', icb.cookie)
        .type('form')
        .send({ _csrf: icb.csrf })
        .expect(303)
        .expect('location', `/partnerships/${c.partnershipId}?done=archived`);
      const history = (await request(http).get(`/partnerships/${c.partnershipId}/history`).set('Cookie', council.cookie).expect(200)).text;
      expect(history).toContain('Chain intact');
      expect(history).toContain('Proposed to archive the partnership');
      expect(history).toContain('Agreed to the proposal to archive the partnership');
      expect(history).toContain('Archived the partnership');
      expect(history).toContain('Invited Northshire ICB');
    } finally {
      await web.app.close();
    }
  });
});
