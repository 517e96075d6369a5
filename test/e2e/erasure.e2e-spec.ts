import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RetentionService } from '@app/data-protection';
import { TEST_PASSWORD, type Collaboration, type Factory, TestApi, startCollaboration } from '@test/support';

const ROOT = join(__dirname, '..', '..');
const verifier = (file: string): Promise<{ code: number; stdout: string }> =>
  new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'verify-history', '--', file], { cwd: ROOT, timeout: 60_000 }, (error, stdout) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout }),
    );
  });

/**
 * Erasing a person (issue 34): a panel member from the lived-experience network wrote learning
 * naming a resident in three cycles, and commented on each problem. Erased, their texts and name are gone from every view and
 * export, each history verifies and records the erasure, and the offline verifier passes the files.
 */
describe('erasing a person', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: Awaited<ReturnType<typeof startCollaboration>>['steps'];
  const cycleIds: string[] = [];
  const insight = 'Ada Jones told us the 7am visits let her keep her job at the bakery.';
  let member: Collaboration['panel'][number];
  let memberName: string;

  beforeAll(async () => {
    ({ api, factory, c, steps } = await startCollaboration());
    member = c.panel[1];
    memberName = (await factory.admin.get(`/v1/users/${member.id}`).expect(200)).body.name;
    for (const title of ['Winter visits', 'Spring visits', 'Summer visits']) {
      const id = await c.newCycle({ title });
      await steps.toReviewing(id);
      await steps.ok(member.as, id, { type: 'RECORD_LEARNING', insight, evidence: `Notes of ${memberName}'s call`, recommendation: 'adapt' });
      // And a comment on the problem's latest revision, naming her too.
      const revision = String((await member.as.get(`/v1/cycles/${id}`).expect(200)).body.problem.latestRevision);
      await member.as.post(`/v1/cycles/${id}/comments`, { subject: 'revision', subjectId: revision, body: `${insight} (from the panel)` }).expect(201);
      cycleIds.push(id);
    }
  }, 180000);
  afterAll(() => api?.close());

  it('is refused with what to do first: a reason missing (400), open tasks (422), the last admin erasing themself (422), not an admin (403)', async () => {
    const noReason = await factory.admin.post(`/v1/users/${member.id}/erase`, {}).expect(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toContain('reason');
    const tasks = await factory.admin.post(`/v1/users/${member.id}/erase`, { reason: 'Request DP-1' }).expect(422);
    expect(tasks.body.detail).toMatch(/^This person has \d+ open tasks?: hand their work to a colleague \(or finish it\) before erasing them\.$/);
    const admins: { id: string; role: string; active: boolean }[] = (await factory.admin.get('/v1/users').expect(200)).body.items ?? (await factory.admin.get('/v1/users').expect(200)).body;
    const me = (await factory.admin.get('/v1/me').expect(200)).body;
    if (admins.filter((u) => u.role === 'admin' && u.active).length === 1) {
      const last = await factory.admin.post(`/v1/users/${me.id}/erase`, { reason: 'Leaving' }).expect(422);
      expect(last.body.detail).toBe('You are the last active platform admin: make another person an admin first.');
    }
    await c.councilUser.as.post(`/v1/users/${member.id}/erase`, { reason: 'Request DP-1' }).expect(403);
    await factory.admin.post(`/v1/users/00000000-0000-4000-8000-000000000000/erase`, { reason: 'Request DP-1' }).expect(404);
    // Nothing changed.
    expect((await factory.admin.get(`/v1/users/${member.id}`).expect(200)).body).toMatchObject({ name: memberName, active: true });
    const history = (await c.councilUser.as.get(`/v1/cycles/${cycleIds[0]}/history?limit=500`).expect(200)).body.items;
    expect(history.filter((e: { type: string }) => e.type === 'PERSONAL_DATA_ERASED')).toEqual([]);
  });

  it('erases their texts and name from every cycle: views, history, exports; each chain verifies and records it; the offline verifier passes', async () => {
    // Their tasks done (each review signed off), the erasure goes ahead.
    for (const id of cycleIds) await steps.ok(member.as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    const res = await factory.admin.post(`/v1/users/${member.id}/erase`, { reason: 'Erasure request DP-2026-114' }).expect(200);
    expect(res.body).toEqual({ id: member.id, name: 'Former member of Northshire Lived Experience Network', cycleIds: [...cycleIds].sort(), agreementPartnershipIds: [], released: 6, retained: 0 });

    const user = (await factory.admin.get(`/v1/users/${member.id}`).expect(200)).body;
    expect(user).toMatchObject({ name: 'Former member of Northshire Lived Experience Network', active: false });
    expect(user.email).toBe(`erased-${member.id}@erased.invalid`);
    await request(api.http).post('/v1/auth/login').send({ email: member.email, password: TEST_PASSWORD }).expect(401);
    await member.as.get('/v1/me').expect(401);

    const dir = mkdtempSync(join(tmpdir(), 'erasure-'));
    for (const id of cycleIds) {
      // The whole view (every revision and option): the names are in none of them.
      const cycle = await c.councilUser.as.get(`/v1/cycles/${id}?view=full`).expect(200);
      expect(JSON.stringify(cycle.body)).not.toContain('Ada Jones');
      expect(JSON.stringify(cycle.body)).not.toContain(memberName);
      const revision = String(cycle.body.problem.latestRevision);
      const comments = (await c.councilUser.as.get(`/v1/cycles/${id}/comments?subject=revision&subjectId=${revision}`).expect(200)).body.items;
      expect(comments).toEqual([expect.objectContaining({ authorUserId: member.id, body: '[erased]' })]);
      const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history?limit=500`).expect(200)).body.items as { seq: number; type: string; payload: Record<string, unknown> }[];
      const learning = history.find((e) => e.type === 'RECORD_LEARNING')!;
      expect(learning.payload).toEqual({ insight: '[erased]', evidence: '[erased]', recommendation: 'adapt' });
      const erasure = history.at(-1)!;
      expect(erasure).toMatchObject({
        type: 'PERSONAL_DATA_ERASED',
        payload: {
          userId: member.id,
          reason: 'Erasure request DP-2026-114',
          fields: [
            { seq: learning.seq, path: '/insight' },
            { seq: learning.seq, path: '/evidence' },
          ],
        },
      });
      expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
      const exported = await c.councilUser.as
        .get(`/v1/cycles/${id}/history/export`)
        .buffer(true)
        .parse((r, cb) => {
          let text = '';
          r.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          r.on('end', () => cb(null, text));
        });
      expect(exported.status).toBe(200);
      expect(exported.body).not.toContain('Ada Jones');
      const file = join(dir, `${id}.ndjson`);
      writeFileSync(file, exported.body as string);
      expect(await verifier(file)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^intact \(/) });
      // A byte of the erased entry changed in the file: the verifier names it.
      const lines = (exported.body as string).trimEnd().split('\n');
      const at = lines.findIndex((l) => JSON.parse(l).seq === learning.seq);
      lines[at] = lines[at].replace('"adapt"', '"stop"');
      const broken = join(dir, `${id}-broken.ndjson`);
      writeFileSync(broken, lines.join('\n') + '\n');
      expect(await verifier(broken)).toMatchObject({ code: 1, stdout: expect.stringContaining(`broken at entry ${learning.seq} `) });
    }
    // The database keeps no text of theirs, nor a salt that would prove a guess.
    const rows = await api.app.get(DataSource).query(`SELECT payload, seals FROM cycle_history WHERE actor_user_id = $1`, [member.id]);
    expect(JSON.stringify(rows)).not.toContain('Ada Jones');
    expect(rows.flatMap((r: { seals: Record<string, { salt?: string }> | null }) => Object.values(r.seals ?? {})).every((s: { salt?: string }) => s.salt === undefined)).toBe(true);
    // A second erasure finds nothing more to release.
    const again = await factory.admin.post(`/v1/users/${member.id}/erase`, { reason: 'Erasure request DP-2026-114' }).expect(200);
    expect(again.body).toMatchObject({ cycleIds: [], released: 0 });
  });

  it('retention releases what everyone wrote in a cycle closed longer ago than the policy keeps it, once; the chain still verifies', async () => {
    const id = cycleIds[0];
    for (const p of c.panel.filter((p) => p.id !== member.id)) await steps.ok(p.as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    expect((await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body.state).toBe('closed');
    const policy = (await factory.admin.get('/v1/admin/retention').expect(200)).body.rules as { record: string; keepDays: number }[];
    const retention = api.app.get(RetentionService);
    // Kept 6 years by default: nothing is released yet.
    expect((await retention.apply()).closedCyclePersonalData).toBe(0);
    await factory.admin.put('/v1/admin/retention', { rules: policy.map((r) => (r.record === 'closedCyclePersonalData' ? { ...r, keepDays: 0 } : r)) }).expect(200);
    try {
      expect((await retention.apply()).closedCyclePersonalData).toBeGreaterThanOrEqual(1);
      const revisions = (await c.councilUser.as.get(`/v1/cycles/${id}/revisions`).expect(200)).body.items;
      expect(revisions.map((r: { statement: string }) => r.statement)).toEqual(revisions.map(() => '[erased]'));
      const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history?limit=500`).expect(200)).body.items;
      expect(history.at(-1)).toMatchObject({ type: 'PERSONAL_DATA_ERASED', actorUserId: null, payload: { reason: 'Retention: personal data of cycles closed more than 0 days ago' } });
      expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
      // The two cycles still open keep what everyone but the erased person wrote.
      const open = (await c.councilUser.as.get(`/v1/cycles/${cycleIds[1]}?view=full`).expect(200)).body;
      expect(open.problem.revisions[0].statement).not.toBe('[erased]');
      // Idempotent: nothing more to release.
      expect((await retention.apply()).closedCyclePersonalData).toBe(0);
    } finally {
      await factory.admin.put('/v1/admin/retention', { rules: policy }).expect(200);
    }
  });
});
