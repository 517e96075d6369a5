import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CycleEventsService } from '@app/cycles';
import { COVERAGE, SUBJECT_ACCESS_KEYS } from '@app/data-protection';
import { dateInEngland } from '@app/domain';
import { Collaboration, Factory, TestApi, TestRelay, agent, asOwner, collaboration, cycleSteps, eventually, fromNow, startTestApi, testClock } from '@test/support';
import { signInOverHttp } from '@test/support/test-web';
import { createWebApp } from '@test/support/test-web';

/** The columns of the run's schema that name a user: a foreign key to users(id), or a uuid named `*user_id` or `*_by`. */
async function userColumns(dataSource: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await dataSource.query(
    `SELECT c.relname || '.' || a.attname AS name
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
       AND (EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' AND k.conrelid = c.oid AND k.confrelid = 'users'::regclass AND a.attnum = ANY (k.conkey))
         OR (a.atttypid = 'uuid'::regtype AND (a.attname LIKE '%user_id' OR a.attname LIKE '%\\_by')))
     ORDER BY 1`,
  );
  return ['users.id', ...rows.map((r) => r.name)];
}

/** The Content-Disposition of a file named for the day in England it was asked for, or the next if midnight passed meanwhile. */
const filenamesOn = (asked: Date, name: string) => [asked, testClock().now()].map((at) => `attachment; filename="${name}-${dateInEngland(at)}.json"`);

/** Subject-access exports (issue 34, part 2; API.md "Data protection"): everything held about a person, and nothing about anyone else. */
describe('subject-access export', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  let api: TestApi;
  let factory: Factory;
  let web: NestExpressApplication;
  let c: Collaboration;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = 'https://cocommission.northshire.gov.uk';
    process.env.WEBHOOK_ALLOW_PRIVATE = 'true';
    ({ api, factory } = await startTestApi());
    web = (await createWebApp()).app;
    c = await collaboration(factory);
  }, 60000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL', 'WEBHOOK_ALLOW_PRIVATE']) if (saved[key] === undefined) delete process.env[key];
  });

  it('covers every column of the schema that names a user: a table not in COVERAGE fails here, named', async () => {
    const columns = await userColumns(api.app.get(DataSource));
    expect(columns).toEqual(expect.arrayContaining(['users.id', 'cycle_history.actor_user_id', 'notifications.user_id', 'web_sessions.user_id']));
    const missing = columns.filter((column) => !Object.hasOwn(COVERAGE, column));
    // Say which export key holds it (COVERAGE in libs/data-protection/src/subject-access.coverage.ts), or why it is not the user's personal data.
    expect({ notInTheSubjectAccessCoverage: missing }).toEqual({ notInTheSubjectAccessCoverage: [] });
    const stale = Object.keys(COVERAGE).filter((column) => !columns.includes(column));
    expect({ coveredButNotInTheSchema: stale }).toEqual({ coveredButNotInTheSchema: [] });
    for (const [column, coverage] of Object.entries(COVERAGE)) {
      if ('key' in coverage) expect([column, SUBJECT_ACCESS_KEYS.includes(coverage.key)]).toEqual([column, true]);
      else expect([column, coverage.notPersonal.length > 10]).toEqual([column, true]);
    }
  });

  it('gives a person, over a read personal access token, everything held about them and nothing of anyone else', async () => {
    const steps = cycleSteps(c);
    const me = c.councilUser;
    const other = c.charityUser;
    const dataSource = api.app.get(DataSource);

    // A web sign-in, a read token, an identity provider's subject (linked as the sign-in would), a preference.
    await signInOverHttp({ app: web } as never, me.email, 'correct-horse-battery-staple');
    const read = (await me.as.post('/v1/me/tokens', { name: 'DPO request', scope: 'read', expiresInDays: 7 }).expect(201)).body;
    await asOwner((m) => m.query(`INSERT INTO user_identities (issuer, subject, user_id) VALUES ('https://login.northshire.example', $1, $2)`, [`sub-${me.id}`, me.id]));
    await me.as.put('/v1/me/preferences', { email: 'daily' }).expect(200);
    await me.as.post('/v1/me/calendar-token').expect(201);

    // A cycle they opened, with entries and free texts of theirs and of another person's.
    const cycleId = await c.newCycle({ title: `Winter calls ${me.id.slice(0, 6)}` });
    await steps.ok(me.as, cycleId, { type: 'LAUNCH' });
    const mine = `Our statement: residents in ward ${me.id} wait too long.`;
    const theirs = `The charity's statement ${other.id}.`;
    await steps.ok(other.as, cycleId, { type: 'REVISE_PROBLEM', statement: theirs });
    await steps.ok(me.as, cycleId, { type: 'REVISE_PROBLEM', statement: mine });
    // A comment of theirs, and one of the other person's they may not have.
    const myComment = (await me.as.post(`/v1/cycles/${cycleId}/comments`, { subject: 'revision', subjectId: '2', body: `My comment in ward ${me.id}` }).expect(201)).body;
    await other.as.post(`/v1/cycles/${cycleId}/comments`, { subject: 'revision', subjectId: '1', body: `The charity's comment ${other.id}` }).expect(201);
    const reason = `Escalated because ${me.id} could not agree.`;
    await steps.ok(me.as, cycleId, { type: 'ESCALATE', reason });
    // A milestone, a webhook, an invitation to a guest, an agreement proposal.
    await me.as.post(`/v1/cycles/${cycleId}/milestones`, { kind: 'framingDue', dueAt: fromNow(10 * 86_400_000) }).expect(201);
    await me.as.post(`/v1/partnerships/${c.partnershipId}/webhooks`, { url: 'http://127.0.0.1:9/partner', events: ['*'] }).expect(201);
    const guestEmail = `guest-${me.id.slice(0, 8)}@subject-access.example.org`;
    const invitation = (await me.as.post(`/v1/cycles/${cycleId}/invitations`, { email: guestEmail, name: 'Sam Patel', role: 'voice' }).expect(201)).body;
    const destination = `A destination written by ${me.id}`;
    await me.as
      .post(`/v1/partnerships/${c.partnershipId}/agreement/events`, { type: 'PROPOSE_AGREEMENT', destination, horizonYear: 2035, principles: ['Decide together', `Principle of ${me.id}`] })
      .expect(200);
    // The endorsement task the revision gave them.
    await eventually(
      async () => (await dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND task_key IS NOT NULL`, [me.id]))[0].n,
      (n: number) => n > 0,
    );

    const asked = testClock().now();
    const res = await agent(api.http, read.token).get('/v1/me/export').expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(filenamesOn(asked, `cocommission-subject-access-${me.id}`)).toContain(res.headers['content-disposition']);
    const file = res.body;
    expect(Object.keys(file)).toEqual([...SUBJECT_ACCESS_KEYS]);

    expect(file.user).toMatchObject({ id: me.id, email: me.email, organisationId: c.orgs.council.id, role: 'member', calendarToken: { issuedAt: expect.any(String) } });
    expect(file.organisation).toEqual({ id: c.orgs.council.id, name: 'Northshire County Council', kind: 'commissioner' });
    expect(file.preferences).toEqual({ email: 'daily' });
    expect(file.sessions).toEqual([{ createdAt: expect.any(String), expiresAt: expect.any(String), current: true }]);
    expect(file.tokens).toEqual([{ id: read.id, name: 'DPO request', scope: 'read', createdAt: expect.any(String), expiresAt: read.expiresAt, lastUsedAt: expect.any(String) }]);
    expect(file.identities).toEqual([{ issuer: 'https://login.northshire.example', subject: `sub-${me.id}`, linkedAt: expect.any(String) }]);
    expect(file.notifications.length).toBeGreaterThan(0);
    expect(file.notifications.every((n: { id: string; deliveries: unknown[] }) => n.id && Array.isArray(n.deliveries))).toBe(true);
    expect(file.tasks.length).toBeGreaterThan(0);

    const types = file.historyEntries.filter((e: { cycleId: string }) => e.cycleId === cycleId).map((e: { type: string }) => e.type);
    expect(types).toEqual(['CREATED', 'LAUNCH', 'REVISE_PROBLEM', 'ESCALATE', 'MILESTONE_SCHEDULED']);
    expect(file.historyEntries[0]).toEqual({
      cycleId: expect.any(String),
      seq: expect.any(Number),
      type: expect.any(String),
      at: expect.any(String),
      organisationId: expect.any(String),
      representative: expect.any(Boolean),
    });
    expect(file.texts.filter((t: { cycleId: string }) => t.cycleId === cycleId)).toEqual([
      { cycleId, seq: 4, field: 'statement', text: mine },
      { cycleId, seq: 5, field: 'reason', text: reason },
    ]);
    expect(file.cyclesCreated).toEqual(expect.arrayContaining([expect.objectContaining({ cycleId, partnershipId: c.partnershipId })]));
    expect(file.milestonesScheduled).toEqual([expect.objectContaining({ cycleId, kind: 'framingDue', status: 'scheduled' })]);
    expect(file.webhooks).toEqual([expect.objectContaining({ partnershipId: c.partnershipId, url: 'http://127.0.0.1:9/partner', active: true })]);
    expect(file.invitations).toEqual(
      expect.arrayContaining([
        { kind: 'cycle', relation: 'sent', id: invitation.id, cycleId, role: 'voice', createdAt: expect.any(String), expiresAt: invitation.expiresAt, usedAt: null },
        expect.objectContaining({ kind: 'partnership', relation: 'sent', partnershipId: c.partnershipId, organisationId: c.orgs.icb.id }),
      ]),
    );
    expect(file.partnershipsCreated).toEqual([expect.objectContaining({ partnershipId: c.partnershipId })]);
    expect(file.outcomesAdded).toEqual([expect.objectContaining({ id: c.outcome.id, partnershipId: c.partnershipId })]);
    expect(file.partnershipHistoryEntries.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['CREATED', 'INVITED']));
    expect(file.agreementHistoryEntries).toEqual([expect.objectContaining({ partnershipId: c.partnershipId, type: 'PROPOSE_AGREEMENT' })]);
    expect(file.agreementTexts).toEqual([
      { partnershipId: c.partnershipId, seq: expect.any(Number), field: 'destination', text: destination },
      { partnershipId: c.partnershipId, seq: expect.any(Number), field: 'principles[0]', text: 'Decide together' },
      { partnershipId: c.partnershipId, seq: expect.any(Number), field: 'principles[1]', text: `Principle of ${me.id}` },
    ]);
    expect(file.comments).toEqual([
      { relation: 'wrote', id: myComment.id, cycleId, subject: 'revision', subjectId: '2', replyTo: null, body: `My comment in ward ${me.id}`, at: myComment.at, editedAt: null, hiddenAt: null },
    ]);
    expect(file.attachments).toEqual([]);

    // Nothing secret, nothing of anyone else's.
    const text = res.text;
    const [user] = await dataSource.query(`SELECT password_hash, calendar_token_hash FROM users WHERE id = $1`, [me.id]);
    const secrets: string[] = [
      read.token,
      user.password_hash,
      user.calendar_token_hash,
      ...(await dataSource.query(`SELECT token_hash FROM personal_access_tokens WHERE user_id = $1`, [me.id])).map((r: { token_hash: string }) => r.token_hash),
      ...(await dataSource.query(`SELECT token_hash, csrf_token FROM web_sessions WHERE user_id = $1`, [me.id])).flatMap((r: { token_hash: string; csrf_token: string }) => [
        r.token_hash,
        r.csrf_token,
      ]),
      ...(await dataSource.query(`SELECT token_hash FROM cycle_invitations WHERE id = $1`, [invitation.id])).map((r: { token_hash: string }) => r.token_hash),
      ...(await dataSource.query(`SELECT secret FROM webhooks WHERE created_by_user_id = $1`, [me.id])).map((r: { secret: string }) => r.secret),
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const elsewhere of [theirs, other.email, other.id, guestEmail, 'Sam Patel']) expect(text).not.toContain(elsewhere);

    // The other person's export has their text and not this one's.
    const theirFile = (await factory.admin.get(`/v1/users/${other.id}/export`).expect(200)).body;
    expect(theirFile.user.id).toBe(other.id);
    expect(theirFile.texts.filter((t: { cycleId: string }) => t.cycleId === cycleId)).toEqual([{ cycleId, seq: 3, field: 'statement', text: theirs }]);
    expect(JSON.stringify(theirFile)).not.toContain(me.email);
    expect(theirFile.sessions).toEqual([]);
  });

  it('only an admin exports another person (403); an unknown person is 404; a path id that is not one names nobody (404)', async () => {
    const someone = c.forumUser;
    await c.icbUser.as.get(`/v1/users/${someone.id}/export`).expect(403);
    // Even their own, by this route: the person's own is /v1/me/export.
    await someone.as.get(`/v1/users/${someone.id}/export`).expect(403);
    const unknown = await factory.admin.get('/v1/users/00000000-0000-4000-8000-000000000000/export').expect(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    await factory.admin.get('/v1/users/not-a-uuid/export').expect(404);
    await factory.anonymous().get('/v1/me/export').expect(401);
    const own = await someone.as.get('/v1/me/export').expect(200);
    expect(own.body.user.id).toBe(someone.id);
    expect(own.body.panelSeats).toEqual([]);
  });

  it('a guest, who has no API token, downloads theirs from the web app’s account page: the invitation they took up, their panel seat', async () => {
    const cycleId = await c.newCycle({ title: 'Guest seats' });
    await cycleSteps(c).ok(c.councilUser.as, cycleId, { type: 'LAUNCH' });
    const email = `resident-${cycleId.slice(0, 8)}@subject-access.example.org`;
    await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email, name: 'Robin Guest', role: 'panel' }).expect(201);
    const [mail] = await eventually(
      () => relay.to(email),
      (list) => list.length > 0,
    );
    const token = /https:\/\/cocommission\.northshire\.gov\.uk\/invitations\/([\w-]+)/.exec(mail.text ?? '')![1];
    const followed = await request(web.getHttpServer()).get(`/invitations/${token}`).expect(303);
    const cookie = [followed.headers['set-cookie']]
      .flat()
      .find((v) => v?.startsWith('cocommission_session='))!
      .split(';')[0];
    const page = await request(web.getHttpServer()).get('/account').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('href="/account/export"');
    const asked = testClock().now();
    const res = await request(web.getHttpServer()).get('/account/export').set('Cookie', cookie).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const file = JSON.parse(res.text);
    expect(filenamesOn(asked, `cocommission-subject-access-${file.user.id}`)).toContain(res.headers['content-disposition']);
    expect(file.user).toMatchObject({ email, name: 'Robin Guest', role: 'guest', organisationId: null });
    expect(file.organisation).toBeNull();
    expect(file.invitations).toEqual([expect.objectContaining({ kind: 'cycle', relation: 'received', cycleId, email, name: 'Robin Guest', role: 'panel', usedAt: expect.any(String) })]);
    expect(file.panelSeats).toEqual([{ cycleId, title: 'Guest seats', state: 'framing' }]);
    expect(file.sessions).toEqual([expect.objectContaining({ current: true })]);
    expect(res.text).not.toContain(token);
    await request(web.getHttpServer()).get('/account/export').expect(303);
  });

  it('a long history comes whole and in order, page after page (520 progress notes: two pages of entries, six of texts)', async () => {
    const cycleId = await c.newCycle({ title: 'A long delivery' });
    await cycleSteps(c).toDelivering(cycleId);
    const writer = c.forumUser;
    const principal = { userId: writer.id, role: 'member' as const, organisationId: c.orgs.forum.id, organisationKind: 'community' as const, generation: 0 };
    const events = api.app.get(CycleEventsService);
    for (let i = 0; i < 520; i++) await events.send(principal, cycleId, { type: 'RECORD_PROGRESS', note: `Week ${i}: calls made`, readings: [] }, undefined, { minimal: true });
    const file = (await factory.admin.get(`/v1/users/${writer.id}/export`).expect(200)).body;
    const entries = file.historyEntries.filter((e: { cycleId: string }) => e.cycleId === cycleId);
    const notes = entries.filter((e: { type: string }) => e.type === 'RECORD_PROGRESS');
    expect(notes).toHaveLength(520);
    const seqs = entries.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const texts = file.texts.filter((t: { cycleId: string }) => t.cycleId === cycleId);
    expect(texts.map((t: { text: string }) => t.text)).toEqual(Array.from({ length: 520 }, (_, i) => `Week ${i}: calls made`));
    expect(texts.map((t: { seq: number }) => t.seq)).toEqual(notes.map((e: { seq: number }) => e.seq));
  }, 120000);

  it('lists panel seats and facilitator roles held now', async () => {
    const cycleId = await c.newCycle({ title: 'Seats' });
    const panel = (await c.panel[0].as.get('/v1/me/export').expect(200)).body;
    expect(panel.panelSeats).toEqual(expect.arrayContaining([{ cycleId, title: 'Seats', state: 'draft' }]));
    expect(panel.facilitatorRoles).toEqual([]);
    const facilitator = (await factory.admin.get(`/v1/users/${c.facilitator.id}/export`).expect(200)).body;
    expect(facilitator.facilitatorRoles).toEqual(expect.arrayContaining([{ cycleId, title: 'Seats', state: 'draft' }]));
  });
});
