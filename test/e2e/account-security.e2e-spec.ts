import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { JwtService } from '@nestjs/jwt';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AccountsService, TokenService } from '@app/accounts';
import { dropDatabase, migrate } from '@app/database';
import { DEV_DEFAULTS, loadConfig, parseConfig } from '@app/config';
import {
  Factory,
  TEST_PASSWORD,
  TestApi,
  TestRelay,
  TestUser,
  TestWorker,
  agent,
  asOwner,
  createTestApi,
  createTestWorker,
  eventually,
  fastWorkerEnvironment,
  login,
  startTestApi,
} from '@test/support';
import { TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/** Security review (issue 31): defaults that fail closed, and sign-in and passwords. */
describe('account security', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  let api: TestApi;
  let worker: TestWorker;
  let web: NestExpressApplication;
  let factory: Factory;
  const limit = () => loadConfig().login.maxFailuresPerAccount;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.MAIL_BACKOFF_MS = '100';
    fastWorkerEnvironment();
    ({ api, factory } = await startTestApi());
    worker = await createTestWorker();
    web = (await createWebApp()).app;
  }, 60000);
  afterAll(async () => {
    await worker?.close();
    await web?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'MAIL_BACKOFF_MS']) if (saved[key] === undefined) delete process.env[key];
  });

  const changePassword = (who: TestUser, address: string, currentPassword: string, newPassword = 'a brand new password 2027') =>
    request(api.http).post('/v1/me/password').set('Authorization', `Bearer ${who.as.token}`).set('X-Forwarded-For', address).send({ currentPassword, newPassword });
  const loginFrom = (address: string, email: string, password: string) => request(api.http).post('/v1/auth/login').set('X-Forwarded-For', address).send({ email, password });
  const lockoutMails = (email: string) => relay.to(email).filter((m) => m.subject?.startsWith('Wrong passwords for your account'));
  const claimsOf = (token: string) => {
    const { iat: _iat, exp: _exp, iss: _iss, aud: _aud, ...claims } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    return claims;
  };

  describe('defaults that fail closed', () => {
    it('without NODE_ENV, a token signed with the published development secret opens nothing (the service made its own)', async () => {
      const { id, commissioner } = await factory.partnership();
      const unset = await createTestApi({ config: () => parseConfig({ ...process.env, NODE_ENV: '', JWT_SECRET: '' }) });
      try {
        // What any copy of the service running on the published development secret signs.
        const published = new TokenService(new JwtService({}), parseConfig({ NODE_ENV: 'development' }));
        const forged = published.issue(await api.app.get(AccountsService).getUser(commissioner.id)).accessToken;
        await agent(unset.http, forged).get(`/v1/partnerships/${id}`).expect(401);
        const own = await login(unset.http, commissioner.email, TEST_PASSWORD);
        await agent(unset.http, own).get(`/v1/partnerships/${id}`).expect(200);
      } finally {
        await unset.close();
      }
    });

    it('a token signed with JWT_SECRET itself (as before the keys were derived) is refused', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      const raw = new JwtService({}).sign(claimsOf(user.as.token!), { secret: loadConfig().jwt.secret, algorithm: 'HS256', expiresIn: 60 });
      await agent(api.http, raw).get('/v1/me').expect(401);
    });

    it('sets Secure cookies when the web app is on https', async () => {
      const secure = await createWebApp({
        config: (c) => ({ ...c, web: { ...c.web, secureCookies: parseConfig({ NODE_ENV: 'test', PUBLIC_WEB_URL: 'https://cocommission.northshire.gov.uk' }).web.secureCookies } }),
      });
      try {
        const form = await request(secure.app.getHttpServer()).get('/sign-in').expect(200);
        expect(String(form.headers['set-cookie'])).toMatch(/cocommission_sign_in=[^;]+;.*Secure/);
      } finally {
        await secure.app.close();
      }
      const plain = await request(web.getHttpServer()).get('/sign-in').expect(200);
      expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/);
    });

    it('creates the first admin on the default password only in development, and marks it to be changed; without NODE_ENV, none', async () => {
      // A scratch database of its own, made, migrated and used as the tables' owner (the apps' role may create none).
      const url = `${process.env.MIGRATION_DATABASE_URL}_boot`;
      await migrate(url);
      try {
        const { admin } = loadConfig();
        const unset = await createTestApi({ config: () => parseConfig({ ...process.env, DATABASE_URL: url, MIGRATION_DATABASE_URL: url, NODE_ENV: '', ADMIN_PASSWORD: '' }) });
        try {
          await request(unset.http).post('/v1/auth/login').set('X-Forwarded-For', '10.31.8.1').send({ email: admin.email, password: DEV_DEFAULTS.adminPassword }).expect(401);
          expect(await unset.app.get(DataSource).query('SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }]);
        } finally {
          await unset.close();
        }
        const development = await createTestApi({ config: () => parseConfig({ ...process.env, DATABASE_URL: url, MIGRATION_DATABASE_URL: url, NODE_ENV: 'development', ADMIN_PASSWORD: '' }) });
        try {
          const res = await request(development.http).post('/v1/auth/login').set('X-Forwarded-For', '10.31.8.2').send({ email: admin.email, password: DEV_DEFAULTS.adminPassword }).expect(200);
          expect(res.body.usesDefaultCredentials).toBe(true);
        } finally {
          await development.close();
        }
      } finally {
        await dropDatabase(url);
      }
    });

    it('an account on the development default password is told so, is sent to change it first in the web app, and is free once it has', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      // As the bootstrapped admin of a development run is.
      await asOwner((m) => m.query('UPDATE users SET must_change_password = true WHERE id = $1', [user.id]));
      const token = await loginFrom('10.31.9.1', user.email, TEST_PASSWORD).expect(200);
      expect(token.body.usesDefaultCredentials).toBe(true);
      expect((await agent(api.http, token.body.accessToken).get('/v1/me').expect(200)).body.usesDefaultCredentials).toBe(true);

      const http = web.getHttpServer();
      const form = await request(http).get('/sign-in').expect(200);
      const signInCookie = String(form.headers['set-cookie']).split(';')[0];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
      const signedIn = await request(http)
        .post('/sign-in')
        .set('Cookie', signInCookie)
        .type('form')
        .send({ _csrf: csrf, email: user.email, password: TEST_PASSWORD, next: '/partnerships' })
        .expect(303);
      expect(signedIn.headers.location).toBe('/account?change=required');
      const cookie = (signedIn.headers['set-cookie'] as unknown as string[]).find((h) => h.startsWith('cocommission_session='))!.split(';')[0];
      await request(http).get('/partnerships').set('Cookie', cookie).expect(303).expect('location', '/account?change=required');
      const account = await request(http).get('/account').set('Cookie', cookie).expect(200);
      expect(account.text).toContain('development default password');
      const sessionCsrf = /name="_csrf" value="([^"]+)"/.exec(account.text)![1];
      const changed = await request(http)
        .post('/account/password')
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: sessionCsrf, currentPassword: TEST_PASSWORD, newPassword: 'a brand new password 2027' })
        .expect(303);
      const fresh = (changed.headers['set-cookie'] as unknown as string[]).find((h) => h.startsWith('cocommission_session='))!.split(';')[0];
      await request(http).get('/partnerships').set('Cookie', fresh).expect(200);
      expect((await loginFrom('10.31.9.1', user.email, 'a brand new password 2027').expect(200)).body.usesDefaultCredentials).toBe(false);
    });
  });

  describe('sign-in and passwords', () => {
    it('counts wrong current passwords of a password change with the login’s: locked from that address, the owner emailed, the owner elsewhere unaffected', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      // The owner chose no emails about their work: news of their account comes all the same.
      await user.as.put('/v1/me/preferences', { email: 'off' }).expect(200);
      for (let i = 0; i < limit(); i++) {
        const wrong = await changePassword(user, '10.31.1.1', `guess-number-${i}-of-many`).expect(400);
        expect(wrong.body.errors).toEqual([{ field: 'currentPassword', message: 'is not your current password' }]);
      }
      // The right password no longer helps from there: the limit is reached before it is checked.
      const locked = await changePassword(user, '10.31.1.1', TEST_PASSWORD).expect(429);
      expect(locked.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      await loginFrom('10.31.1.1', user.email, TEST_PASSWORD).expect(429);
      const [mail, ...more] = await eventually(
        () => lockoutMails(user.email),
        (list) => list.length > 0,
        60_000,
      ); // behind other files' backlog of work emails, on a loaded machine
      expect(more).toEqual([]);
      expect(mail.text).toContain('wrong current password');
      expect(mail.text).toContain(`${loadConfig().mail.publicWebUrl}/account#password`);
      // The owner at their own address signs in and changes it.
      await loginFrom('10.31.1.2', user.email, TEST_PASSWORD).expect(200);
      await changePassword(user, '10.31.1.2', TEST_PASSWORD).expect(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(lockoutMails(user.email)).toHaveLength(1);
    }, 90_000);

    it('tells the owner when wrong logins lock their account from an address', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      for (let i = 0; i < limit(); i++) await loginFrom('10.31.2.1', user.email, 'wrong-password').expect(401);
      await loginFrom('10.31.2.1', user.email, TEST_PASSWORD).expect(429);
      const [mail] = await eventually(
        () => lockoutMails(user.email),
        (list) => list.length > 0,
        60_000,
      ); // behind other files' backlog of work emails, on a loaded machine
      expect(mail.text).toContain('sign-ins to your account failed');
    }, 90_000);

    it('the web account page counts wrong current passwords too, and answers 429 with the GOV.UK error', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      const { cookie, csrf } = await signInOverHttp({ app: web } as TestWeb, user.email, TEST_PASSWORD);
      const post = (currentPassword: string) =>
        request(web.getHttpServer())
          .post('/account/password')
          .set('Cookie', cookie)
          .set('X-Forwarded-For', '10.31.3.1')
          .type('form')
          .send({ _csrf: csrf, currentPassword, newPassword: 'a brand new password 2027' });
      for (let i = 0; i < limit(); i++) await post(`guess-number-${i}-of-many`).expect(400);
      const locked = await post(TEST_PASSWORD).expect(429);
      expect(locked.text).toContain('govuk-error-summary');
      expect(locked.text).toMatch(/Too many wrong passwords/);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('a password change, a reset by an admin and a deactivation end the calendar token with the sessions', async () => {
      const { id, commissioner } = await factory.partnership();
      const feed = (token: string) => request(api.http).get(`/v1/partnerships/${id}/calendar.ics?token=${encodeURIComponent(token)}`);
      let calendar = (await commissioner.as.post('/v1/me/calendar-token').expect(201)).body.token;
      await feed(calendar).expect(200);
      const fresh = (await changePassword(commissioner, '10.31.4.1', TEST_PASSWORD).expect(200)).body.accessToken;
      await feed(calendar).expect(401);
      const again = agent(api.http, fresh);
      calendar = (await again.post('/v1/me/calendar-token').expect(201)).body.token;
      await feed(calendar).expect(200);
      await factory.admin.patch(`/v1/users/${commissioner.id}`, { password: 'reset by the admin 2027' }).expect(200);
      await feed(calendar).expect(401);
      const afterReset = agent(api.http, await login(api.http, commissioner.email, 'reset by the admin 2027'));
      calendar = (await afterReset.post('/v1/me/calendar-token').expect(201)).body.token;
      await factory.admin.patch(`/v1/users/${commissioner.id}`, { active: false }).expect(200);
      await factory.admin.patch(`/v1/users/${commissioner.id}`, { active: true }).expect(200);
      await feed(calendar).expect(401);
    });

    it('a lead does not undo an admin’s deactivation or role change; an admin does, and a lead still undoes a lead’s', async () => {
      const org = await factory.organisation('provider');
      const [lead, person] = [await factory.user(org), await factory.user(org)];
      await factory.admin.patch(`/v1/users/${lead.id}`, { role: 'lead' }).expect(200);
      const leadAs = agent(api.http, await login(api.http, lead.email, TEST_PASSWORD));
      await factory.admin.patch(`/v1/users/${person.id}`, { active: false }).expect(200);
      const refused = await leadAs.patch(`/v1/users/${person.id}`, { active: true }).expect(403);
      expect(refused.body.detail).toMatch(/A platform admin deactivated this user/);
      expect((await factory.admin.get(`/v1/users/${person.id}`).expect(200)).body.active).toBe(false);
      // The web people page says so on the form.
      const { cookie, csrf } = await signInOverHttp({ app: web } as TestWeb, lead.email, TEST_PASSWORD);
      const page = await request(web.getHttpServer()).post(`/people/${person.id}`).set('Cookie', cookie).type('form').send({ _csrf: csrf, active: 'yes' }).expect(403);
      expect(page.text).toContain('govuk-error-summary');
      expect(page.text).toContain('only a platform admin reactivates them');
      expect((await factory.admin.get(`/v1/users/${person.id}`).expect(200)).body.active).toBe(false);
      await factory.admin.patch(`/v1/users/${person.id}`, { active: true }).expect(200);
      // Deactivating stays the lead's to do (the safe way), and then the lead may undo their own act.
      await leadAs.patch(`/v1/users/${person.id}`, { active: false }).expect(200);
      await leadAs.patch(`/v1/users/${person.id}`, { active: true }).expect(200);
      // An admin's role change stands against the lead too; the lead's other powers stay.
      await factory.admin.patch(`/v1/users/${person.id}`, { role: 'lead' }).expect(200);
      await leadAs.patch(`/v1/users/${person.id}`, { role: 'member' }).expect(403);
      await leadAs.patch(`/v1/users/${person.id}`, { representative: true }).expect(200);
      expect((await factory.admin.get(`/v1/users/${person.id}`).expect(200)).body).toMatchObject({ role: 'lead', active: true, representative: true });
      // A lead's own act the lead (or another lead) undoes.
      const other = await factory.user(org);
      await leadAs.patch(`/v1/users/${other.id}`, { active: false }).expect(200);
      await leadAs.patch(`/v1/users/${other.id}`, { active: true }).expect(200);
      await leadAs.patch(`/v1/users/${other.id}`, { role: 'lead' }).expect(200);
      await leadAs.patch(`/v1/users/${other.id}`, { role: 'member' }).expect(200);
    });

    it('a lead learns nothing of other organisations’ people: the same answer for an email used elsewhere as for their own, and for an unknown user as for another’s', async () => {
      const [org, elsewhere] = [await factory.organisation('provider'), await factory.organisation('community')];
      const [lead, colleague, outsider] = [await factory.user(org), await factory.user(org), await factory.user(elsewhere)];
      await factory.admin.patch(`/v1/users/${lead.id}`, { role: 'lead' }).expect(200);
      const leadAs = agent(api.http, await login(api.http, lead.email, TEST_PASSWORD));
      const add = (email: string) => leadAs.post('/v1/users', { email, name: 'New starter', password: TEST_PASSWORD, organisationId: org.id });
      const ownTaken = await add(colleague.email);
      const otherTaken = await add(outsider.email.toUpperCase());
      expect([ownTaken.status, otherTaken.status]).toEqual([409, 409]);
      expect({ ...otherTaken.body, requestId: undefined }).toEqual({ ...ownTaken.body, requestId: undefined });
      expect(otherTaken.body.detail).not.toMatch(/exists/);
      const unknown = randomUUID();
      const [readOther, readUnknown] = [await leadAs.get(`/v1/users/${outsider.id}`), await leadAs.get(`/v1/users/${unknown}`)];
      expect([readOther.status, readUnknown.status]).toEqual([403, 403]);
      expect(readUnknown.body.detail).toBe(readOther.body.detail);
      const [changeOther, changeUnknown] = [await leadAs.patch(`/v1/users/${outsider.id}`, { active: false }), await leadAs.patch(`/v1/users/${unknown}`, { active: false })];
      expect([changeOther.status, changeUnknown.status]).toEqual([403, 403]);
      expect(changeUnknown.body.detail).toBe(changeOther.body.detail);
      // An admin still hears what happened.
      expect((await factory.admin.post('/v1/users', { email: outsider.email, name: 'Twin', password: TEST_PASSWORD, organisationId: org.id }).expect(409)).body.detail).toBe(
        'A user with this email already exists.',
      );
      await factory.admin.get(`/v1/users/${unknown}`).expect(404);
    });
  });
});
