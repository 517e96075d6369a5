import request from 'supertest';
import { loadConfig } from '@app/config';
import { type Collaboration, Factory, TEST_PASSWORD, TestApi, createTestApi, startCollaboration } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, signInOverHttp, signedIn } from '@test/support/test-web';

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

/** The admin's redaction page (issue 34): a "Redact" link on each entry of the cycle's history that holds a personal text, a field and a reason, CSRF. */
describe('the web page that redacts a history entry', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: Awaited<ReturnType<typeof startCollaboration>>['steps'];
  let web: TestWeb;
  let cycleId: string;
  const named = 'Mr Sam Price of 9 Oak Lane waited a month for a ramp.';

  beforeAll(async () => {
    ({ api, factory, c, steps } = await startCollaboration());
    cycleId = await c.newCycle({ title: 'Home adaptations' });
    await steps.toFraming(cycleId);
    await steps.ok(c.charityUser.as, cycleId, { type: 'REVISE_PROBLEM', statement: named });
    web = await createTestWeb();
  }, 90000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  it('shows admins a Redact link per entry with a personal text; the page asks which text and why, refuses without them, and redacts', async () => {
    const http = web.app.getHttpServer();
    const config = loadConfig();
    const admin = await signInOverHttp(web, config.admin.email, config.admin.password!);
    const history = (await c.councilUser.as.get(`/v1/cycles/${cycleId}/history?limit=200`).expect(200)).body.items as { seq: number; type: string }[];
    const revision = history.filter((e) => e.type === 'REVISE_PROBLEM').pop()!;

    const page = await request(http).get(`/cycles/${cycleId}`).set('Cookie', admin.cookie).expect(200);
    expect(page.text).toContain(`href="/cycles/${cycleId}/history/${revision.seq}/redact"`);
    // Not for an entry without personal text (the cycle's creation), nor for anyone but an admin.
    expect(page.text).not.toContain(`href="/cycles/${cycleId}/history/1/redact"`);
    const member = await signInOverHttp(web, c.councilUser.email, TEST_PASSWORD);
    expect((await request(http).get(`/cycles/${cycleId}`).set('Cookie', member.cookie).expect(200)).text).not.toContain('/redact"');
    await request(http).get(`/cycles/${cycleId}/history/${revision.seq}/redact`).set('Cookie', member.cookie).expect(403);

    const form = await request(http).get(`/cycles/${cycleId}/history/${revision.seq}/redact`).set('Cookie', admin.cookie).expect(200);
    expect(form.text).toContain(`Redact entry ${revision.seq} of the history`);
    expect(form.text).toContain('value="statement"');
    expect(form.text).toContain(named);
    await request(http).get(`/cycles/${cycleId}/history/99999/redact`).set('Cookie', admin.cookie).expect(404);

    const url = `/cycles/${cycleId}/history/${revision.seq}/redact`;
    await request(http).post(url).set('Cookie', admin.cookie).type('form').send({ field: 'statement', reason: 'Names a resident' }).expect(403);
    const bad = await request(http).post(url).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, field: 'statement', reason: '' }).expect(400);
    expect(bad.text).toContain('href="#reason"');
    expect(bad.text).toContain('Enter why the text is redacted');
    const unknown = await request(http).post(url).set('Cookie', admin.cookie).type('form').send({ _csrf: admin.csrf, field: 'title', reason: 'Names a resident' }).expect(400);
    expect(unknown.text).toContain('Choose the text to redact');

    await request(http)
      .post(url)
      .set('Cookie', admin.cookie)
      .type('form')
      .send({ _csrf: admin.csrf, field: 'statement', reason: 'Names a resident' })
      .expect(303)
      .expect('Location', `/cycles/${cycleId}#history`);
    const after = (await c.councilUser.as.get(`/v1/cycles/${cycleId}/history?limit=200`).expect(200)).body.items as { seq: number; type: string; payload: Record<string, unknown> }[];
    expect(after.find((e) => e.seq === revision.seq)!.payload.statement).toBe('[redacted]');
    expect(after.at(-1)).toMatchObject({ type: 'REDACTED', payload: { fields: [{ seq: revision.seq, path: '/statement' }] } });
    expect((await c.councilUser.as.get(`/v1/cycles/${cycleId}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
    const again = await request(http).get(url).set('Cookie', admin.cookie).expect(200);
    expect(again.text).toContain('This entry holds no personal text left to redact.');
  });

  it('the erasure and redaction pages are axe-clean, with their errors shown too', async () => {
    const config = loadConfig();
    const person = await factory.user(c.orgs.charity, 'Jo Axe');
    await steps.ok(c.charityUser.as, cycleId, { type: 'REVISE_PROBLEM', statement: 'A second statement.' });
    const history = (await c.councilUser.as.get(`/v1/cycles/${cycleId}/history?limit=200`).expect(200)).body.items as { seq: number; type: string }[];
    const revision = history.filter((e) => e.type === 'REVISE_PROBLEM').pop()!;
    const { context, page } = await signedIn(web, config.admin.email, config.admin.password!);
    try {
      await page.goto(`/people/${person.id}/erase`);
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.click('button:has-text("Erase this person’s personal data")');
      await page.waitForSelector('.govuk-error-summary');
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.goto(`/cycles/${cycleId}/history/${revision.seq}/redact`);
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.click('button:has-text("Redact")');
      await page.waitForSelector('.govuk-error-summary');
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60000);
});
