import request from 'supertest';
import { deriveKey, loadConfig } from '@app/config';
import { ManualClock } from '@app/domain';
import { Factory, TEST_PASSWORD, TestApi, createTestApi, agent, testClock } from '@test/support';

describe('accounts', () => {
  let api: TestApi;
  let factory: Factory;

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
  });
  afterAll(() => api.close());

  const loginFrom = (address: string, email: string, password: string) => request(api.http).post('/v1/auth/login').set('X-Forwarded-For', address).send({ email, password });

  it('bootstraps the admin from the environment, who can log in and see themselves', async () => {
    const res = await factory.admin.get('/v1/me').expect(200);
    expect(res.body).toMatchObject({ email: loadConfig().admin.email, role: 'admin', organisation: null });
  });

  it('lets the admin create organisations of each kind and users in them, never showing a password hash', async () => {
    const council = await factory.organisation('commissioner', 'Northshire County Council');
    expect(council).toMatchObject({ name: 'Northshire County Council', kind: 'commissioner' });
    const res = await factory.admin.post('/v1/users', { email: 'Jo.Bloggs@Northshire.gov.uk', name: 'Jo Bloggs', password: TEST_PASSWORD, organisationId: council.id }).expect(201);
    expect(res.body).toMatchObject({ email: 'jo.bloggs@northshire.gov.uk', role: 'member', organisationId: council.id });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon/i);

    const token = (await loginFrom('10.1.1.1', 'JO.BLOGGS@northshire.gov.uk', TEST_PASSWORD).expect(200)).body.accessToken;
    const me = await agent(api.http, token).get('/v1/me').expect(200);
    expect(me.body).toMatchObject({ name: 'Jo Bloggs', organisation: { id: council.id, kind: 'commissioner' } });
    expect(JSON.stringify(me.body)).not.toMatch(/password|argon/i);

    const users = await factory.admin.get(`/v1/users?organisationId=${council.id}`).expect(200);
    expect(users.body).toHaveLength(1);
    expect(JSON.stringify(users.body)).not.toMatch(/argon/);
  });

  it('refuses a second user with the same email (any case) with 409', async () => {
    const org = await factory.organisation('provider');
    const user = await factory.user(org);
    const res = await factory.admin.post('/v1/users', { email: user.email.toUpperCase(), name: 'Twin', password: TEST_PASSWORD, organisationId: org.id }).expect(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('names the missing organisation of a new user as a field error', async () => {
    const res = await factory.admin.post('/v1/users', { email: 'x@example.org', name: 'X', password: TEST_PASSWORD, organisationId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'organisationId', message: 'no organisation has this id' }]);
  });

  it('lets only admins create organisations and users', async () => {
    const org = await factory.organisation('commissioner');
    const user = await factory.user(org);
    await user.as.post('/v1/organisations', { name: 'Mine', kind: 'provider' }).expect(403);
    await user.as.post('/v1/users', { email: 'y@example.org', name: 'Y', password: TEST_PASSWORD, organisationId: org.id }).expect(403);
    await user.as.get('/v1/users').expect(403);
    await user.as.get('/v1/organisations').expect(200);
  });

  describe('tokens', () => {
    let token: string;
    beforeAll(async () => {
      const user = await factory.user(await factory.organisation('community'));
      token = user.as.token!;
    });

    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    it('answers 401 problem+json without a token or with a malformed header', async () => {
      for (const header of [undefined, 'Bearer', 'Basic abc', `Bearer ${token} extra`]) {
        const r = request(api.http).get('/v1/me');
        const res = await (header ? r.set('Authorization', header) : r).expect(401);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('refuses alg "none"', async () => {
      const [, payload] = token.split('.');
      await agent(api.http, `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`)
        .get('/v1/me')
        .expect(401);
    });

    it('refuses a tampered payload', async () => {
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`;
      await agent(api.http, forged).post('/v1/organisations', { name: 'Evil', kind: 'provider' }).expect(401);
    });

    it('refuses a token signed with another secret or algorithm', async () => {
      const { JwtService } = await import('@nestjs/jwt');
      const jwt = new JwtService({});
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      delete claims.iat;
      delete claims.exp;
      const other = jwt.sign(claims, { secret: 'x'.repeat(40), algorithm: 'HS256' });
      await agent(api.http, other).get('/v1/me').expect(401);
      // The service's own key and claims, but another algorithm.
      const hs512 = jwt.sign(claims, { secret: deriveKey(loadConfig().jwt.secret, 'access-token') as unknown as string, algorithm: 'HS512' });
      await agent(api.http, hs512).get('/v1/me').expect(401);
    });

    it('refuses an expired token', async () => {
      const { JwtService } = await import('@nestjs/jwt');
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      const expired = new JwtService({}).sign(
        { ...claims, iat: claims.iat - 3600, exp: Math.floor(Date.now() / 1000) - 10 },
        { secret: deriveKey(loadConfig().jwt.secret, 'access-token') as unknown as string, algorithm: 'HS256' },
      );
      await agent(api.http, expired).get('/v1/me').expect(401);
    });

    it('issues short-lived HS256 tokens', () => {
      const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      expect(header.alg).toBe('HS256');
      expect(claims.exp - claims.iat).toBe(loadConfig().jwt.ttlSeconds);
    });
  });

  describe('failed logins', () => {
    it('answers 401 alike for an unknown email and a wrong password', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      const wrong = await loginFrom('10.2.0.1', user.email, 'not-the-password').expect(401);
      const unknown = await loginFrom('10.2.0.1', 'nobody@example.org', 'not-the-password').expect(401);
      expect(wrong.body.detail).toBe(unknown.body.detail);
    });

    it('locks an account out from the address that failed too often, with Retry-After; the owner elsewhere still signs in', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      const limit = loadConfig().login.maxFailuresPerAccount;
      for (let i = 0; i < limit; i++) await loginFrom('10.3.0.1', user.email, 'wrong-password').expect(401);
      const res = await loginFrom('10.3.0.1', user.email, TEST_PASSWORD).expect(429);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // The attacker's guesses do not lock the owner out of their own address.
      await loginFrom('10.3.99.1', user.email, TEST_PASSWORD).expect(200);
      // Another account is not affected at the attacker's address.
      const other = await factory.user(await factory.organisation('provider'));
      await loginFrom('10.3.0.1', other.email, TEST_PASSWORD).expect(200);
    });

    it('counts an IPv6 address by its /64: another address of the same /64 is the same client', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      const limit = loadConfig().login.maxFailuresPerAccount;
      for (let i = 0; i < limit; i++) await loginFrom(`2001:db8:31:64::${i + 1}`, user.email, 'wrong-password').expect(401);
      await loginFrom('2001:db8:31:64:ffff:ffff:ffff:ffff', user.email, TEST_PASSWORD).expect(429);
      await loginFrom('2001:db8:31:65::1', user.email, TEST_PASSWORD).expect(200);
    });

    it('checks at most the limit of passwords when many wrong ones arrive at once', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      const limit = loadConfig().login.maxFailuresPerAccount;
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => loginFrom('10.7.0.1', user.email, `wrong-password-${i}`)));
      const statuses = answers.map((res) => res.status);
      // Every 401 is a password that was checked; a 429 was refused before any check.
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(limit);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(50 - limit);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      for (const res of answers.filter((r) => r.status === 429)) expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      await loginFrom('10.7.0.1', user.email, TEST_PASSWORD).expect(429);
    });

    it('counts every spelling of one email against the one account, and signs in with any of them', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      const limit = loadConfig().login.maxFailuresPerAccount;
      const fullWidth = (text: string) => [...text].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
      const spellings = [`  ${user.email.toUpperCase()} `, fullWidth(user.email), `\t${user.email}\n`, user.email.replace(/^./, (c) => c.toUpperCase())];
      const token = (await loginFrom('10.8.0.1', fullWidth(user.email.toUpperCase()), TEST_PASSWORD).expect(200)).body.accessToken;
      expect((await agent(api.http, token).get('/v1/me').expect(200)).body.id).toBe(user.id);
      for (let i = 0; i < limit; i++) await loginFrom('10.8.1.1', spellings[i % spellings.length], 'wrong-password').expect(401);
      await loginFrom('10.8.1.1', user.email, TEST_PASSWORD).expect(429);
    });

    it('a success clears the account count', async () => {
      const user = await factory.user(await factory.organisation('provider'));
      const limit = loadConfig().login.maxFailuresPerAccount;
      for (let i = 0; i < limit - 1; i++) await loginFrom('10.4.0.1', user.email, 'wrong-password').expect(401);
      await loginFrom('10.4.0.1', user.email, TEST_PASSWORD).expect(200);
      for (let i = 0; i < limit - 1; i++) await loginFrom('10.4.0.1', user.email, 'wrong-password').expect(401);
      await loginFrom('10.4.0.1', user.email, TEST_PASSWORD).expect(200);
    });

    it('does not block many people of one office who each mistype once', async () => {
      const org = await factory.organisation('commissioner');
      const office = '10.5.0.1';
      const staff = await Promise.all(Array.from({ length: 12 }, () => factory.user(org)));
      for (const person of staff) await loginFrom(office, person.email, 'typo-password').expect(401);
      for (const person of staff) await loginFrom(office, person.email, TEST_PASSWORD).expect(200);
    });

    it('blocks an address that fails across very many accounts', async () => {
      const limit = loadConfig().login.maxFailuresPerAddress;
      const address = '10.6.0.1';
      const attempts = Array.from({ length: limit }, (_, i) => loginFrom(address, `guess${i}@example.org`, 'password-guess'));
      for (const res of await Promise.all(attempts)) expect([401, 429]).toContain(res.status);
      const user = await factory.user(await factory.organisation('provider'));
      await loginFrom(address, user.email, TEST_PASSWORD).expect(429);
      await loginFrom('10.6.0.2', user.email, TEST_PASSWORD).expect(200);
    });
  });

  describe('calendar tokens', () => {
    const DAY = 86_400_000;
    const feed = (http: TestApi['http'], partnershipId: string, token: string) => request(http).get(`/v1/partnerships/${partnershipId}/calendar.ics?token=${encodeURIComponent(token)}`);

    it('can be revoked: the old subscription link stops working', async () => {
      const { id, commissioner } = await factory.partnership();
      const { token } = (await commissioner.as.post('/v1/me/calendar-token').expect(201)).body;
      await feed(api.http, id, token)
        .expect(200)
        .expect('content-type', /text\/calendar/);
      await commissioner.as.delete('/v1/me/calendar-token').expect(204);
      const refused = await feed(api.http, id, token).expect(401);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      // Revoking again, or with no token, is no error; a new token works again.
      await commissioner.as.delete('/v1/me/calendar-token').expect(204);
      const fresh = (await commissioner.as.post('/v1/me/calendar-token').expect(201)).body.token;
      await feed(api.http, id, fresh).expect(200);
      await feed(api.http, id, token).expect(401);
      await factory.anonymous().delete('/v1/me/calendar-token').expect(401);
    });

    it('expire a year after they were issued, by the services’ clock', async () => {
      const clock = new ManualClock(testClock().now());
      const timed = await createTestApi({ clock });
      try {
        const timedFactory = await Factory.create(timed.http);
        const { id, commissioner } = await timedFactory.partnership();
        const issued = (await commissioner.as.post('/v1/me/calendar-token').expect(201)).body;
        const issuedAt = clock.now();
        const yearLater = new Date(issuedAt);
        yearLater.setUTCFullYear(yearLater.getUTCFullYear() + 1);
        expect(issued.expiresAt).toBe(yearLater.toISOString());
        clock.advance(364 * DAY);
        await feed(timed.http, id, issued.token).expect(200);
        clock.set(new Date(yearLater.getTime() - 1000));
        await feed(timed.http, id, issued.token).expect(200);
        clock.set(new Date(yearLater.getTime() + 1000));
        await feed(timed.http, id, issued.token).expect(401);
        // A new one runs a year from its own issue.
        const renewed = (await commissioner.as.post('/v1/me/calendar-token').expect(201)).body.token;
        await feed(timed.http, id, renewed).expect(200);
      } finally {
        await timed.close();
      }
    });
  });
});
