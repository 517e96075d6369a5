import { DataSource } from 'typeorm';
import { UserEntity, principalOf } from '@app/accounts';
import { CommentsService } from '@app/conversation';
import { CycleQueriesService } from '@app/cycles';
import { ManualClock, NotFound } from '@app/domain';
import { NotificationMailService } from '@app/notifications';
import { Agent, Collaboration, Factory, TestApi, TestRelay, collaboration, createTestApi, cycleSteps, eventually, testClock } from '@test/support';
import { Factory as FactoryClass } from '@test/support/factories';

/** Comments (issue 36, part 2): talk beside the decisions, with mentions that notify, a window to edit, hiding with a reason. */
describe('comments', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  // Made once the environment is set (the configuration is read once).
  let clock: ManualClock;
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;
  let cycleId: string;
  let optionId: string;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = 'https://cocommission.northshire.gov.uk';
    clock = new ManualClock(testClock().now());
    api = await createTestApi({ clock });
    factory = await FactoryClass.create(api.http);
    c = await collaboration(factory);
    steps = cycleSteps(c);
    cycleId = await c.newCycle({ title: 'Talking about winter' });
    optionId = await steps.toDeciding(cycleId);
  }, 60000);
  afterAll(async () => {
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL']) if (saved[key] === undefined) delete process.env[key];
  });

  const url = (id = cycleId) => `/v1/cycles/${id}/comments`;
  // A second between comments, as between people typing (comments of one instant come in id order).
  const post = (as: Agent, body: object, id = cycleId) => {
    clock.advance(1000);
    return as.post(url(id), body);
  };
  const head = async () => {
    const view = (await c.councilUser.as.get(`/v1/cycles/${cycleId}`).expect(200)).body;
    return { state: view.state, version: view.version };
  };
  const inbox = async (as: Agent) => (await as.get('/v1/me/notifications?limit=100').expect(200)).body.items.filter((n: { kind: string }) => n.kind === 'comment.mention');

  it('a co-owner comments on the latest revision and another replies: 201, in order, threaded; the cycle neither moves nor changes version', async () => {
    const before = await head();
    const res = await post(c.charityUser.as, { subject: 'revision', subjectId: '1', body: '  Does this include people who live alone?  ' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      subject: 'revision',
      subjectId: '1',
      replyTo: null,
      body: 'Does this include people who live alone?',
      authorUserId: c.charityUser.id,
      at: clock.now().toISOString(),
      editedAt: null,
      hidden: false,
      hiddenAt: null,
      hiddenByUserId: null,
      hiddenReason: null,
    });
    const other = await post(c.forumUser.as, { subject: 'option', subjectId: optionId, body: 'The calls could be in Urdu too.' }).expect(201);
    const reply = await post(c.councilUser.as, { subject: 'revision', subjectId: '1', body: 'Yes: it does.', replyTo: res.body.id }).expect(201);
    expect(reply.body.replyTo).toBe(res.body.id);
    // A reply to a reply joins the thread (one level deep).
    const nested = await post(c.panel[0].as, { subject: 'revision', subjectId: '1', body: 'Thank you.', replyTo: reply.body.id }).expect(201);
    expect(nested.body.replyTo).toBe(res.body.id);
    const later = await post(c.facilitator.as, { subject: 'revision', subjectId: '1', body: 'A second thread.' }).expect(201);
    const thread = (await c.icbUser.as.get(`${url()}?subject=revision&subjectId=1`).expect(200)).body.items;
    expect(thread.map((t: { id: string }) => t.id)).toEqual([res.body.id, reply.body.id, nested.body.id, later.body.id]);
    const all = (await c.icbUser.as.get(url()).expect(200)).body.items;
    expect(all.map((t: { id: string }) => t.id).sort()).toEqual([res.body.id, reply.body.id, nested.body.id, later.body.id, other.body.id].sort());
    const options = (await c.icbUser.as.get(`${url()}?subject=option`).expect(200)).body.items;
    expect(options.map((t: { id: string }) => t.id)).toEqual([other.body.id]);
    expect(await head()).toEqual(before);
    const history = (await c.councilUser.as.get(`/v1/cycles/${cycleId}/history?limit=100`).expect(200)).body.items;
    expect(history.map((h: { type: string }) => h.type)).not.toContain('COMMENT_POSTED');
  });

  it('a comment on a proposal and on objections: subjects must be parts of the cycle (422); a reply of another subject is refused (422)', async () => {
    const proposal = await steps.ok(c.icbUser.as, cycleId, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Quickest to start' });
    const proposalId = proposal.decision.proposals[0].id as string;
    await post(c.councilUser.as, { subject: 'proposal', subjectId: proposalId, body: 'Can we afford it?' }).expect(201);
    await steps.ok(c.charityUser.as, cycleId, { type: 'OBJECT', proposalId, reason: 'Cannot recruit volunteers before January' });
    await post(c.forumUser.as, { subject: 'objection', subjectId: `proposal:${proposalId}:${c.orgs.charity.id}`, body: 'Could the forum help recruit?' }).expect(201);
    await post(c.forumUser.as, { subject: 'objection', subjectId: `proposal:${proposalId}:${c.orgs.forum.id}`, body: 'No such objection.' }).expect(422);
    await post(c.forumUser.as, { subject: 'objection', subjectId: `revision:1:${c.orgs.charity.id}`, body: 'Nobody objected to it.' }).expect(422);
    for (const [subject, subjectId] of [
      ['revision', '9'],
      ['revision', '01'],
      ['option', '00000000-0000-4000-8000-000000000000'],
      ['proposal', optionId],
      ['objection', 'anything'],
    ]) {
      const refused = await post(c.forumUser.as, { subject, subjectId, body: 'Hello' }).expect(422);
      expect(refused.body.detail ?? refused.body.title).toBeDefined();
    }
    const [top] = (await c.icbUser.as.get(`${url()}?subject=option&subjectId=${optionId}`).expect(200)).body.items;
    await post(c.forumUser.as, { subject: 'revision', subjectId: '1', body: 'Wrong thread', replyTo: top.id }).expect(422);
    await post(c.forumUser.as, { subject: 'revision', subjectId: '1', body: 'Unknown thread', replyTo: '00000000-0000-4000-8000-000000000000' }).expect(422);
  });

  it('an objection to a problem revision takes comments too', async () => {
    const id = await c.newCycle({ title: 'Objected framing' });
    await steps.toFraming(id);
    await steps.ok(c.forumUser.as, id, { type: 'OBJECT_PROBLEM', revision: 1, reason: 'Residents living alone are missing' });
    const res = await post(c.charityUser.as, { subject: 'objection', subjectId: `revision:1:${c.orgs.forum.id}`, body: 'Agreed: we will add them.' }, id).expect(201);
    expect(res.body.subject).toBe('objection');
  });

  it('bad bodies are 400, never 500: empty, too long, lone surrogates, unknown subjects, a reply that is no id, wrong types', async () => {
    const base = { subject: 'revision', subjectId: '1', body: 'ok' };
    for (const bad of [
      { ...base, body: '' },
      { ...base, body: '   ' },
      { ...base, body: 'x'.repeat(10001) },
      { ...base, body: 42 },
      { ...base, subject: 'cycle' },
      { ...base, subjectId: '' },
      { ...base, replyTo: 'not-an-id' },
      { subject: 'revision' },
      {},
    ]) {
      const res = await post(c.charityUser.as, bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(res.body.status).toBe(400);
    }
    await post(c.charityUser.as, { ...base, body: 'x'.repeat(10000) }).expect(201);
    const surrogate = await c.charityUser.as.post(url()).set('Content-Type', 'application/json').send('{"subject":"revision","subjectId":"1","body":"half \\ud800 a pair"}');
    expect(surrogate.status).toBe(400);
    await c.charityUser.as.get(`${url()}?subject=cycle`).expect(400);
    await c.charityUser.as.get(`${url()}?subjectId=1`).expect(400);
    await c.charityUser.as.get(`/v1/cycles/not-a-cycle/comments`).expect(404);
    await c.charityUser.as.patch(`${url()}/not-a-comment`, { body: 'x' }).expect(404);
  });

  it('who may comment: a partnership member who is no co-owner sees the comments but may not add one (403); an outsider gets 404; an admin who takes no part 403', async () => {
    const bystander = await factory.user(c.orgs.livedExperience);
    // A member of the partnership, not a co-owner, not on the panel.
    const notPanel = await factory.user(c.orgs.mediation);
    for (const who of [bystander, notPanel]) {
      await who.as.get(url()).expect(200);
      const refused = await post(who.as, { subject: 'revision', subjectId: '1', body: 'May I?' }).expect(403);
      expect(refused.body.detail).toContain('co-owners');
    }
    const stranger = await factory.user(await factory.organisation('commissioner'));
    await stranger.as.get(url()).expect(404);
    await post(stranger.as, { subject: 'revision', subjectId: '1', body: 'Hello' }).expect(404);
    await stranger.as.patch(`${url()}/00000000-0000-4000-8000-000000000000`, { body: 'x' }).expect(404);
    await stranger.as.post(`${url()}/00000000-0000-4000-8000-000000000000/hide`, { reason: 'x' }).expect(404);
    await post(factory.admin, { subject: 'revision', subjectId: '1', body: 'Admin here' }).expect(403);
  });

  it('@mentions tell people who may see the cycle (a notification, and an email); an outsider’s or unknown address is passed over, and no address is shown', async () => {
    const outsider = await factory.user(await factory.organisation('provider'));
    const before = (await inbox(c.icbUser.as)).length;
    const body = `Could @${c.icbUser.email.toUpperCase()} and @${c.panel[1].email}, with @${outsider.email} and @nobody@nowhere.example.org, look at this?`;
    const res = await post(c.charityUser.as, { subject: 'revision', subjectId: '1', body }).expect(201);
    const [icbName, panelName] = await Promise.all(
      [c.icbUser.id, c.panel[1].id].map(async (id) => ((await api.app.get(DataSource).query(`SELECT name FROM users WHERE id = $1`, [id])) as { name: string }[])[0].name),
    );
    expect(res.body.body).toBe(`Could @${icbName} and @${panelName}, with @[email address hidden] and @[email address hidden], look at this?`);
    for (const email of [c.icbUser.email, c.panel[1].email, outsider.email, 'nobody@nowhere.example.org']) expect(JSON.stringify(res.body)).not.toContain(email);
    const told = await inbox(c.icbUser.as);
    expect(told.length).toBe(before + 1);
    expect(told[0]).toMatchObject({ text: expect.stringContaining('mentioned you in a comment on “Talking about winter”'), link: expect.stringContaining(`#comment-${res.body.id}`), cycleId });
    expect(await inbox(c.panel[1].as)).toHaveLength(1);
    expect(await inbox(outsider.as)).toEqual([]);
    expect(await inbox(c.charityUser.as)).toEqual([]);
    // The relay's pass emails it (the person's preference is immediate).
    const mail = api.app.get(NotificationMailService);
    const ids = await mail.route();
    for (const id of ids) await mail.send(id, 1);
    const [email] = await eventually(
      () => relay.to(c.icbUser.email).filter((m) => (m.subject ?? '').includes('mentioned you')),
      (list) => list.length > 0,
    );
    expect(email.text).toContain('Talking about winter');
    expect(relay.to(outsider.email)).toEqual([]);
    // Editing to mention them again tells nobody twice; the list shows names, never addresses.
    await c.charityUser.as.patch(`${url()}/${res.body.id}`, { body: `${body} Thanks!` }).expect(200);
    expect((await inbox(c.icbUser.as)).length).toBe(before + 1);
    const listed = await c.forumUser.as.get(url()).expect(200);
    for (const email of [c.icbUser.email, c.panel[1].email, outsider.email]) expect(listed.text).not.toContain(email);
  });

  it('the author edits within 15 minutes (editedAt set); later, or anyone else, 403 saying why', async () => {
    const res = await post(c.forumUser.as, { subject: 'option', subjectId: optionId, body: 'Frist thoughts' }).expect(201);
    clock.advance(14 * 60_000);
    const edited = await c.forumUser.as.patch(`${url()}/${res.body.id}`, { body: 'First thoughts' }).expect(200);
    expect(edited.body).toMatchObject({ body: 'First thoughts', editedAt: clock.now().toISOString(), at: res.body.at });
    await c.charityUser.as.patch(`${url()}/${res.body.id}`, { body: 'Not mine' }).expect(403);
    clock.advance(2 * 60_000);
    const late = await c.forumUser.as.patch(`${url()}/${res.body.id}`, { body: 'Too late' }).expect(403);
    expect(late.body.detail).toContain('15 minutes');
    const [kept] = (await c.forumUser.as.get(`${url()}?subject=option&subjectId=${optionId}`).expect(200)).body.items.filter((i: { id: string }) => i.id === res.body.id);
    expect(kept.body).toBe('First thoughts');
    await c.forumUser.as.patch(`${url()}/${res.body.id}`, { body: '' }).expect(400);
    await c.forumUser.as.patch(`${url()}/00000000-0000-4000-8000-000000000000`, { body: 'x' }).expect(404);
  });

  it('a commissioner or a facilitator hides a comment with a reason: shown to nobody, who and why shown, recorded in the history (the reason sealed); others 403', async () => {
    const a = await post(c.forumUser.as, { subject: 'revision', subjectId: '1', body: 'Mrs Jones at 4 Elm Road is always alone.' }).expect(201);
    const b = await post(c.charityUser.as, { subject: 'revision', subjectId: '1', body: 'Call me on 07700 900123.' }).expect(201);
    const before = await head();
    for (const who of [c.charityUser, c.forumUser, c.panel[0]]) await who.as.post(`${url()}/${a.body.id}/hide`, { reason: 'Names a resident' }).expect(403);
    await c.councilUser.as.post(`${url()}/${a.body.id}/hide`, { reason: '' }).expect(400);
    const hidden = await c.councilUser.as.post(`${url()}/${a.body.id}/hide`, { reason: 'Names a resident and their address' }).expect(200);
    expect(hidden.body).toMatchObject({ hidden: true, body: null, hiddenByUserId: c.councilUser.id, hiddenReason: 'Names a resident and their address', hiddenAt: clock.now().toISOString() });
    await c.facilitator.as.post(`${url()}/${b.body.id}/hide`, { reason: 'A personal phone number' }).expect(200);
    await c.facilitator.as.post(`${url()}/${b.body.id}/hide`, { reason: 'Again' }).expect(422);
    const listed = await c.panel[1].as.get(`${url()}?subject=revision&subjectId=1`).expect(200);
    expect(listed.text).not.toContain('Elm Road');
    expect(listed.text).not.toContain('07700');
    expect(listed.body.items.find((i: { id: string }) => i.id === a.body.id)).toMatchObject({ hidden: true, body: null, hiddenReason: 'Names a resident and their address' });
    // The author can no longer change it.
    await c.forumUser.as.patch(`${url()}/${a.body.id}`, { body: 'Sorry' }).expect(422);
    // The state stays; the history gains one entry per hiding, its reason sealed, and still verifies.
    const after = await head();
    expect(after).toEqual({ state: before.state, version: before.version + 2 });
    const history = (await c.councilUser.as.get(`/v1/cycles/${cycleId}/history?limit=100`).expect(200)).body.items;
    const entries = history.filter((h: { type: string }) => h.type === 'COMMENT_HIDDEN');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actorUserId: c.councilUser.id, payload: expect.objectContaining({ commentId: a.body.id, reason: 'Names a resident and their address' }) });
    const [row]: { seals: Record<string, unknown> }[] = await api.app
      .get(DataSource)
      .query(`SELECT seals FROM cycle_history WHERE cycle_id = $1 AND type = 'COMMENT_HIDDEN' ORDER BY seq LIMIT 1`, [cycleId]);
    expect(Object.keys(row.seals)).toEqual(['/reason']);
    const verified = await c.councilUser.as.get(`/v1/cycles/${cycleId}/history/verify?full=true`).expect(200);
    expect(verified.body.intact).toBe(true);
    const [stored]: { body: string; hidden_reason: string; hidden_by_user_id: string }[] = await api.app
      .get(DataSource)
      .query(`SELECT body, hidden_reason, hidden_by_user_id FROM comments WHERE id = $1`, [a.body.id]);
    expect(stored).toEqual({ body: 'Mrs Jones at 4 Elm Road is always alone.', hidden_reason: 'Names a resident and their address', hidden_by_user_id: c.councilUser.id });
  });

  it('a voice guest (a person invited to give their view) comments; they see no one’s address', async () => {
    const email = `resident-${cycleId.slice(0, 8)}@comments.example.org`;
    const invitation = await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email, name: 'Robin Voice', role: 'voice' }).expect(201);
    // Taking the invitation up (the web app does so from its link; tests/e2e/web-guests covers that path).
    const ds = api.app.get(DataSource);
    const [guest]: { id: string }[] = await ds.query(`INSERT INTO users (email, name, password_hash, role, organisation_id) VALUES ($1, 'Robin Voice', '', 'guest', NULL) RETURNING id`, [email]);
    await ds.query(`UPDATE cycle_invitations SET guest_user_id = $2, used_at = now() WHERE id = $1`, [invitation.body.id, guest.id]);
    const user = await ds.getRepository(UserEntity).findOneOrFail({ where: { id: guest.id }, relations: { organisation: true } });
    const comments = api.app.get(CommentsService);
    const mine = await comments.post(principalOf(user), cycleId, { subject: 'revision', subjectId: '1', body: `My view: the calls help. @${c.councilUser.email}` });
    expect(mine).toMatchObject({ authorUserId: guest.id, hidden: false, body: expect.stringMatching(/^My view: the calls help\. @/) });
    expect(mine.body).not.toContain(c.councilUser.email);
    const seen = await comments.list(principalOf(user), cycleId);
    expect(JSON.stringify(seen)).not.toMatch(/@[\w.-]+@example\.org/);
    // Another cycle is not theirs: 404.
    const other = await c.newCycle({ title: 'Not for guests' });
    await expect(comments.list(principalOf(user), other)).rejects.toMatchObject({ code: 'NotFound' });
    // Nor may they hide anything.
    await expect(comments.hide(principalOf(user), cycleId, mine.id, { reason: 'mine' })).rejects.toMatchObject({ code: 'Forbidden' });
  });

  it('a read token may not comment (403); a cycle’s comments of another cycle are 404 by id', async () => {
    const token = await c.forumUser.as.post('/v1/me/tokens', { name: 'Reader', scope: 'read', expiresInDays: 30 }).expect(201);
    const reader = { ...c.forumUser.as, post: (u: string, b?: object) => c.forumUser.as.post(u, b).set('Authorization', `Bearer ${token.body.token}`) };
    await reader.post(url(), { subject: 'revision', subjectId: '1', body: 'Read only' }).expect(403);
    const other = await c.newCycle({ title: 'Another' });
    await steps.toFraming(other);
    const [first] = (await c.councilUser.as.get(url()).expect(200)).body.items;
    await c.councilUser.as.post(`${url(other)}/${first.id}/hide`, { reason: 'Wrong cycle' }).expect(404);
    await c.charityUser.as.patch(`${url(other)}/${first.id}`, { body: 'Wrong cycle' }).expect(404);
  });
  it('erasing a person: their comments stay in their threads as "[erased]", the reasons they hid with too (in the history, which still verifies); mentions of their address go', async () => {
    const leaver = await factory.user(c.orgs.council, 'Leaving Officer');
    const theirs = await post(leaver.as, { subject: 'revision', subjectId: '1', body: 'A comment naming Ada Jones.' }).expect(201);
    const reply = await post(c.charityUser.as, { subject: 'revision', subjectId: '1', body: `Thanks @${leaver.email}`, replyTo: theirs.body.id }).expect(201);
    const other = await post(c.forumUser.as, { subject: 'revision', subjectId: '1', body: 'Something to hide.' }).expect(201);
    await leaver.as.post(`${url()}/${other.body.id}/hide`, { reason: 'Ada Jones asked us to' }).expect(200);
    await factory.admin.post(`/v1/users/${leaver.id}/erase`, { reason: 'Request DP-7' }).expect(200);
    const items: { id: string; body: string | null; hiddenReason: string | null }[] = (await c.councilUser.as.get(`${url()}?subject=revision&subjectId=1`).expect(200)).body.items;
    expect(items.find((i) => i.id === theirs.body.id)!.body).toBe('[erased]');
    expect(items.find((i) => i.id === reply.body.id)!.body).toBe('Thanks @[erased]');
    expect(items.find((i) => i.id === other.body.id)!.hiddenReason).toBe('[erased]');
    const [row]: { body: string }[] = await api.app.get(DataSource).query(`SELECT body FROM comments WHERE id = $1`, [reply.body.id]);
    expect(row.body).not.toContain(leaver.email);
    const history = (await c.councilUser.as.get(`/v1/cycles/${cycleId}/history?limit=100`).expect(200)).body.items;
    const hidden = history.find((h: { type: string; payload: { commentId?: string } }) => h.type === 'COMMENT_HIDDEN' && h.payload.commentId === other.body.id);
    expect(hidden.payload.reason).toBe('[erased]');
    expect(JSON.stringify(history)).not.toContain('Ada Jones');
    expect((await c.councilUser.as.get(`/v1/cycles/${cycleId}/history/verify?full=true`).expect(200)).body.intact).toBe(true);
  });
  it('an archived partnership’s cycles are read-only: comments are read, not posted, changed or hidden (422)', async () => {
    const [first] = (await c.councilUser.as.get(url()).expect(200)).body.items;
    const ds = api.app.get(DataSource);
    await ds.query(`UPDATE partnerships SET archived_at = now() WHERE id = $1`, [c.partnershipId]);
    try {
      const refused = await post(c.charityUser.as, { subject: 'revision', subjectId: '1', body: 'After the end' }).expect(422);
      expect(refused.body.detail).toContain('archived');
      await c.councilUser.as.post(`${url()}/${first.id}/hide`, { reason: 'Late' }).expect(422);
      await c.councilUser.as.get(url()).expect(200);
    } finally {
      await ds.query(`UPDATE partnerships SET archived_at = NULL WHERE id = $1`, [c.partnershipId]);
    }
  });
  it('the cycle page’s own read of the cycle gives its comments and rights as a read of their own would, archived or not; a read of another cycle is not taken', async () => {
    const ds = api.app.get(DataSource);
    const principal = async (id: string) => principalOf(await ds.getRepository(UserEntity).findOneOrFail({ where: { id }, relations: { organisation: true } }));
    const [comments, queries] = [api.app.get(CommentsService), api.app.get(CycleQueriesService)];
    const charity = await principal(c.charityUser.id);
    const page = async () => {
      const read = await queries.get(charity, cycleId);
      expect(await comments.forPage(charity, cycleId, read)).toEqual(await comments.forPage(charity, cycleId));
      return (await comments.forPage(charity, cycleId, read)).comment;
    };
    expect(await page()).toBe(true);
    await ds.query(`UPDATE partnerships SET archived_at = now() WHERE id = $1`, [c.partnershipId]);
    try {
      expect(await page()).toBe(false);
    } finally {
      await ds.query(`UPDATE partnerships SET archived_at = NULL WHERE id = $1`, [c.partnershipId]);
    }
    const read = await queries.get(charity, cycleId);
    const stranger = await factory.user(await factory.organisation('commissioner'));
    await expect(comments.forPage(await principal(stranger.id), cycleId, { ...read, row: { ...read.row, id: 'another' } as typeof read.row })).rejects.toBeInstanceOf(NotFound);
  });
});
