import request from 'supertest';
import { Factory, TEST_PASSWORD, TestApi, createTestApi } from '@test/support';
import { type TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/** Membership by consent (issue 31, finding 4): an organisation named for a partnership is invited, and joins only when its lead (or an admin) accepts. */
describe('partnership membership by consent', () => {
  let api: TestApi;
  let factory: Factory;

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
  });
  afterAll(() => api.close());

  /** A council's commissioner opens a partnership naming a provider (with a lead and a member) that has not agreed to anything. */
  async function invitedProvider() {
    const [council, provider] = await Promise.all([factory.organisation('commissioner'), factory.organisation('provider', `Provider ${Math.random()}`)]);
    const [commissioner, lead, colleague] = await Promise.all([factory.user(council), factory.lead(provider), factory.user(provider, 'Pat Colleague')]);
    const created = await commissioner.as.post('/v1/partnerships', { name: 'Without asking', memberOrganisationIds: [provider.id] }).expect(201);
    return { council, provider, commissioner, lead, colleague, id: created.body.id as string, created: created.body };
  }

  it('lists a named organisation as invited, not a member, until it accepts', async () => {
    const { council, provider, id, created } = await invitedProvider();
    expect(created.members.map((m: { organisationId: string }) => m.organisationId)).toEqual([council.id]);
    expect(created.invited).toEqual([{ organisationId: provider.id, name: provider.name, kind: 'provider', invitedAt: expect.any(String) }]);
    const listed = await factory.admin.get(`/v1/partnerships/${id}/invitations`).expect(200);
    expect(listed.body.items.map((i: { organisationId: string }) => i.organisationId)).toEqual([provider.id]);
  });

  it('shows an invited organisation nothing but the invitation, and none of its people can be named', async () => {
    const { provider, commissioner, lead, colleague, id } = await invitedProvider();
    await lead.as.get(`/v1/partnerships/${id}`).expect(404);
    await colleague.as.get(`/v1/partnerships/${id}`).expect(404);
    expect((await lead.as.get('/v1/partnerships').expect(200)).body).toEqual([]);
    // A cycle naming the organisation or its people is refused as a field error, and makes nothing.
    const cycle = await commissioner.as
      .post('/v1/cycles', { partnershipId: id, title: 'Naming strangers', commissionerOrganisationIds: [], providerOrganisationIds: [provider.id], panelUserIds: [colleague.id] })
      .expect(400);
    expect(cycle.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['providerOrganisationIds']));
    await commissioner.as
      .post('/v1/cycles', { partnershipId: id, title: 'A panel of strangers', commissionerOrganisationIds: [], providerOrganisationIds: [], panelUserIds: [colleague.id] })
      .expect(400);
    expect((await commissioner.as.get(`/v1/cycles?partnershipId=${id}`).expect(200)).body.items).toEqual([]);
    // The web app's new-cycle form lists none of its people.
    const web = await createWebApp();
    try {
      const { cookie } = await signInOverHttp({ app: web.app } as TestWeb, commissioner.email, TEST_PASSWORD);
      const form = await request(web.app.getHttpServer()).get(`/partnerships/${id}/cycles/new`).set('Cookie', cookie).expect(200);
      expect(form.text).not.toContain(colleague.id);
      expect(form.text).not.toContain('Pat Colleague');
      expect(form.text).not.toContain(provider.id);
    } finally {
      await web.app.close();
    }
    // Its people are told of the invitation only: its lead, not its other members.
    const told = (await lead.as.get('/v1/me/notifications').expect(200)).body.items;
    expect(told).toEqual([
      expect.objectContaining({ kind: 'partnership-invitation', cycleId: null, link: expect.stringMatching(/\/partnership-invitations$/), text: expect.stringContaining('Without asking') }),
    ]);
    expect((await colleague.as.get('/v1/me/notifications').expect(200)).body.items).toEqual([]);
    const invitations = (await lead.as.get('/v1/partnership-invitations').expect(200)).body.items;
    expect(invitations).toEqual([expect.objectContaining({ partnershipId: id, partnershipName: 'Without asking', organisationId: provider.id })]);
    expect((await colleague.as.get('/v1/partnership-invitations').expect(200)).body.items).toEqual([]);
  });

  it('makes it a member when its lead accepts; only its lead or an admin answers, and only once', async () => {
    const { council, provider, commissioner, lead, colleague, id } = await invitedProvider();
    const accept = `/v1/partnerships/${id}/invitations/${provider.id}/accept`;
    const outsider = await factory.lead(await factory.organisation('provider'));
    await outsider.as.post(accept, {}).expect(404);
    await commissioner.as.post(accept, {}).expect(404);
    await colleague.as.post(accept, {}).expect(403);
    await colleague.as.get(`/v1/partnerships/${id}`).expect(404);
    const accepted = await lead.as.post(accept, {}).expect(200);
    expect(accepted.body.members.map((m: { organisationId: string }) => m.organisationId).sort()).toEqual([council.id, provider.id].sort());
    expect(accepted.body.invited).toEqual([]);
    await lead.as.post(accept, {}).expect(422);
    await lead.as.post(`/v1/partnerships/${id}/invitations/${provider.id}/decline`, {}).expect(422);
    await colleague.as.get(`/v1/partnerships/${id}`).expect(200);
    expect((await lead.as.get('/v1/partnership-invitations').expect(200)).body.items).toEqual([]);
    // The commissioners who invited it are told, and the history records it.
    const told = (await commissioner.as.get('/v1/me/notifications').expect(200)).body.items;
    expect(told).toEqual([expect.objectContaining({ kind: 'partnership-decision', text: expect.stringContaining('accepted the invitation') })]);
    const history = (await colleague.as.get(`/v1/partnerships/${id}/history`).expect(200)).body;
    expect(history.map((e: { type: string }) => e.type)).toEqual(['CREATED', 'INVITED', 'INVITATION_ACCEPTED']);
    expect(history[2]).toMatchObject({ actorUserId: lead.id, organisationId: provider.id, payload: { organisationId: provider.id } });
    // Now its people can be named.
    await commissioner.as
      .post('/v1/cycles', { partnershipId: id, title: 'Together', commissionerOrganisationIds: [], providerOrganisationIds: [provider.id], panelUserIds: [colleague.id] })
      .expect(201);
  });

  it('keeps a declining organisation out; it may be invited again', async () => {
    const { provider, commissioner, lead, id } = await invitedProvider();
    await lead.as.post(`/v1/partnerships/${id}/invitations/${provider.id}/decline`, {}).expect(204);
    await lead.as.get(`/v1/partnerships/${id}`).expect(404);
    expect((await commissioner.as.get(`/v1/partnerships/${id}`).expect(200)).body.invited).toEqual([]);
    const again = await commissioner.as.post(`/v1/partnerships/${id}/members`, { organisationIds: [provider.id] }).expect(201);
    expect(again.body.invited.map((i: { organisationId: string }) => i.organisationId)).toEqual([provider.id]);
    expect(again.body.members.map((m: { organisationId: string }) => m.organisationId)).not.toContain(provider.id);
    await factory.admin.post(`/v1/partnerships/${id}/invitations/${provider.id}/accept`, {}).expect(200);
    expect((await lead.as.get(`/v1/partnerships/${id}`).expect(200)).body.members.map((m: { organisationId: string }) => m.organisationId)).toContain(provider.id);
  });

  it('adding a member later is an invitation too, told to its leads (or, with none, the admins)', async () => {
    const { commissioner, id } = await invitedProvider();
    const leaderless = await factory.organisation('community');
    const added = await commissioner.as.post(`/v1/partnerships/${id}/members`, { organisationIds: [leaderless.id] }).expect(201);
    expect(added.body.members.map((m: { organisationId: string }) => m.organisationId)).not.toContain(leaderless.id);
    expect(added.body.invited.map((i: { organisationId: string }) => i.organisationId)).toContain(leaderless.id);
    const adminTold = (await factory.admin.get('/v1/me/notifications?limit=100').expect(200)).body.items;
    expect(adminTold.some((n: { kind: string; text: string }) => n.kind === 'partnership-invitation')).toBe(true);
  });

  it('in the web app, the commissioner sees who is invited, and the invited lead accepts or declines', async () => {
    const first = await invitedProvider();
    const web = await createWebApp();
    const http = web.app.getHttpServer();
    try {
      const commissioner = await signInOverHttp({ app: web.app } as TestWeb, first.commissioner.email, TEST_PASSWORD);
      const page = await request(http).get(`/partnerships/${first.id}`).set('Cookie', commissioner.cookie).expect(200);
      expect(page.text).toContain('Invited, not yet members');
      expect(page.text).toContain(first.provider.name);
      const lead = await signInOverHttp({ app: web.app } as TestWeb, first.lead.email, TEST_PASSWORD);
      await request(http).get(`/partnerships/${first.id}`).set('Cookie', lead.cookie).expect(404);
      const index = await request(http).get('/partnerships').set('Cookie', lead.cookie).expect(200);
      expect(index.text).toContain('1 invitation to join a partnership waiting for an answer');
      const list = await request(http).get('/partnership-invitations').set('Cookie', lead.cookie).expect(200);
      expect(list.text).toContain('Without asking');
      expect(list.text).toContain(`/partnership-invitations/${first.id}/${first.provider.id}/accept`);
      // A colleague who is not a lead is shown none, and may not answer.
      const colleague = await signInOverHttp({ app: web.app } as TestWeb, first.colleague.email, TEST_PASSWORD);
      const theirs = await request(http).get('/partnership-invitations').set('Cookie', colleague.cookie).expect(200);
      expect(theirs.text).not.toContain(`/partnership-invitations/${first.id}`);
      await request(http).post(`/partnership-invitations/${first.id}/${first.provider.id}/accept`).set('Cookie', colleague.cookie).type('form').send({ _csrf: colleague.csrf }).expect(403);
      await request(http)
        .post(`/partnership-invitations/${first.id}/${first.provider.id}/accept`)
        .set('Cookie', lead.cookie)
        .type('form')
        .send({ _csrf: lead.csrf })
        .expect(303)
        .expect('location', `/partnerships/${first.id}?done=joined`);
      const joined = await request(http).get(`/partnerships/${first.id}?done=joined`).set('Cookie', lead.cookie).expect(200);
      expect(joined.text).toContain('it is a member now');
      // Answered already: a page saying so, nothing changed.
      const again = await request(http).post(`/partnership-invitations/${first.id}/${first.provider.id}/decline`).set('Cookie', lead.cookie).type('form').send({ _csrf: lead.csrf }).expect(422);
      expect(again.text).toContain('accepted already');

      const second = await invitedProvider();
      const otherLead = await signInOverHttp({ app: web.app } as TestWeb, second.lead.email, TEST_PASSWORD);
      await request(http)
        .post(`/partnership-invitations/${second.id}/${second.provider.id}/decline`)
        .set('Cookie', otherLead.cookie)
        .type('form')
        .send({ _csrf: otherLead.csrf })
        .expect(303)
        .expect('location', '/partnership-invitations?done=declined');
      await request(http).get(`/partnerships/${second.id}`).set('Cookie', otherLead.cookie).expect(404);
    } finally {
      await web.app.close();
    }
  });

  it('an admin, trusted platform-wide, makes the organisations it names members at once', async () => {
    const org = await factory.organisation('provider');
    const created = await factory.admin.post('/v1/partnerships', { name: 'Set up by admin', memberOrganisationIds: [org.id] }).expect(201);
    expect(created.body.members.map((m: { organisationId: string }) => m.organisationId)).toEqual([org.id]);
    expect(created.body.invited).toEqual([]);
  });
});
