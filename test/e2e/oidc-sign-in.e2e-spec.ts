import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '@app/config';
import { Factory, TEST_PASSWORD, TestApi, TestUser, createTestApi, login } from '@test/support';
import { TestOidc, Tamper, startTestOidc, throughProvider } from '@test/support/test-oidc';
import { createWebApp } from '@test/support/test-web';

/** Sign-in with an organisation's identity provider, against a real OpenID provider (API.md, "Sign-in"). */
describe('sign-in with an organisation’s identity provider', () => {
  const insecure = (c: AppConfig): AppConfig => ({ ...c, oidc: { ...c.oidc, allowInsecureIssuer: true } });
  const redirectUri = `${loadConfig().mail.publicWebUrl}/sign-in/oidc/callback`;
  let api: TestApi;
  let factory: Factory;
  let web: NestExpressApplication;
  let idp: TestOidc;
  const unique = () => randomUUID().slice(0, 8);
  // Every log line of the run, to look for codes, tokens and secrets in.
  const logged: string[] = [];
  const spies = (['log', 'warn', 'error', 'debug', 'verbose'] as const).map((level) =>
    jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, ...args: unknown[]) {
      logged.push(JSON.stringify(args));
    }),
  );

  beforeAll(async () => {
    api = await createTestApi({ config: insecure });
    factory = await Factory.create(api.http);
    web = (await createWebApp({ config: insecure })).app;
    idp = await startTestOidc();
  });
  afterAll(async () => {
    spies.forEach((spy) => spy.mockRestore());
    await idp.stop();
    await web.close();
    await api.close();
  });

  /** An organisation with a lead, its provider configured by the lead for one domain of its own. */
  async function organisationWithProvider(options: { passwordsAllowed?: boolean; provider?: TestOidc } = {}) {
    const provider = options.provider ?? idp;
    const org = await factory.organisation('commissioner', `Council ${unique()}`);
    const lead = await factory.lead(org);
    const domain = `council-${unique()}.gov.uk`;
    const client = await provider.client(redirectUri);
    const res = await lead.as.put(`/v1/organisations/${org.id}/identity-provider`, {
      issuer: provider.issuer,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      emailDomains: [domain],
      ...(options.passwordsAllowed !== undefined && { passwordsAllowed: options.passwordsAllowed }),
    });
    expect(res.status).toBe(200);
    return { org, lead, domain, client };
  }

  /** The web app's start, the provider's login as `sub`, and the callback: its answer (and the callback URL). */
  async function signIn(organisationId: string, sub: string, options: { tamper?: Tamper; address?: string } = {}) {
    const http = web.getHttpServer();
    const start = await request(http)
      .get(`/sign-in/oidc/${organisationId}`)
      .set('X-Forwarded-For', options.address ?? `10.77.${Math.floor(Math.random() * 250)}.1`);
    expect(start.status).toBe(302);
    const authorization = new URL(start.headers.location);
    const flowCookie = (start.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cocommission_oidc='))!.split(';')[0];
    if (options.tamper) await idp.tamperNext(options.tamper);
    const back = await throughProvider(authorization.href, sub, redirectUri);
    const callback = () => request(http).get(`${back.pathname}${back.search}`).set('Cookie', flowCookie);
    return { authorization, back, callback, res: await callback() };
  }

  const sessionOf = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('cocommission_session='))?.split(';')[0];

  it('sends the browser to the provider with PKCE S256, state and nonce; the first sign-in makes the person in the organisation, later ones find them by issuer and subject', async () => {
    const { org, domain } = await organisationWithProvider();
    const sub = `person-${unique()}`;
    await idp.account({ sub, email: `Asha.Patel@${domain}`, email_verified: true, name: 'Asha Patel' });

    const first = await signIn(org.id, sub);
    const q = first.authorization.searchParams;
    expect(`${first.authorization.origin}${first.authorization.pathname}`).toBe(`${idp.issuer}/auth`);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    expect(q.get('redirect_uri')).toBe(redirectUri);
    expect(q.get('scope')).toBe('openid email profile');

    expect(first.res.status).toBe(303);
    const session = sessionOf(first.res)!;
    const page = await request(web.getHttpServer()).get('/').set('Cookie', session).expect(200);
    expect(page.text).toContain('Asha Patel');
    const users = (await factory.admin.get(`/v1/users?organisationId=${org.id}`).expect(200)).body as { id: string; email: string; name: string; role: string }[];
    const made = users.find((u) => u.email === `asha.patel@${domain}`)!;
    expect(made).toMatchObject({ name: 'Asha Patel', role: 'member' });

    // The provider changes the address: the same person still (found by issuer and subject), no new user.
    await idp.account({ sub, email: `asha.p@${domain}`, email_verified: true, name: 'Asha Patel' });
    const again = await signIn(org.id, sub);
    expect(again.res.status).toBe(303);
    const after = (await factory.admin.get(`/v1/users?organisationId=${org.id}`).expect(200)).body as { id: string }[];
    expect(after).toHaveLength(users.length);
    const [identity] = await api.app.get(DataSource).query('SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2', [idp.issuer, sub]);
    expect(identity.user_id).toBe(made.id);

    // The callback taken once: the same answer again is refused (a replayed state).
    const replayed = await again.callback();
    expect(replayed.status).toBe(400);
    expect(replayed.text).toContain('This sign-in has been used already, or has expired');
    expect(sessionOf(replayed)).toBeUndefined();

    // Deactivated here: the provider cannot let them in.
    await factory.admin.patch(`/v1/users/${made.id}`, { active: false }).expect(200);
    const refused = await signIn(org.id, sub);
    expect(refused.res.status).toBe(403);
    expect(refused.res.text).toContain('This account has been deactivated');
    expect(sessionOf(refused.res)).toBeUndefined();
  });

  it.each([
    ['nonce', 'nonce', 'nonce'],
    ['audience', 'audience', 'aud'],
    ['expiry (expired)', 'expired', 'exp'],
    ['signature (another key)', 'signature', 'signature'],
  ] as const)('refuses an ID token with a wrong %s (401 page, nobody signed in or made)', async (_label, tamper, claim) => {
    const { org, domain } = await organisationWithProvider();
    const sub = `person-${unique()}`;
    await idp.account({ sub, email: `someone@${domain}`, email_verified: true });
    const { res } = await signIn(org.id, sub, { tamper });
    expect(res.status).toBe(401);
    expect(res.text).toContain('You could not be signed in');
    expect(res.text).toContain('could not be verified');
    expect(res.text).toContain(claim);
    expect(sessionOf(res)).toBeUndefined();
    expect((await factory.admin.get(`/v1/users?organisationId=${org.id}`).expect(200)).body).toHaveLength(1);
  });

  it('refuses an unverified email, and an email of another organisation’s domain (403 pages, nobody made)', async () => {
    const a = await organisationWithProvider();
    const b = await organisationWithProvider();
    const unverified = `person-${unique()}`;
    await idp.account({ sub: unverified, email: `someone@${a.domain}`, email_verified: false });
    const first = await signIn(a.org.id, unverified);
    expect(first.res.status).toBe(403);
    expect(first.res.text).toContain('did not confirm your email address is verified');

    const stranger = `person-${unique()}`;
    await idp.account({ sub: stranger, email: `someone@${b.domain}`, email_verified: true });
    const second = await signIn(a.org.id, stranger);
    expect(second.res.status).toBe(403);
    expect(second.res.text).toContain(`not one of ${a.org.name}’s email domains`);
    expect(sessionOf(second.res)).toBeUndefined();
    for (const org of [a.org, b.org]) expect((await factory.admin.get(`/v1/users?organisationId=${org.id}`).expect(200)).body).toHaveLength(1);

    // Entra ID's way of saying it (no email_verified): its owner verified the domain.
    const entra = `person-${unique()}`;
    await idp.account({ sub: entra, email: `entra@${a.domain}`, xms_edov: true });
    expect((await signIn(a.org.id, entra)).res.status).toBe(303);
  });

  it('a provider that is down: a clear page (502), never a 500', async () => {
    const other = await startTestOidc();
    try {
      const { org, domain } = await organisationWithProvider({ provider: other });
      const sub = `person-${unique()}`;
      await other.account({ sub, email: `someone@${domain}`, email_verified: true });
      const http = web.getHttpServer();
      const start = await request(http).get(`/sign-in/oidc/${org.id}`).expect(302);
      const flowCookie = (start.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cocommission_oidc='))!.split(';')[0];
      const back = await throughProvider(start.headers.location, sub, redirectUri);
      await other.stop();
      const res = await request(http).get(`${back.pathname}${back.search}`).set('Cookie', flowCookie);
      expect(res.status).toBe(502);
      expect(res.text).toContain('did not answer');

      // Another web process, which has not discovered it yet: the start says so too.
      const fresh = await createWebApp({ config: insecure });
      try {
        const down = await request(fresh.app.getHttpServer()).get(`/sign-in/oidc/${org.id}`);
        expect(down.status).toBe(502);
        expect(down.text).toContain('sign-in service did not answer');
      } finally {
        await fresh.app.close();
      }
    } finally {
      await other.stop();
    }
  });

  it('an answer without the browser’s flow cookie is refused (400), and the sign-in page offers each provider', async () => {
    const { org, domain } = await organisationWithProvider();
    const sub = `person-${unique()}`;
    await idp.account({ sub, email: `someone@${domain}`, email_verified: true });
    const http = web.getHttpServer();
    const start = await request(http).get(`/sign-in/oidc/${org.id}`).expect(302);
    const back = await throughProvider(start.headers.location, sub, redirectUri);
    const res = await request(http).get(`${back.pathname}${back.search}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('not started in this browser');

    const page = await request(http).get('/sign-in').expect(200);
    expect(page.text).toContain(`href="/sign-in/oidc/${org.id}"`);
    expect(page.text).toContain(`Sign in with ${org.name}`);
    // By email: the domain's organisation.
    const byEmail = await request(http)
      .get(`/sign-in/oidc?email=${encodeURIComponent(`x@${domain}`)}`)
      .expect(302);
    expect(byEmail.headers.location.startsWith(`${idp.issuer}/auth?`)).toBe(true);
    expect(new URL(byEmail.headers.location).searchParams.get('login_hint')).toBe(`x@${domain}`);
    const unknown = await request(http).get('/sign-in/oidc?email=x%40nowhere.example').expect(404);
    expect(unknown.text).toContain('sign in with your password');
  });

  it('passwordsAllowed: false refuses the organisation’s password sign-ins (401 naming the provider), in the API and the web app', async () => {
    const { org, lead, domain } = await organisationWithProvider({ passwordsAllowed: false });
    const res = await request(api.http).post('/v1/auth/login').set('X-Forwarded-For', '10.66.0.1').send({ email: lead.email, password: TEST_PASSWORD }).expect(401);
    expect(res.body.detail).toContain(`Sign in with ${org.name}`);
    // By the domain alone, before any password is checked.
    const byDomain = await request(api.http)
      .post('/v1/auth/login')
      .set('X-Forwarded-For', '10.66.0.2')
      .send({ email: `nobody@${domain}`, password: 'anything-at-all' })
      .expect(401);
    expect(byDomain.body.detail).toContain(org.name);

    const http = web.getHttpServer();
    const form = await request(http).get('/sign-in').expect(200);
    const cookie = String(form.headers['set-cookie']).split(';')[0];
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const refused = await request(http).post('/sign-in').set('Cookie', cookie).type('form').send({ _csrf: token, email: lead.email, password: TEST_PASSWORD, next: '/' }).expect(401);
    expect(refused.text).toContain(`Sign in with ${org.name}`);

    // Passwords on again: the lead signs in with theirs.
    await factory.admin.put(`/v1/organisations/${org.id}/identity-provider`, { ...(await configured(org.id)), passwordsAllowed: true }).expect(200);
    await login(api.http, lead.email, TEST_PASSWORD);
  });

  /** The provider's configuration again, with a fresh client (the secret is never read back). */
  async function configured(organisationId: string) {
    const view = (await factory.admin.get(`/v1/organisations/${organisationId}/identity-provider`).expect(200)).body;
    const client = await idp.client(redirectUri);
    return { ...view, clientId: client.clientId, clientSecret: client.clientSecret };
  }

  it('configuration: the secret is stored encrypted and never returned; admins and the organisation’s lead only; bad input → 422 naming the problem, nothing half-configured', async () => {
    const { org, lead, domain, client } = await organisationWithProvider();
    const view = await lead.as.get(`/v1/organisations/${org.id}/identity-provider`).expect(200);
    expect(view.body).toEqual({ issuer: idp.issuer, clientId: client.clientId, emailDomains: [domain], passwordsAllowed: true });
    const [row] = await api.app.get(DataSource).query('SELECT client_secret_encrypted FROM identity_providers WHERE organisation_id = $1', [org.id]);
    expect(row.client_secret_encrypted).toMatch(/^v1\./);
    expect(row.client_secret_encrypted).not.toContain(client.clientSecret);

    const member = await factory.user(org);
    const otherOrg = await factory.organisation('provider');
    const otherLead: TestUser = await factory.lead(otherOrg);
    const body = { issuer: idp.issuer, clientId: client.clientId, clientSecret: client.clientSecret, emailDomains: [domain] };
    await member.as.put(`/v1/organisations/${org.id}/identity-provider`, body).expect(403);
    await otherLead.as.put(`/v1/organisations/${org.id}/identity-provider`, body).expect(403);
    await otherLead.as.get(`/v1/organisations/${org.id}/identity-provider`).expect(403);

    const unreachable = await lead.as.put(`/v1/organisations/${org.id}/identity-provider`, { ...body, issuer: 'http://127.0.0.1:9', emailDomains: ['elsewhere.example'] }).expect(422);
    expect(unreachable.body.detail).toContain('could not be reached');

    const bare = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: `http://127.0.0.1:${(bare.address() as AddressInfo).port}` }));
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const noEndpoints = await lead.as.put(`/v1/organisations/${org.id}/identity-provider`, { ...body, issuer: `http://127.0.0.1:${(bare.address() as AddressInfo).port}` }).expect(422);
      expect(noEndpoints.body.detail).toContain('authorization_endpoint, token_endpoint, jwks_uri');
    } finally {
      bare.close();
    }

    const other = await organisationWithProvider();
    const taken = await lead.as.put(`/v1/organisations/${org.id}/identity-provider`, { ...body, emailDomains: [domain, other.domain] }).expect(422);
    expect(taken.body.detail).toContain(`${other.domain} belongs to another organisation`);

    // Nothing of the refused attempts was stored.
    expect((await lead.as.get(`/v1/organisations/${org.id}/identity-provider`).expect(200)).body).toEqual(view.body);
    const insecureRefused = await createTestApi();
    try {
      const token = await login(insecureRefused.http, lead.email, TEST_PASSWORD);
      const res = await request(insecureRefused.http).put(`/v1/organisations/${org.id}/identity-provider`).set('Authorization', `Bearer ${token}`).send(body).expect(400);
      expect(res.body.errors[0].field).toBe('issuer');
    } finally {
      await insecureRefused.close();
    }

    await factory.admin.delete(`/v1/organisations/${org.id}/identity-provider`).expect(204);
    await lead.as.get(`/v1/organisations/${org.id}/identity-provider`).expect(404);
    await lead.as.delete(`/v1/organisations/${org.id}/identity-provider`).expect(404);
    expect(JSON.stringify(logged)).not.toContain(client.clientSecret);
  });

  it('limits the sign-ins one address may start (429), and no log line carries a code, state, token or secret', async () => {
    const { org } = await organisationWithProvider();
    const http = web.getHttpServer();
    const address = `10.88.${Math.floor(Math.random() * 250)}.9`;
    const limit = loadConfig().oidc.startsPerMinute;
    for (let i = 0; i < limit; i++) await request(http).get(`/sign-in/oidc/${org.id}`).set('X-Forwarded-For', address).expect(302);
    const refused = await request(http).get(`/sign-in/oidc/${org.id}`).set('X-Forwarded-For', address).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // Per person too (by the email they gave), from however many addresses.
    const { domain: theirs } = await organisationWithProvider();
    const email = encodeURIComponent(`busy@${theirs}`);
    for (let i = 0; i < limit; i++)
      await request(http)
        .get(`/sign-in/oidc?email=${email}`)
        .set('X-Forwarded-For', `10.89.${i}.${Math.floor(Math.random() * 250)}`)
        .expect(302);
    await request(http).get(`/sign-in/oidc?email=${email}`).set('X-Forwarded-For', '10.90.0.1').expect(429);

    // What the flows of this file sent through the logs: one more, and a refused one.
    const { org: first, domain } = await organisationWithProvider();
    const sub = `person-${unique()}`;
    await idp.account({ sub, email: `someone@${domain}`, email_verified: true });
    const flows = [await signIn(first.id, sub), await signIn(first.id, sub, { tamper: 'nonce' })];
    expect(flows.map((f) => f.res.status)).toEqual([303, 401]);
    const text = logged.join('\n');
    expect(text).not.toMatch(/code=[A-Za-z0-9_-]{10,}|state=[A-Za-z0-9_-]{10,}|eyJ[A-Za-z0-9_-]{10,}|cct_/);
    for (const { back } of flows) {
      expect(text).not.toContain(back.searchParams.get('code'));
      expect(text).not.toContain(back.searchParams.get('state'));
    }
  });
});
