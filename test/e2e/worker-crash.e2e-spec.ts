import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dropDatabase, migrate } from '@app/database';
import { Collaboration, Factory, TestApi, collaboration, createTestApi, fastWorkerEnvironment, fromNow, waitFor } from '@test/support';

/**
 * A real worker process, killed with SIGKILL in the middle of a milestone storm and started
 * again: every milestone is applied exactly once. This file has a database and a queue prefix of
 * its own, so that no other test's worker takes its jobs.
 */
describe('a worker killed mid-storm and restarted', () => {
  const root = join(__dirname, '../..');
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let databaseUrl: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    fastWorkerEnvironment();
    // Migrated as the owner, the apps (this process's and the worker's) as the run's app role.
    databaseUrl = `${process.env.MIGRATION_DATABASE_URL}_crash`;
    process.env.MIGRATION_DATABASE_URL = databaseUrl;
    process.env.DATABASE_URL = `${process.env.DATABASE_URL}_crash`;
    process.env.QUEUE_PREFIX = `${process.env.QUEUE_PREFIX}_crash`;
    await migrate(databaseUrl, { appUrl: process.env.DATABASE_URL });
    api = await createTestApi();
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await api.close();
    await dropDatabase(databaseUrl);
  });

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'apps/worker/src/main.ts'], {
      cwd: root,
      // Small sweeps: many passes, each its own transaction.
      // The child inherits CLOCK_OFFSET_MS: its clock agrees with this process's.
      env: { ...process.env, TS_NODE_SWC: 'true', WORKER_CONCURRENCY: '2', MILESTONE_SWEEP_BATCH: '5', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    return child;
  }

  const firedCount = async (db: DataSource, ids: string[]) => Number((await db.query(`SELECT count(*) AS n FROM milestones WHERE status = 'fired' AND cycle_id = ANY($1::uuid[])`, [ids]))[0].n);

  it('applies every milestone exactly once', async () => {
    const db = api.app.get(DataSource);
    const ids: string[] = [];
    for (let batch = 0; batch < 12; batch++) {
      ids.push(...(await Promise.all(Array.from({ length: 10 }, () => c.newCycle()))));
    }
    await Promise.all(ids.map((id) => c.councilUser.as.post(`/v1/cycles/${id}/events`, { type: 'LAUNCH' }).expect(200)));
    const due = fromNow(2000);
    await Promise.all(ids.map((id) => c.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: due }).expect(201)));

    // Twenty cycles are held by a transaction of the test's: the sweeps pass them by and their
    // jobs wait on their locks, so the kill surely lands mid-storm, whatever the machine's speed.
    const held = ids.slice(-20);
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query('SELECT id FROM cycles WHERE id = ANY($1::uuid[]) FOR UPDATE', [held]);
    const first = startWorker();
    try {
      // Starting a worker from TypeScript takes ~20 s on a slow machine: its relay emptying the
      // outbox says it is up, and only then does the storm's own time count.
      const outboxEmpty = async () => (await db.query('SELECT count(*)::int AS n FROM outbox'))[0].n === 0;
      await waitFor(outboxEmpty, 90000, 'the worker to start (its relay empties the outbox)');
      await waitFor(async () => (await firedCount(db, ids)) >= ids.length - held.length, 20000, 'the storm to reach the held cycles');
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    const atKill = await firedCount(db, ids);
    expect(atKill).toBe(ids.length - held.length);

    const second = startWorker();
    await waitFor(async () => (await firedCount(db, ids)) === ids.length, 90000, 'every milestone to fire (the second worker starts in ~20 s)');
    const perCycle: { n: string }[] = await db.query(`SELECT count(*) AS n FROM cycle_history WHERE type = 'FRAMING_DUE' AND cycle_id = ANY($1::uuid[]) GROUP BY cycle_id`, [ids]);
    expect(perCycle).toHaveLength(ids.length);
    expect(perCycle.every((r) => Number(r.n) === 1)).toBe(true);
    const states: { state: string; n: string }[] = await db.query(`SELECT state, count(*) AS n FROM cycles WHERE id = ANY($1::uuid[]) GROUP BY state`, [ids]);
    expect(states).toEqual([{ state: 'escalated', n: String(ids.length) }]);
    await c.councilUser.as.get(`/v1/cycles/${ids[0]}/history/verify`).expect(200, { intact: true, length: 4 });

    // SIGTERM: the worker finishes what it holds and exits cleanly.
    second.kill('SIGTERM');
    const code = await new Promise((resolve) => second.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(0);
  }, 240000);
});
