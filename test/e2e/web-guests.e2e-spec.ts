import request from 'supertest';
import { DataSource } from 'typeorm';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Collaboration, Factory, TestApi, TestRelay, collaboration, cycleSteps, eventually, startTestApi } from '@test/support';
import { createWebApp, signInOverHttp } from '@test/support/test-web';

/** A guest follows their invitation (issue 33, part 2): signed in by the link once, they see that cycle and no other. */
describe('guests in the web app', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  const PUBLIC = 'https://cocommission.northshire.gov.uk';
  let api: TestApi;
  let web: NestExpressApplication;
  let factory: Factory;
  let c: Collaboration;
  let cycleId: string;
  let other: string;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = PUBLIC;
    ({ api, factory } = await startTestApi());
    web = (await createWebApp()).app;
    c = await collaboration(factory);
    cycleId = await c.newCycle({ title: 'Winter calls 2027' });
    other = await c.newCycle({ title: 'Not theirs' });
    await cycleSteps(c).ok(c.councilUser.as, cycleId, { type: 'LAUNCH' });
    await cycleSteps(c).ok(c.charityUser.as, cycleId, { type: 'REVISE_PROBLEM', statement: 'Older people living alone are admitted to hospital in winter.' });
  }, 60000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL']) if (saved[key] === undefined) delete process.env[key];
  });

  const invite = async (email: string, role: 'panel' | 'voice') => {
    const before = relay.to(email).length;
    const res = await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email, name: 'Sam Patel', role }).expect(201);
    const mails = await eventually(
      () => relay.to(email),
      (list) => list.length > before,
    );
    const token = new RegExp(`${PUBLIC}/invitations/([\\w-]+)`).exec(mails[mails.length - 1].text ?? '')![1];
    return { id: res.body.id as string, token };
  };
  const cookieOf = (res: request.Response) =>
    [res.headers['set-cookie']]
      .flat()
      .find((v) => v?.startsWith('cocommission_session='))!
      .split(';')[0];

  it('a panel guest’s link signs them in once, opens their cycle, puts them on its panel; other cycles are 404; no one else’s email shows', async () => {
    const { token } = await invite('sam.resident@guests.example.org', 'panel');
    const followed = await request(web.getHttpServer()).get(`/invitations/${token}`).expect(303);
    expect(followed.headers.location).toBe(`/cycles/${cycleId}`);
    const cookie = cookieOf(followed);
    const page = await request(web.getHttpServer()).get(`/cycles/${cycleId}`).set('Cookie', cookie).expect(200);
    expect(page.text).toContain('Winter calls 2027');
    for (const person of [c.councilUser, c.icbUser, c.charityUser, c.forumUser]) expect(page.text).not.toContain(person.email);
    await request(web.getHttpServer()).get(`/cycles/${other}`).set('Cookie', cookie).expect(404);
    await request(web.getHttpServer()).get(`/partnerships/${c.partnershipId}`).set('Cookie', cookie).expect(404);
    const view = await c.councilUser.as.get(`/v1/cycles/${cycleId}`).expect(200);
    const [guest]: { id: string; role: string; organisation_id: string | null }[] = await api.app
      .get(DataSource)
      .query(`SELECT id, role, organisation_id FROM users WHERE email = $1`, ['sam.resident@guests.example.org']);
    expect(guest).toMatchObject({ role: 'guest', organisation_id: null });
    expect(view.body.panelUserIds).toContain(guest.id);
    // A guest is of no organisation: no role of one nor a password can be given them.
    await factory.admin.patch(`/v1/users/${guest.id}`, { role: 'member' }).expect(400);
    await factory.admin.patch(`/v1/users/${guest.id}`, { password: 'a long enough password 1' }).expect(400);
    const invitations = await c.councilUser.as.get(`/v1/cycles/${cycleId}/invitations`).expect(200);
    expect(invitations.body.items.find((i: { email: string }) => i.email === 'sam.resident@guests.example.org').state).toBe('used');

    const again = await request(web.getHttpServer()).get(`/invitations/${token}`).expect(410);
    expect(again.text).toContain('This link has already been used');
    expect(again.text).toContain('Send me a new link');
    const mailsBefore = relay.to('sam.resident@guests.example.org').length;
    const renewed = await request(web.getHttpServer()).post(`/invitations/${token}/renew`).expect(200);
    expect(renewed.text).toContain('We have sent you a new link');
    const mails = await eventually(
      () => relay.to('sam.resident@guests.example.org'),
      (list) => list.length > mailsBefore,
    );
    const fresh = new RegExp(`${PUBLIC}/invitations/([\\w-]+)`).exec(mails[mails.length - 1].text ?? '')![1];
    expect(fresh).not.toBe(token);
    await request(web.getHttpServer()).get(`/invitations/${fresh}`).expect(303);
  });

  it('an expired link says so and offers a new one; an unknown link is 404; a staff address is not signed in by a link', async () => {
    const { id, token } = await invite('kim.voice@guests.example.org', 'voice');
    await api.app.get(DataSource).query(`UPDATE cycle_invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    const expired = await request(web.getHttpServer()).get(`/invitations/${token}`).expect(410);
    expect(expired.text).toContain('This link has expired');
    await request(web.getHttpServer()).get(`/invitations/not-a-real-link`).expect(404);
    await request(web.getHttpServer()).post(`/invitations/not-a-real-link/renew`).expect(404);
    const staff = await invite(c.charityUser.email, 'voice');
    const refused = await request(web.getHttpServer()).get(`/invitations/${staff.token}`).expect(409);
    expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('a voice guest sees the cycle but may not act on it (the machine offers them nothing)', async () => {
    const { token } = await invite('lee.voice@guests.example.org', 'voice');
    const cookie = cookieOf(await request(web.getHttpServer()).get(`/invitations/${token}`).expect(303));
    const page = await request(web.getHttpServer()).get(`/cycles/${cycleId}`).set('Cookie', cookie).expect(200);
    expect(page.text).not.toContain('name="type" value="');
    await request(web.getHttpServer()).get(`/cycles/${other}`).set('Cookie', cookie).expect(404);
    // Their other pages list nothing of anyone else's.
    for (const path of ['/', '/partnerships']) {
      const res = await request(web.getHttpServer()).get(path).set('Cookie', cookie);
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toContain('Not theirs');
    }
  });
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

  it('a voice guest reads the problem and gives their view (a comment under the revision), in plain English; they see no one’s address', async () => {
    const { token } = await invite('robin.voice@guests.example.org', 'voice');
    const cookie = cookieOf(await request(web.getHttpServer()).get(`/invitations/${token}`).expect(303));
    const page = await request(web.getHttpServer()).get(`/cycles/${cycleId}`).set('Cookie', cookie).expect(200);
    expect(page.text).toContain('Older people living alone are admitted to hospital in winter.');
    expect(page.text).toContain('Give your view');
    expect(page.text).toContain('Send your view');
    // Without the form's token, nothing is posted.
    await request(web.getHttpServer()).post(`/cycles/${cycleId}/comments`).set('Cookie', cookie).type('form').send({ subject: 'revision', subjectId: '1', body: 'No token' }).expect(403);
    const empty = await request(web.getHttpServer())
      .post(`/cycles/${cycleId}/comments`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfOf(page.text), subject: 'revision', subjectId: '1', body: '  ' })
      .expect(400);
    expect(empty.text).toContain('There is a problem');
    expect(empty.text).toContain('Enter your comment');
    const view = `I live alone in Northshire. The winter calls would help me, @${c.councilUser.email}.`;
    const posted = await request(web.getHttpServer())
      .post(`/cycles/${cycleId}/comments`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfOf(page.text), subject: 'revision', subjectId: '1', body: view })
      .expect(303);
    expect(posted.headers.location).toMatch(new RegExp(`^/cycles/${cycleId}\\?done=COMMENTED#comment-[0-9a-f-]{36}$`));
    const after = await request(web.getHttpServer()).get(`/cycles/${cycleId}?done=COMMENTED`).set('Cookie', cookie).expect(200);
    expect(after.text).toContain('Your comment is posted');
    expect(after.text).toContain('I live alone in Northshire. The winter calls would help me, @');
    for (const person of [c.councilUser, c.icbUser, c.charityUser, c.forumUser]) expect(after.text).not.toContain(person.email);
    // The council's officer was mentioned: told in the app.
    const told = (await c.councilUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items.filter((n: { kind: string }) => n.kind === 'comment.mention');
    expect(told.map((n: { text: string }) => n.text)).toContain(`Sam Patel mentioned you in a comment on “Winter calls 2027”`);
    // A guest hides nothing.
    const id = /#comment-([0-9a-f-]{36})$/.exec(posted.headers.location)![1];
    await request(web.getHttpServer()).get(`/cycles/${cycleId}/comments/${id}/hide`).set('Cookie', cookie).expect(403);
  });

  it('a co-owner comments and replies from the cycle page, changes their comment within 15 minutes; a commissioner hides one with a reason', async () => {
    const charity = await signInOverHttp({ app: web } as never, c.charityUser.email, 'correct-horse-battery-staple');
    const page = await request(web.getHttpServer()).get(`/cycles/${cycleId}`).set('Cookie', charity.cookie).expect(200);
    expect(page.text).toContain('Add a comment');
    const posted = await request(web.getHttpServer())
      .post(`/cycles/${cycleId}/comments`)
      .set('Cookie', charity.cookie)
      .type('form')
      .send({ _csrf: charity.csrf, subject: 'revision', subjectId: '1', body: 'See https://example.org/winter-report?year=2026 <b>for numbers</b>.' })
      .expect(303);
    const id = /#comment-([0-9a-f-]{36})$/.exec(posted.headers.location)![1];
    const shown = await request(web.getHttpServer()).get(`/cycles/${cycleId}`).set('Cookie', charity.cookie).expect(200);
    expect(shown.text).toContain('<a class="govuk-link" href="https://example.org/winter-report?year=2026" rel="nofollow noopener noreferrer">https://example.org/winter-report?year=2026</a>');
    expect(shown.text).toContain('&lt;b&gt;for numbers&lt;/b&gt;');
    expect(shown.text).toContain(`href="/cycles/${cycleId}/comments/${id}/edit"`);
    const edit = await request(web.getHttpServer()).get(`/cycles/${cycleId}/comments/${id}/edit`).set('Cookie', charity.cookie).expect(200);
    expect(edit.text).toContain('Change your comment');
    await request(web.getHttpServer())
      .post(`/cycles/${cycleId}/comments/${id}/edit`)
      .set('Cookie', charity.cookie)
      .type('form')
      .send({ _csrf: charity.csrf, body: 'See the winter report for numbers.' })
      .expect(303);
    const forum = await signInOverHttp({ app: web } as never, c.forumUser.email, 'correct-horse-battery-staple');
    await request(web.getHttpServer()).get(`/cycles/${cycleId}/comments/${id}/edit`).set('Cookie', forum.cookie).expect(403);
    await request(web.getHttpServer())
      .post(`/cycles/${cycleId}/comments`)
      .set('Cookie', forum.cookie)
      .type('form')
      .send({ _csrf: forum.csrf, subject: 'revision', subjectId: '1', replyTo: id, body: 'Thank you, that helps.' })
      .expect(303);
    const council = await signInOverHttp({ app: web } as never, c.councilUser.email, 'correct-horse-battery-staple');
    const councilPage = await request(web.getHttpServer()).get(`/cycles/${cycleId}`).set('Cookie', council.cookie).expect(200);
    expect(councilPage.text).toContain('See the winter report for numbers.');
    expect(councilPage.text).toContain('Thank you, that helps.');
    expect(councilPage.text).toContain(`href="/cycles/${cycleId}/comments/${id}/hide"`);
    const noReason = await request(web.getHttpServer()).post(`/cycles/${cycleId}/comments/${id}/hide`).set('Cookie', council.cookie).type('form').send({ _csrf: council.csrf, reason: '' }).expect(400);
    expect(noReason.text).toContain('Enter why you are hiding this comment');
    await request(web.getHttpServer()).post(`/cycles/${cycleId}/comments/${id}/hide`).set('Cookie', council.cookie).type('form').send({ _csrf: council.csrf, reason: 'Off the subject' }).expect(303);
    const hidden = await request(web.getHttpServer()).get(`/cycles/${cycleId}`).set('Cookie', forum.cookie).expect(200);
    expect(hidden.text).not.toContain('See the winter report for numbers.');
    expect(hidden.text).toContain('Reason: Off the subject');
  });
  it('a proposal and an objection to it take comments from the cycle page too', async () => {
    const steps = cycleSteps(c);
    const id = await c.newCycle({ title: 'Deciding together' });
    const optionId = await steps.toDeciding(id);
    const proposal = await steps.ok(c.icbUser.as, id, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Quickest to start' });
    const proposalId = proposal.decision.proposals[0].id as string;
    await steps.ok(c.charityUser.as, id, { type: 'OBJECT', proposalId, reason: 'Cannot recruit volunteers before January' });
    const forum = await signInOverHttp({ app: web } as never, c.forumUser.email, 'correct-horse-battery-staple');
    const page = await request(web.getHttpServer()).get(`/cycles/${id}`).set('Cookie', forum.cookie).expect(200);
    expect(page.text).toContain('Comments on proposal 1');
    expect(page.text).toContain('Comments on Age Well Northshire’s objection to proposal 1');
    expect(page.text).toContain(`value="proposal:${proposalId}:${c.orgs.charity.id}"`);
    await request(web.getHttpServer())
      .post(`/cycles/${id}/comments`)
      .set('Cookie', forum.cookie)
      .type('form')
      .send({ _csrf: forum.csrf, subject: 'objection', subjectId: `proposal:${proposalId}:${c.orgs.charity.id}`, body: 'The forum can help recruit.' })
      .expect(303);
    const after = await request(web.getHttpServer()).get(`/cycles/${id}`).set('Cookie', forum.cookie).expect(200);
    expect(after.text).toContain('The forum can help recruit.');
    const [{ id: commentId }]: { id: string }[] = await api.app.get(DataSource).query(`SELECT id FROM comments WHERE cycle_id = $1`, [id]);
    expect(after.text).toContain(`href="/cycles/${id}/comments/${commentId}/edit"`);
    // Sixteen minutes on, the change link is gone and its page says why.
    await api.app.get(DataSource).query(`UPDATE comments SET at = at - interval '16 minutes' WHERE id = $1`, [commentId]);
    const later = await request(web.getHttpServer()).get(`/cycles/${id}`).set('Cookie', forum.cookie).expect(200);
    expect(later.text).not.toContain(`/comments/${commentId}/edit`);
    const late = await request(web.getHttpServer()).get(`/cycles/${id}/comments/${commentId}/edit`).set('Cookie', forum.cookie).expect(403);
    expect(late.text).toContain('15 minutes');
    // A part that is not in the cycle: the form says so on its own page (422), with what was typed.
    const refused = await request(web.getHttpServer())
      .post(`/cycles/${id}/comments`)
      .set('Cookie', forum.cookie)
      .type('form')
      .send({ _csrf: forum.csrf, subject: 'revision', subjectId: '7', body: 'Revision seven?' })
      .expect(422);
    expect(refused.text).toContain('This cycle has no revision “7” to comment on.');
    expect(refused.text).toContain('Revision seven?');
  });
});
