import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AccountsService, WebSessionsService } from '@app/accounts';
import { Factory, TEST_PASSWORD, TestApi, agent, startTestApi, login } from '@test/support';

/** Accounts have a life: deactivation, password changes and resets, leads managing their organisation. */
describe('account life', () => {
  let api: TestApi;
  let factory: Factory;

  beforeAll(async () => ({ api, factory } = await startTestApi()));
  afterAll(() => api.close());

  const sessionOf = async (userId: string) => {
    const sessions = api.app.get(WebSessionsService);
    const user = await api.app.get(AccountsService).getUser(userId);
    return { sessions, token: (await sessions.start(user)).token };
  };

  it('a deactivated user’s earlier token, web session and calendar link answer 401 at once, and they cannot log in', async () => {
    const org = await factory.organisation('provider');
    const user = await factory.user(org);
    await user.as.get('/v1/me').expect(200);
    const { sessions, token } = await sessionOf(user.id);
    expect(await sessions.resume(token)).toBeDefined();
    const calendarToken = (await user.as.post('/v1/me/calendar-token').expect(201)).body.token;

    const res = await factory.admin.patch(`/v1/users/${user.id}`, { active: false }).expect(200);
    expect(res.body).toMatchObject({ id: user.id, active: false });

    const refused = await user.as.get('/v1/me').expect(401);
    expect(refused.body.detail).toBe('This account has been deactivated.');
    expect(await sessions.resume(token)).toBeUndefined();
    await request(api.http).post('/v1/auth/login').set('X-Forwarded-For', '10.9.9.1').send({ email: user.email, password: TEST_PASSWORD }).expect(401);
    const partnerships = await factory.admin.get('/v1/partnerships').expect(200);
    const any = partnerships.body.items?.[0]?.id ?? partnerships.body[0]?.id ?? '00000000-0000-4000-8000-000000000000';
    await request(api.http).get(`/v1/partnerships/${any}/calendar.ics?token=${calendarToken}`).expect(401);

    // Reactivated, they sign in again (their old token stays ended: it belongs to the earlier generation).
    await factory.admin.patch(`/v1/users/${user.id}`, { active: true }).expect(200);
    await user.as.get('/v1/me').expect(401);
    await agent(api.http, await login(api.http, user.email, TEST_PASSWORD))
      .get('/v1/me')
      .expect(200);
  });

  it('a person changes their password: other tokens and sessions end, the answer carries a fresh token', async () => {
    const org = await factory.organisation('community');
    const user = await factory.user(org);
    const other = agent(api.http, await login(api.http, user.email, TEST_PASSWORD));
    const { sessions, token } = await sessionOf(user.id);

    const wrong = await user.as.post('/v1/me/password', { currentPassword: 'not my password at all', newPassword: 'a fresh and long passphrase' }).expect(400);
    expect(wrong.body.errors).toEqual([{ field: 'currentPassword', message: 'is not your current password' }]);
    const common = await user.as.post('/v1/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'qwerty123456' }).expect(400);
    expect(common.body.errors).toEqual([{ field: 'newPassword', message: 'is one of the most common passwords: choose one that is harder to guess' }]);
    const short = await user.as.post('/v1/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'too short' }).expect(400);
    expect(short.body.errors[0]).toEqual({ field: 'newPassword', message: 'must be at least 12 characters' });
    await other.get('/v1/me').expect(200);

    const changed = await user.as.post('/v1/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'a fresh and long passphrase' }).expect(200);
    await agent(api.http, changed.body.accessToken).get('/v1/me').expect(200);
    await other.get('/v1/me').expect(401);
    await user.as.get('/v1/me').expect(401);
    expect(await sessions.resume(token)).toBeUndefined();
    await login(api.http, user.email, 'a fresh and long passphrase');
  });

  it('an admin sets a new password, which ends the person’s sessions; a lead may not', async () => {
    const org = await factory.organisation('provider');
    const [user, lead] = [await factory.user(org), await factory.user(org)];
    await factory.admin.patch(`/v1/users/${lead.id}`, { role: 'lead' }).expect(200);
    const leadAs = agent(api.http, await login(api.http, lead.email, TEST_PASSWORD));
    const refused = await leadAs.patch(`/v1/users/${user.id}`, { password: 'a password from a lead' }).expect(403);
    expect(refused.body.detail).toBe('Only a platform admin sets another person’s password.');
    await factory.admin.patch(`/v1/users/${user.id}`, { password: 'a new password from the admin' }).expect(200);
    await user.as.get('/v1/me').expect(401);
    await login(api.http, user.email, 'a new password from the admin');
  });

  it('a lead manages their own organisation’s users, and nobody else’s', async () => {
    const [charity, forum] = [await factory.organisation('provider'), await factory.organisation('community')];
    const [lead, colleague, outsider] = [await factory.user(charity), await factory.user(charity), await factory.user(forum)];
    await factory.admin.patch(`/v1/users/${lead.id}`, { role: 'lead' }).expect(200);
    const leadAs = agent(api.http, await login(api.http, lead.email, TEST_PASSWORD));

    const named = await leadAs.patch(`/v1/users/${colleague.id}`, { representative: true }).expect(200);
    expect(named.body).toMatchObject({ representative: true, role: 'member', active: true });
    const created = await leadAs.post('/v1/users', { email: `new-${randomUUID()}@example.org`, name: 'New starter', password: TEST_PASSWORD, organisationId: charity.id }).expect(201);
    expect(created.body.organisationId).toBe(charity.id);
    expect((await leadAs.get('/v1/users').expect(200)).body.map((u: { id: string }) => u.id).sort()).toEqual([lead.id, colleague.id, created.body.id].sort());
    await leadAs.patch(`/v1/users/${created.body.id}`, { active: false }).expect(200);

    await leadAs.patch(`/v1/users/${outsider.id}`, { active: false }).expect(403);
    await leadAs.post('/v1/users', { email: `x-${randomUUID()}@example.org`, name: 'X', password: TEST_PASSWORD, organisationId: forum.id }).expect(403);
    await leadAs.get(`/v1/users?organisationId=${forum.id}`).expect(403);
    await colleague.as.patch(`/v1/users/${lead.id}`, { active: false }).expect(403);
    await leadAs.patch(`/v1/users/${lead.id}`, { active: false }).expect(400);
    await leadAs.patch(`/v1/users/${colleague.id}`, { role: 'admin' }).expect(400);
    // A platform admin is nobody's organisation: a lead cannot read them.
    const adminId = (await factory.admin.get('/v1/me').expect(200)).body.id;
    await leadAs.get(`/v1/users/${adminId}`).expect(403);
    // Demoted, the lead's earlier token ends (it carried the role).
    await factory.admin.patch(`/v1/users/${lead.id}`, { role: 'member' }).expect(200);
    await leadAs.get('/v1/users').expect(401);
  });

  it('new users’ passwords follow the same rules', async () => {
    const org = await factory.organisation('provider');
    const res = await factory.admin.post('/v1/users', { email: `c-${randomUUID()}@example.org`, name: 'C', password: '1qaz2wsx3edc', organisationId: org.id }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'password', message: 'is one of the most common passwords: choose one that is harder to guess' }]);
  });
});
