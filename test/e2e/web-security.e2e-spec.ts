import { Logger } from '@nestjs/common';
import request from 'supertest';
import { AccountsService } from '@app/accounts';
import { loadConfig } from '@app/config';
import { Factory, TEST_PASSWORD, TestApi, createTestApi } from '@test/support';
import { TestWeb, createTestWeb, signInOverHttp } from '@test/support/test-web';

/** What review found at the web app's edge (issue 13): each over plain HTTP, as a browser sends it. */
describe('the web app, hardened', () => {
  let api: TestApi;
  let web: TestWeb;
  let factory: Factory;

  const signIn = (email: string, password: string) => signInOverHttp(web, email, password);

  beforeAll(async () => {
    api = await createTestApi();
    web = await createTestWeb();
    factory = await Factory.create(api.http);
  }, 60000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  it('checks a new user’s email by its length before any pattern (a form of dots once took seconds)', async () => {
    const config = loadConfig();
    const admin = await signIn(config.admin.email, config.admin.password!);
    const org = await factory.organisation('provider');
    await request(web.app.getHttpServer()).get('/admin').set('Cookie', admin.cookie).expect(200); // the page's templates compiled
    const started = performance.now();
    const res = await request(web.app.getHttpServer())
      .post('/admin/users')
      .set('Cookie', admin.cookie)
      .type('form')
      .send({ _csrf: admin.csrf, name: 'Dot', email: `a@${'.'.repeat(100_000)} x`, password: 'a-long-enough-password', organisationId: org.id })
      .expect(400);
    // The pattern on 100,000 dots took tens of seconds; checked by length first, it is a few milliseconds
    // (a bound far above that, so that a loaded machine does not fail it: the bench measures speed).
    expect(performance.now() - started).toBeLessThan(8000);
    expect(res.text).toContain('254 characters at most');
  });

  it('revokes the calendar subscription link from the partnership page', async () => {
    const http = web.app.getHttpServer();
    const { id, commissioner } = await factory.partnership();
    const me = await signIn(commissioner.email, TEST_PASSWORD);
    expect((await request(http).get(`/partnerships/${id}`).set('Cookie', me.cookie).expect(200)).text).not.toContain('Revoke my subscription link');
    const made = await request(http).post(`/partnerships/${id}/calendar-link`).set('Cookie', me.cookie).type('form').send({ _csrf: me.csrf }).expect(200);
    const token = decodeURIComponent(/calendar\.ics\?token=([^<"\s]+)/.exec(made.text)![1]);
    expect(made.text).toContain('Revoke my subscription link');
    // Read with the session on every later page: when it stops working, and the way to revoke it.
    const later = await request(http).get(`/partnerships/${id}`).set('Cookie', me.cookie).expect(200);
    expect(later.text).toContain('Your subscription link works until');
    expect(later.text).toContain('Revoke my subscription link');
    const feed = () => request(api.http).get(`/v1/partnerships/${id}/calendar.ics?token=${encodeURIComponent(token)}`);
    await feed().expect(200);
    await request(http)
      .post(`/partnerships/${id}/calendar-link/revoke`)
      .set('Cookie', me.cookie)
      .type('form')
      .send({ _csrf: me.csrf })
      .expect(303)
      .expect('location', `/partnerships/${id}?done=calendar-revoked#subscribe`);
    await feed().expect(401);
    const after = await request(http).get(`/partnerships/${id}?done=calendar-revoked`).set('Cookie', me.cookie).expect(200);
    expect(after.text).toContain('Your subscription link is revoked');
    expect(after.text).not.toContain('Revoke my subscription link');
    // Without the form's token, nothing is revoked.
    await request(http).post(`/partnerships/${id}/calendar-link/revoke`).set('Cookie', me.cookie).type('form').send({}).expect(403);
  });

  it('shows an internal error as a generic page with an incident id; the cause goes only to the log', async () => {
    const config = loadConfig();
    const admin = await signIn(config.admin.email, config.admin.password!);
    const cause = new Error('could not read block 7 of relation "organisations": secret detail');
    const failing = jest.spyOn(web.app.get(AccountsService), 'listOrganisations').mockRejectedValueOnce(cause);
    const logged = jest.spyOn(Logger.prototype, 'error');
    try {
      const res = await request(web.app.getHttpServer())
        .get('/admin')
        .set('Cookie', admin.cookie)
        .expect(500)
        .expect('content-type', /text\/html/);
      const incidentId = /class="app-incident">([0-9a-f-]{36})</.exec(res.text)?.[1];
      expect(incidentId).toBeDefined();
      expect(res.text).toContain('Sorry, there is a problem with the service');
      expect(res.text).not.toMatch(/block 7|secret detail|organisations&quot;/);
      const entry = logged.mock.calls.find((call) => (call[0] as { incidentId?: string })?.incidentId === incidentId);
      expect(entry?.[0]).toMatchObject({ err: cause, path: '/admin' });
    } finally {
      failing.mockRestore();
      logged.mockRestore();
    }
  });
});
