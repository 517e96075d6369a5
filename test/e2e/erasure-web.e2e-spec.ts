import request from 'supertest';
import { loadConfig } from '@app/config';
import { Factory, TEST_PASSWORD, TestApi, createTestApi } from '@test/support';
import { TestWeb, createTestWeb, signInOverHttp } from '@test/support/test-web';

/** The admin's erasure page (issue 34): linked from the person's page, it says what happens, asks why, names a refusal, and erases. */
describe('the web page that erases a person', () => {
  let api: TestApi;
  let factory: Factory;
  let web: TestWeb;

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    web = await createTestWeb();
  }, 60000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  it('confirms what happens, refuses without a reason or form token, names a refusal, then erases and says what it did', async () => {
    const http = web.app.getHttpServer();
    const config = loadConfig();
    const organisation = await factory.organisation('community', 'Westvale Residents Forum');
    const person = await factory.user(organisation, 'Robin Example');
    const admin = await signInOverHttp(web, config.admin.email, config.admin.password!);

    const personPage = await request(http).get(`/people/${person.id}`).set('Cookie', admin.cookie).expect(200);
    expect(personPage.text).toContain(`href="/people/${person.id}/erase"`);
    expect(personPage.text).toContain('Erase this person’s personal data');
    const confirm = await request(http).get(`/people/${person.id}/erase`).set('Cookie', admin.cookie).expect(200);
    expect(confirm.text).toContain('Erase Robin Example’s personal data');
    expect(confirm.text).toContain('This cannot be undone.');
    expect(confirm.text).toContain('“Former member of Westvale Residents Forum”');
    expect(confirm.text).toContain('the last active platform admin');
    expect(confirm.text).toContain('open tasks');

    // Without the session's form token: refused, nothing erased.
    await request(http).post(`/people/${person.id}/erase`).set('Cookie', admin.cookie).type('form').send({ reason: 'DP-9' }).expect(403);
    const noReason = await request(http).post(`/people/${person.id}/erase`).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, reason: '  ' }).expect(400);
    expect(noReason.text).toContain('There is a problem');
    expect(noReason.text).toContain('href="#reason"');
    expect(noReason.text).toContain('Enter why their personal data is erased');
    expect((await factory.admin.get(`/v1/users/${person.id}`).expect(200)).body).toMatchObject({ name: 'Robin Example', active: true });

    // Not an admin: no page.
    const other = await signInOverHttp(web, person.email, TEST_PASSWORD);
    await request(http).get(`/people/${person.id}/erase`).set('Cookie', other.cookie).expect(403);

    // The last admin erasing themself is refused, with what to do first (when this run has one admin).
    const me = (await factory.admin.get('/v1/me').expect(200)).body;
    const users: { role: string; active: boolean }[] = (await factory.admin.get('/v1/users').expect(200)).body.items ?? (await factory.admin.get('/v1/users').expect(200)).body;
    if (users.filter((u) => u.role === 'admin' && u.active).length === 1) {
      const refused = await request(http).post(`/people/${me.id}/erase`).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, reason: 'Leaving' }).expect(422);
      expect(refused.text).toContain('The erasure cannot be done yet');
      expect(refused.text).toContain('You are the last active platform admin: make another person an admin first.');
    }

    const done = await request(http).post(`/people/${person.id}/erase`).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, reason: 'Erasure request DP-9' }).expect(200);
    expect(done.text).toContain('The person’s personal data is erased');
    expect(done.text).toContain('“Former member of Westvale Residents Forum”');
    expect(done.text).toContain('0 texts erased in 0 cycles and 0 agreements.');
    expect((await factory.admin.get(`/v1/users/${person.id}`).expect(200)).body).toMatchObject({ name: 'Former member of Westvale Residents Forum', active: false });
  });
});
