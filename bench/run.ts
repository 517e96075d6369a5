/*
 * npm run bench: starts the service on a database and queue prefix of its own, measures, prints
 * each figure with its target and PASS/FAIL, saves the run under bench/results/, cleans up.
 * BENCH_QUICK=1 shortens every phase (for a smoke run); the figures then mean little.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { bullConnection } from '@app/queue';
import { call, load, percentile } from './http';

const root = join(__dirname, '..');
const quick = process.env.BENCH_QUICK === '1';
const stamp = `${Date.now().toString(36)}`;
const port = Number(process.env.BENCH_PORT ?? 3950);
const base = `http://127.0.0.1:${port}`;
const dbName = `cocommission_bench_${stamp}`;
const pgBase = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const databaseUrl = `${pgBase}/${dbName}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `cocommission_bench_${stamp}`;
const env = {
  ...process.env,
  PORT: String(port),
  DATABASE_URL: databaseUrl,
  QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'warn',
  NODE_ENV: 'development',
  WORKER_CONCURRENCY: '50',
};
const apiEntry = join(root, 'dist/apps/api/apps/api/src/main.js');
const workerEntry = join(root, 'dist/apps/worker/apps/worker/src/main.js');

interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
}
const figures: Figure[] = [];
function record(name: string, value: number, unit: string, target?: { op: '>=' | '<='; value: number }) {
  const pass = target ? (target.op === '>=' ? value >= target.value : value <= target.value) : undefined;
  figures.push({ name, value: Math.round(value * 100) / 100, unit, target: target && `${target.op} ${target.value}`, pass });
  const verdict = pass === undefined ? '' : pass ? 'PASS' : 'FAIL';
  console.log(`  ${name.padEnd(46)} ${String(Math.round(value * 100) / 100).padStart(10)} ${unit.padEnd(9)} ${(target ? `${target.op} ${target.value}` : '').padEnd(10)} ${verdict}`);
}

const children: ChildProcess[] = [];
function start(entry: string, extra: Record<string, string> = {}): ChildProcess {
  const profile = process.env.BENCH_PROFILE && entry === apiEntry ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench/results')}`] : [];
  const child = spawn(process.execPath, [...profile, entry], { cwd: root, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => process.env.BENCH_VERBOSE && process.stderr.write(d));
  // Read what it prints, so that a full pipe never blocks its writes.
  child.stdout?.on('data', (d: Buffer) => process.env.BENCH_VERBOSE && process.stdout.write(d));
  children.push(child);
  return child;
}
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}
async function healthy(timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await call(base, 'GET', '/health')).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the API did not become healthy');
    await new Promise((r) => setTimeout(r, 25));
  }
}
const rssMb = (pid: number) => Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function must(path: string, body: unknown, token?: string, method = 'POST') {
  const res = await call(base, method, path, body, token);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const login = async (email: string, password: string) => (await must('/v1/auth/login', { email, password })).accessToken as string;

async function parallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function main() {
  console.log(`Cocommission benchmark on ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}${quick ? ' (QUICK: figures indicative only)' : ''}\n`);
  const build = spawnSync(process.execPath, [join(root, 'scripts/start.js'), 'migrate', '--build-worker'], { cwd: root, env, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build or migration failed');
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();

  // ---- 5. cold start to healthy ------------------------------------------------------------
  const coldStarted = performance.now();
  const apiProcess = start(apiEntry);
  await healthy();
  record('cold start to healthy', performance.now() - coldStarted, 'ms', { op: '<=', value: 5000 });

  // ---- seed: a partnership, people, cycles in delivering ------------------------------------
  const admin = await login('admin@cocommission.local', 'cocommission-admin');
  const org = (name: string, kind: string) => must('/v1/organisations', { name, kind }, admin);
  const [council, icb, charity, forum] = await Promise.all([
    org('Bench Council', 'commissioner'),
    org('Bench ICB', 'commissioner'),
    org('Bench Charity', 'provider'),
    org('Bench Forum', 'community'),
  ]);
  const person = async (o: { id: string }, n: string) => {
    const email = `${n}@bench.example`;
    const u = await must('/v1/users', { email, name: n, password: 'bench-password-1', organisationId: o.id }, admin);
    return { id: u.id as string, token: await login(email, 'bench-password-1') };
  };
  const [councilUser, icbUser, charityUser, forumUser, panel] = await Promise.all([
    person(council, 'council'),
    person(icb, 'icb'),
    person(charity, 'charity'),
    person(forum, 'forum'),
    person(forum, 'panel'),
  ]);
  const coOwners = [councilUser, icbUser, charityUser, forumUser];
  const partnership = await must('/v1/partnerships', { name: 'Bench partnership', memberOrganisationIds: [icb.id, charity.id, forum.id] }, councilUser.token);
  const outcome = await must(`/v1/partnerships/${partnership.id}/outcomes`, {
    title: 'Outcome',
    metrics: [{ name: 'Admissions', unit: 'per 1,000', baseline: 24, target: 20, direction: 'decrease' }],
  }, councilUser.token);
  const cycleBody = {
    partnershipId: partnership.id,
    title: 'Bench cycle',
    commissionerOrganisationIds: [council.id, icb.id],
    providerOrganisationIds: [charity.id],
    communityOrganisationIds: [forum.id],
    panelUserIds: [panel.id],
    outcomeIds: [outcome.id],
  };
  const send = (id: string, token: string, event: object) => must(`/v1/cycles/${id}/events`, event, token);
  async function toDelivering(): Promise<string> {
    const id = (await must('/v1/cycles', cycleBody, councilUser.token)).id as string;
    await send(id, councilUser.token, { type: 'LAUNCH' });
    await send(id, charityUser.token, { type: 'REVISE_PROBLEM', statement: 'The problem' });
    for (const u of coOwners) await send(id, u.token, { type: 'ENDORSE_PROBLEM', revision: 1 });
    const v = await send(id, charityUser.token, { type: 'SUBMIT_OPTION', title: 'Option', summary: 'Summary' });
    await send(id, councilUser.token, { type: 'CLOSE_OPTIONS' });
    const p = await send(id, icbUser.token, { type: 'PROPOSE_DECISION', optionIds: [v.options[0].id], rationale: 'r' });
    for (const u of coOwners) await send(id, u.token, { type: 'CONSENT', proposalId: p.decision.proposals[0].id });
    return id;
  }
  const cycleCount = quick ? 32 : 256;
  const delivering: string[] = [];
  await parallel(Array.from({ length: cycleCount }), 16, async () => {
    delivering.push(await toDelivering());
  });

  // ---- 1. event write path ------------------------------------------------------------------
  console.log('\n1. Event write path: RECORD_PROGRESS, 32 clients over many cycles');
  const seconds = quick ? 5 : 30;
  const latencies: number[] = [];
  let errors = 0;
  let rssPeak = 0;
  const rssTimer = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMb(apiProcess.pid!));
  }, 500);
  const loadStarted = performance.now();
  await load(32, seconds, async (client) => {
    const id = delivering[Math.floor(Math.random() * delivering.length)];
    const u = coOwners[client % coOwners.length];
    const res = await call(base, 'POST', `/v1/cycles/${id}/events`, { type: 'RECORD_PROGRESS', note: 'Weekly update', readings: [{ metric: 'Admissions', value: 22 }] }, u.token);
    if (res.status === 200) latencies.push(res.ms);
    else errors++;
  });
  clearInterval(rssTimer);
  const elapsed = (performance.now() - loadStarted) / 1000;
  const eventsPerSecond = latencies.length / elapsed;
  record('events/s', eventsPerSecond, 'events/s', { op: '>=', value: 1000 });
  record('p50 latency', percentile(latencies, 50), 'ms');
  record('p99 latency', percentile(latencies, 99), 'ms', { op: '<=', value: 50 });
  record('non-200 answers', errors, 'answers', { op: '<=', value: 0 });
  record('API resident memory under load (peak)', rssPeak, 'MB', { op: '<=', value: 300 });

  const pgbenchDb = `${dbName}_pgbench`;
  await pg.query(`CREATE DATABASE "${pgbenchDb}"`);
  execFileSync('pgbench', ['-i', '-q', '-s', '10', '-h', '127.0.0.1', '-U', 'postgres', pgbenchDb], { stdio: 'ignore' });
  const pgbenchOut = execFileSync('pgbench', ['-N', '-c', '16', '-j', '2', '-T', quick ? '5' : '20', '-h', '127.0.0.1', '-U', 'postgres', pgbenchDb]).toString();
  const tps = Number(/tps = ([\d.]+)/.exec(pgbenchOut)?.[1] ?? NaN);
  await pg.query(`DROP DATABASE "${pgbenchDb}" WITH (FORCE)`);
  record('pgbench -N (16 clients) reference', tps, 'tps');
  record('events/s ÷ pgbench tps', eventsPerSecond / tps, 'ratio', { op: '>=', value: 0.5 });

  if (process.env.BENCH_PROFILE) {
    await stop(apiProcess);
    await cleanup();
    console.log('profile written to bench/results');
    process.exit(0);
  }

  // ---- 2. one hot cycle ---------------------------------------------------------------------
  console.log('\n2. One hot cycle: 32 clients on one cycle');
  const hot = delivering[0];
  const before = (await call(base, 'GET', `/v1/cycles/${hot}`, undefined, councilUser.token)).body.progress.length;
  let accepted = 0;
  let conflicts = 0;
  let other = 0;
  const hotStarted = performance.now();
  await load(32, quick ? 3 : 10, async (client) => {
    const res = await call(base, 'POST', `/v1/cycles/${hot}/events`, { type: 'RECORD_PROGRESS', note: `hot ${client}` }, coOwners[client % 4].token);
    if (res.status === 200) accepted++;
    else if (res.status === 409) conflicts++;
    else other++;
  });
  const hotSeconds = (performance.now() - hotStarted) / 1000;
  const after = (await call(base, 'GET', `/v1/cycles/${hot}`, undefined, councilUser.token)).body.progress.length;
  record('hot cycle events/s', accepted / hotSeconds, 'events/s');
  record('hot cycle 409 answers', conflicts, 'answers');
  record('hot cycle lost events', accepted - (after - before), 'events', { op: '<=', value: 0 });
  record('hot cycle other errors', other, 'answers', { op: '<=', value: 0 });

  // ---- 4. scale: 100,000 cycles -------------------------------------------------------------
  console.log('\n4. Scale');
  const total = quick ? 10_000 : 100_000;
  const calendarCycles = 1000;
  const template = (await pg.query(`SELECT * FROM cycles WHERE id = $1`, [delivering[1]])).rows[0];
  const framingTemplate = await must('/v1/cycles', cycleBody, councilUser.token);
  await send(framingTemplate.id, councilUser.token, { type: 'LAUNCH' });
  const framingRow = (await pg.query(`SELECT * FROM cycles WHERE id = $1`, [framingTemplate.id])).rows[0];
  const other_partnerships = await Promise.all(
    Array.from({ length: 9 }, (_, i) => must('/v1/partnerships', { name: `Other ${i}`, memberOrganisationIds: [] }, admin)),
  );
  const seedStarted = performance.now();
  // 1,000 framing cycles in the bench partnership (calendar, anchor move, storm), the rest elsewhere.
  await pg.query(
    `INSERT INTO cycles (partnership_id, title, iteration, state, snapshot, machine_version, version, history_hash, created_by_user_id)
     SELECT $1, 'Synthetic ' || g, 1, $2, $3, $4, 1, $5, $6 FROM generate_series(1, $7) g`,
    [partnership.id, framingRow.state, framingRow.snapshot, framingRow.machine_version, framingRow.history_hash, councilUser.id, calendarCycles],
  );
  const perOther = Math.ceil((total - calendarCycles) / other_partnerships.length);
  for (const p of other_partnerships) {
    await pg.query(
      `INSERT INTO cycles (partnership_id, title, iteration, state, snapshot, machine_version, version, history_hash, created_by_user_id)
       SELECT $1, 'Elsewhere ' || g, 1, $2, $3, $4, 1, $5, $6 FROM generate_series(1, $7) g`,
      [p.id, template.state, template.snapshot, template.machine_version, template.history_hash, councilUser.id, perOther],
    );
  }
  await pg.query('ANALYZE');
  console.log(`  (seeded ${total} cycles in ${Math.round(performance.now() - seedStarted)} ms)`);
  const samples = quick ? 100 : 500;
  const listTimes: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < samples; i++) {
    const res = await call(base, 'GET', `/v1/cycles?limit=20${cursor && i % 5 ? `&cursor=${cursor}` : ''}`, undefined, forumUser.token);
    listTimes.push(res.ms);
    cursor = res.body.nextCursor;
  }
  record('list page p99 (100k cycles)', percentile(listTimes, 99), 'ms', { op: '<=', value: 20 });
  const getTimes: number[] = [];
  for (let i = 0; i < samples; i++) getTimes.push((await call(base, 'GET', `/v1/cycles/${delivering[i % delivering.length]}`, undefined, forumUser.token)).ms);
  record('single-cycle GET p99', percentile(getTimes, 99), 'ms', { op: '<=', value: 20 });

  // 1,000 aligned milestones on one anchor, one per cycle of the bench partnership.
  const anchor = await must(`/v1/partnerships/${partnership.id}/anchors`, { name: 'Budget', date: new Date(Date.now() + 90 * 86_400_000).toISOString() }, councilUser.token);
  await pg.query(
    `INSERT INTO milestones (cycle_id, partnership_id, kind, due_at, anchor_id, offset_days, status, revision, changes)
     SELECT id, partnership_id, 'framingDue', $2::timestamptz - interval '7 days', $3, -7, 'scheduled', 1, '[]' FROM cycles
     WHERE partnership_id = $1 AND title LIKE 'Synthetic %'`,
    [partnership.id, anchor.date, anchor.id],
  );
  const calendarTimes: number[] = [];
  for (let i = 0; i < (quick ? 5 : 20); i++) calendarTimes.push((await call(base, 'GET', `/v1/partnerships/${partnership.id}/calendar`, undefined, forumUser.token)).ms);
  record('calendar of 1,000 cycles p99', percentile(calendarTimes, 99), 'ms', { op: '<=', value: 250 });
  const moveStarted = performance.now();
  const moved = await must(`/v1/partnerships/${partnership.id}/anchors/${anchor.id}`, { date: new Date(Date.now() + 120 * 86_400_000).toISOString() }, councilUser.token, 'PATCH');
  record(`moving an anchor with ${moved.movedMilestones} aligned milestones`, performance.now() - moveStarted, 'ms', { op: '<=', value: 2000 });

  // 100,000 scheduled milestones, then the queue's keys wiped: how long until the worker rebuilds them.
  await pg.query(
    `INSERT INTO milestones (cycle_id, partnership_id, kind, due_at, status, revision, changes)
     SELECT id, partnership_id, 'reviewDue', now() + interval '60 days', 'scheduled', 1, '[]' FROM cycles
     WHERE title LIKE 'Elsewhere %'`,
  );
  await pg.query('DELETE FROM outbox');
  const scheduled = Number((await pg.query(`SELECT count(*) FROM milestones WHERE status = 'scheduled'`)).rows[0].count);
  const redis = new IORedis(redisUrl);
  const wipe = async () => {
    let c = '0';
    do {
      const [n, keys] = await redis.scan(c, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
      if (keys.length) await redis.unlink(...keys);
      c = n;
    } while (c !== '0');
  };
  await wipe();
  const reconcileStarted = performance.now();
  const reconciler = start(workerEntry, { LOG_LEVEL: 'info', RECONCILE_INTERVAL_MS: '3600000' });
  const reconcileMs = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    reconciler.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const match = /Reconciled (\d+) jobs in (\d+) ms/.exec(buffer);
      if (match) resolve(performance.now() - reconcileStarted);
    });
    reconciler.once('exit', () => reject(new Error('the worker stopped before reconciling')));
  });
  record(`reconcile ${scheduled} scheduled milestones after a wipe`, reconcileMs / 1000, 's', { op: '<=', value: 60 });
  await stop(reconciler);
  await pg.query(`UPDATE milestones SET status = 'cancelled' WHERE status = 'scheduled'`);
  await wipe();

  // ---- 3. milestone storm -------------------------------------------------------------------
  console.log('\n3. Milestone storm: 10,000 milestones due in the same second across 1,000 cycles');
  const storm = quick ? 2000 : 10_000;
  const dueAt = new Date(Date.now() + (quick ? 8000 : 20000));
  await pg.query(
    `WITH c AS (SELECT id, partnership_id FROM cycles WHERE partnership_id = $1 AND title LIKE 'Synthetic %'),
          m AS (INSERT INTO milestones (cycle_id, partnership_id, kind, due_at, status, revision, changes)
                SELECT c.id, c.partnership_id, (ARRAY['framingDue','optionsClose','decisionDue','reviewStart','reviewDue'])[1 + (g % 5)], $2, 'scheduled', 1, '[]'
                FROM c, generate_series(0, $3 - 1) g RETURNING id)
     INSERT INTO outbox (topic, payload)
     SELECT 'schedule', jsonb_build_object('name', 'fire', 'data', jsonb_build_object('milestoneId', m.id, 'revision', 1), 'runAt', $2::timestamptz) FROM m`,
    [partnership.id, dueAt.toISOString(), storm / calendarCycles],
  );
  const stormWorkers = [start(workerEntry), start(workerEntry)];
  const stormIds = (await pg.query(`SELECT id FROM milestones WHERE due_at = $1`, [dueAt])).rows.map((r) => r.id);
  for (;;) {
    const left = Number((await pg.query(`SELECT count(*) FROM milestones WHERE due_at = $1 AND status = 'scheduled'`, [dueAt])).rows[0].count);
    if (!left) break;
    if (Date.now() > dueAt.getTime() + 120_000) throw new Error(`${left} storm milestones never settled`);
    await sleep(250);
  }
  const lateness = (await pg.query(
    `SELECT extract(epoch FROM ((changes->-1->>'at')::timestamptz - due_at)) * 1000 AS ms, status FROM milestones WHERE due_at = $1`,
    [dueAt],
  )).rows.map((r) => ({ ms: Number(r.ms), status: r.status as string }));
  const fired = lateness.filter((l) => l.status === 'fired').length;
  const applied = Number((await pg.query(
    `SELECT count(*) FROM cycle_history WHERE payload->>'milestoneId' = ANY($1::text[])`,
    [stormIds],
  )).rows[0].count);
  const twice = Number((await pg.query(
    `SELECT count(*) FROM (SELECT payload->>'milestoneId' FROM cycle_history WHERE payload->>'milestoneId' = ANY($1::text[]) GROUP BY 1 HAVING count(*) > 1) d`,
    [stormIds],
  )).rows[0].count);
  record('storm milestones settled (fired or moot)', lateness.length, 'milestones', { op: '>=', value: storm });
  record('storm events applied = milestones fired', applied - fired, 'difference', { op: '<=', value: 0 });
  record('storm milestones applied twice', twice, 'milestones', { op: '<=', value: 0 });
  const ms = lateness.map((l) => l.ms);
  record('storm lateness p50', percentile(ms, 50), 'ms');
  record('storm lateness p99', percentile(ms, 99), 'ms', { op: '<=', value: 1000 });
  record('storm lateness max', Math.max(...ms), 'ms');
  await Promise.all(stormWorkers.map(stop));

  // Raw BullMQ: 10,000 no-op delayed jobs due at one instant, two workers at the same concurrency.
  const rawQueue = new Queue('raw', { connection: bullConnection(redisUrl), prefix });
  const rawDue = Date.now() + (quick ? 5000 : 10000);
  await rawQueue.addBulk(Array.from({ length: storm }, (_, i) => ({ name: 'noop', data: { i }, opts: { delay: rawDue - Date.now(), removeOnComplete: false } })));
  const rawLateness: number[] = [];
  const rawWorkers = [0, 1].map(
    () =>
      new Worker('raw', async () => {
        rawLateness.push(Date.now() - rawDue);
      }, { connection: bullConnection(redisUrl), prefix, concurrency: 50 }),
  );
  while (rawLateness.length < storm) await sleep(100);
  await Promise.all(rawWorkers.map((w) => w.close()));
  await rawQueue.close();
  record('raw BullMQ lateness p50 (reference)', percentile(rawLateness, 50), 'ms');
  record('raw BullMQ lateness p99 (reference)', percentile(rawLateness, 99), 'ms');

  await stop(apiProcess);
  await pg.end();
  redis.disconnect();
  await cleanup();

  const failed = figures.filter((f) => f.pass === false);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), quick, machine: { cores: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, figures }, null, 2));
  console.log(`\n${figures.filter((f) => f.pass).length} PASS, ${failed.length} FAIL; saved ${file}`);
}

async function cleanup() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  const admin = new Client({ connectionString: `${pgBase}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}_pgbench" WITH (FORCE)`);
  await admin.end();
  const redis = new IORedis(redisUrl);
  let c = '0';
  do {
    const [n, keys] = await redis.scan(c, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    if (keys.length) await redis.unlink(...keys);
    c = n;
  } while (c !== '0');
  redis.disconnect();
}

main().catch(async (error) => {
  console.error(`\nbench failed: ${(error as Error).stack ?? error}`);
  await cleanup().catch(() => undefined);
  process.exit(1);
});
