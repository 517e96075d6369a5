import { DataSource } from 'typeorm';
import { UserEntity, principalOf } from '@app/accounts';
import { CycleInvitationsService, CycleQueriesService } from '@app/cycles';
import { Forbidden, NotFound } from '@app/domain';
import { Collaboration, Factory, TestApi, TestRelay, collaboration, eventually, startTestApi, testClock } from '@test/support';

/** Guests invited to a cycle by email (issue 33, part 2): who may invite, the email and its link, what is kept, the limits. */
describe('cycle invitations', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let cycleId: string;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = 'https://cocommission.northshire.gov.uk';
    process.env.INVITATIONS_PER_HOUR = '3';
    ({ api, factory } = await startTestApi());
    c = await collaboration(factory);
    cycleId = await c.newCycle({ title: 'Winter calls 2027' });
  }, 60000);
  afterAll(async () => {
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL', 'INVITATIONS_PER_HOUR']) if (saved[key] === undefined) delete process.env[key];
  });

  const linkIn = (text: string) => /https:\/\/cocommission\.northshire\.gov\.uk\/invitations\/([\w-]+)/.exec(text)?.[1];

  it('a commissioner’s member invites a resident to the panel: 201, an email with a single link to the web app, only its hash kept', async () => {
    const res = await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'Sam.Resident@Invitations.example.org', name: 'Sam Patel', role: 'panel' }).expect(201);
    expect(res.body).toEqual({ id: expect.any(String), email: 'sam.resident@invitations.example.org', name: 'Sam Patel', role: 'panel', expiresAt: expect.any(String), state: 'sent' });
    const hours = (new Date(res.body.expiresAt).getTime() - testClock().now().getTime()) / 3600_000;
    expect(hours).toBeGreaterThan(167);
    expect(hours).toBeLessThanOrEqual(168);
    const [email] = await eventually(
      () => relay.to('sam.resident@invitations.example.org'),
      (list) => list.length > 0,
    );
    expect(email.subject).toBe('You are invited to take part: “Winter calls 2027”');
    expect(email.text).toContain('sit on the review panel of “Winter calls 2027”');
    const token = linkIn(email.text ?? '');
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(email.html).toContain(`href="https://cocommission.northshire.gov.uk/invitations/${token}"`);
    const rows: { token_hash: string }[] = await api.app.get(DataSource).query(`SELECT token_hash FROM cycle_invitations WHERE id = $1`, [res.body.id]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(token!);
    const list = await c.icbUser.as.get(`/v1/cycles/${cycleId}/invitations`).expect(200);
    expect(list.body.items).toEqual([res.body]);
    expect(JSON.stringify(list.body)).not.toContain(token!);
  });

  it('only a commissioner’s members invite (403); a cycle one cannot see is 404; bad bodies are 400', async () => {
    await c.charityUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'a@invitations.example.org', name: 'A', role: 'voice' }).expect(403);
    await c.charityUser.as.get(`/v1/cycles/${cycleId}/invitations`).expect(403);
    const stranger = await factory.user(await factory.organisation('commissioner'));
    await stranger.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'a@invitations.example.org', name: 'A', role: 'voice' }).expect(404);
    const bad = await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'not an email', name: '', role: 'boss' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'name', 'role']);
  });

  it('a page that has read the cycle for its caller lists the invitations on that read: the same list, the same refusals', async () => {
    const ds = api.app.get(DataSource);
    const principal = async (id: string) => principalOf(await ds.getRepository(UserEntity).findOneOrFail({ where: { id }, relations: { organisation: true } }));
    const [invitations, queries] = [api.app.get(CycleInvitationsService), api.app.get(CycleQueriesService)];
    const council = await principal(c.councilUser.id);
    const read = await queries.get(council, cycleId);
    expect(await invitations.list(council, cycleId, read)).toEqual(await invitations.list(council, cycleId));
    // A provider's member is still no commissioner on the read their page made.
    const charity = await principal(c.charityUser.id);
    await expect(invitations.list(charity, cycleId, await queries.get(charity, cycleId))).rejects.toBeInstanceOf(Forbidden);
    // A read of another cycle is no read of this one: this one is read, and one who cannot see it is told 404.
    const stranger = await factory.user(await factory.organisation('commissioner'));
    await expect(invitations.list(await principal(stranger.id), cycleId, { row: { ...read.row, id: 'another' } as typeof read.row })).rejects.toBeInstanceOf(NotFound);
  });

  it('withdrawing an invitation removes it (204, then 404)', async () => {
    const res = await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'kim@invitations.example.org', name: 'Kim', role: 'voice' }).expect(201);
    await c.councilUser.as.delete(`/v1/cycles/${cycleId}/invitations/${res.body.id}`).expect(204);
    await c.councilUser.as.delete(`/v1/cycles/${cycleId}/invitations/${res.body.id}`).expect(404);
  });

  it('sends are limited per invited address and per inviter (429 with Retry-After)', async () => {
    for (let i = 0; i < 3; i++) await c.icbUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'lee@invitations.example.org', name: 'Lee', role: 'voice' }).expect(201);
    const refused = await c.councilUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'lee@invitations.example.org', name: 'Lee', role: 'voice' }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The ICB's member has used their three sends: a new address is refused too.
    await c.icbUser.as.post(`/v1/cycles/${cycleId}/invitations`, { email: 'new@invitations.example.org', name: 'New', role: 'voice' }).expect(429);
  });
});
