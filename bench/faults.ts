/*
 * npm run faults: real processes, real faults. Per scenario: events (or milestones) sent,
 * accepted, lost (must be 0) and applied twice (must be 0). Restarts this machine's PostgreSQL
 * once (scenario 3): run it where that is acceptable. FAULTS_ONLY=1,5 runs some of them.
 * Scenarios 6 to 8 run on the production topology (scripts/topology.ts: HAProxy, two APIs, two
 * web apps, two workers, Redis under Sentinel): an API killed under write load, a rolling restart
 * of every API and web process under load, the Redis primary killed during a milestone and an
 * email storm.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { Client } from 'pg';
import { call, load } from './http';
import { type FaultRow as Row, mailSink, topologyCases } from './topology-faults';
import { Service, apiEntry, parallel, scheduleStorm, seed, sleep, stop, stormOutcome, workerEntry } from './harness';

const rows: Row[] = [];
const report = (row: Row) => {
  rows.push(row);
  // A fault that landed after the work was done proves nothing.
  const ok = !failing(row) ? 'PASS' : 'FAIL';
  const failed = row.failed === undefined ? '' : `  failed ${row.failed}`;
  console.log(
    `  ${row.scenario.padEnd(58)} sent ${String(row.sent).padStart(6)}  accepted ${String(row.accepted).padStart(6)}  lost ${row.lost}  twice ${row.twice}${failed}  ${ok}${row.note ? `  (${row.note})` : ''}`,
  );
};
const failing = (row: Row) => row.lost > 0 || (row.twice > 0 && !row.twiceAllowed) || !!row.missed || (row.failed ?? 0) > 0;

async function waitSettled(pg: Client, ids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await stormOutcome(pg, ids);
    if (outcome.left === 0 || Date.now() > deadline) return outcome;
    await sleep(500);
  }
}

/** Events with unique notes: which were accepted, and how often each is in the database. */
async function eventOutcome(pg: Client, accepted: Set<string>) {
  const found = await pg.query(
    `SELECT payload->>'note' AS note, count(*) AS n FROM cycle_history
     WHERE type = 'RECORD_PROGRESS' AND payload->>'note' LIKE 'fault-%' GROUP BY 1`,
  );
  const counts = new Map(found.rows.map((r) => [r.note as string, Number(r.n)]));
  return {
    lost: [...accepted].filter((note) => !counts.has(note)).length,
    twice: [...counts.values()].filter((n) => n > 1).length,
  };
}

/** FAULTS_ONLY=1,5 runs only those scenarios. */
const want = (n: number) => !process.env.FAULTS_ONLY || process.env.FAULTS_ONLY.split(',').includes(String(n));

async function classicCases() {
  const svc = new Service('faults', Number(process.env.FAULTS_PORT ?? 3960), {
    WORKER_LOCK_DURATION_MS: '3000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    RELAY_INTERVAL_MS: '100',
    RECONCILE_INTERVAL_MS: '5000',
  });
  svc.prepare();
  const pg = new Client({ connectionString: svc.databaseUrl });
  await pg.connect();
  try {
    const api = svc.start(apiEntry);
    await svc.healthy();
    const s = await seed(svc.base);
    const framing = async (n: number) => {
      const ids: string[] = [];
      await parallel(Array.from({ length: n }), 8, async () => {
        ids.push(await s.inFraming());
      });
      return ids;
    };

    // A sweep settles 1,000 milestones in one pass, before a fault could land: small passes here,
    // so that the kill and the wipe land mid-storm, between sweeps and jobs.
    const smallSweeps = { MILESTONE_SWEEP_BATCH: '5' };

    // 1. kill -9 of the worker during a milestone storm, then restart.
    if (want(1)) {
      const cycles = await framing(200);
      const ids = await scheduleStorm(pg, cycles, 5, new Date(Date.now() + 5000));
      let worker = svc.start(workerEntry, smallSweeps);
      for (;;) {
        if ((await stormOutcome(pg, ids)).settled >= ids.length * 0.2) break;
        await sleep(100);
      }
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      const atKill = (await stormOutcome(pg, ids)).settled;
      worker = svc.start(workerEntry, smallSweeps);
      const outcome = await waitSettled(pg, ids, 120_000);
      report({
        scenario: 'worker killed (SIGKILL) mid-storm, restarted',
        sent: ids.length,
        accepted: outcome.settled,
        lost: outcome.left,
        twice: outcome.twice,
        note: `${atKill} settled at the kill`,
        missed: atKill >= ids.length,
      });
      await stop(worker);
    }

    // 2. the queue's Redis keys wiped mid-run.
    if (want(2)) {
      const cycles = await framing(200);
      const ids = await scheduleStorm(pg, cycles, 5, new Date(Date.now() + 5000));
      const worker = svc.start(workerEntry, smallSweeps);
      for (;;) {
        if ((await stormOutcome(pg, ids)).settled >= ids.length * 0.2) break;
        await sleep(100);
      }
      const wiped = await svc.wipeRedis(`${svc.prefix}:milestones:*`);
      const atWipe = (await stormOutcome(pg, ids)).settled;
      const outcome = await waitSettled(pg, ids, 120_000);
      report({
        scenario: "queue's Redis keys wiped mid-storm",
        sent: ids.length,
        accepted: outcome.settled,
        lost: outcome.left,
        twice: outcome.twice,
        note: `${wiped} keys wiped, ${atWipe} settled then`,
        missed: atWipe >= ids.length,
      });
      await stop(worker);
    }

    // 3. PostgreSQL stopped for 3 s and started again under the event load: the API answers 503 meanwhile, recovers alone.
    if (want(3)) {
      const cycles: string[] = [];
      await parallel(Array.from({ length: 32 }), 8, async () => {
        cycles.push(await s.inDelivering());
      });
      await pg.end();
      const accepted = new Set<string>();
      const statuses = new Map<number, number>();
      const health = new Map<number, number>();
      let n = 0;
      let stopHealth = false;
      const healthLoop = (async () => {
        while (!stopHealth) {
          const status = await call(svc.base, 'GET', '/health').then(
            (r) => r.status,
            () => 0,
          );
          health.set(status, (health.get(status) ?? 0) + 1);
          await sleep(200);
        }
      })();
      const version = readdirSync('/etc/postgresql')[0];
      const restart = (async () => {
        await sleep(4000);
        // Down for three seconds, so that the outage is seen, then up again.
        execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop', '-m', 'fast'], { stdio: 'ignore' });
        await sleep(3000);
        execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'ignore' });
      })();
      await load(16, 20, async (client) => {
        const note = `fault-${client}-${n++}`;
        const id = cycles[Math.floor(Math.random() * cycles.length)];
        const res = await call(svc.base, 'POST', `/v1/cycles/${id}/events`, { type: 'RECORD_PROGRESS', note }, s.anyWriter().token).catch(() => ({ status: 0 }));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) accepted.add(note);
        else await sleep(50);
      });
      await restart;
      stopHealth = true;
      await healthLoop;
      await svc.healthy(svc.base, 30000);
      const fresh = new Client({ connectionString: svc.databaseUrl });
      await fresh.connect();
      const outcome = await eventOutcome(fresh, accepted);
      await fresh.end();
      const answers = [...statuses.entries()].map(([k, v]) => `${k}:${v}`).join(' ');
      const healthText = [...health.entries()].map(([k, v]) => `${k}:${v}`).join(' ');
      report({ scenario: 'PostgreSQL down 3 s and back under event load', sent: n, accepted: accepted.size, ...outcome, note: `answers ${answers}; /health ${healthText}` });
      const fivehundreds = [...statuses.entries()].filter(([k]) => k >= 500 && k !== 503).reduce((a, [, v]) => a + v, 0);
      if (fivehundreds) console.log(`    ${fivehundreds} answers were 5xx other than 503`);
      await pg.connect().catch(() => undefined);
    }

    // 4. two API and two worker processes sharing PostgreSQL and Redis, events and a storm.
    if (want(4)) {
      const db = new Client({ connectionString: svc.databaseUrl });
      await db.connect();
      const api2 = svc.start(apiEntry, { PORT: String(svc.port + 1) });
      const second = `http://127.0.0.1:${svc.port + 1}`;
      await svc.healthy(second);
      const workers = [svc.start(workerEntry), svc.start(workerEntry)];
      const cycles: string[] = [];
      await parallel(Array.from({ length: 32 }), 8, async () => {
        cycles.push(await s.inDelivering());
      });
      const stormCycles = await framing(100);
      const ids = await scheduleStorm(db, stormCycles, 5, new Date(Date.now() + 3000));
      const accepted = new Set<string>();
      let n = 0;
      await load(32, 15, async (client) => {
        const note = `fault-two-${client}-${n++}`;
        const id = cycles[Math.floor(Math.random() * cycles.length)];
        const res = await call(client % 2 ? second : svc.base, 'POST', `/v1/cycles/${id}/events`, { type: 'RECORD_PROGRESS', note }, s.anyWriter().token);
        if (res.status === 200) accepted.add(note);
      });
      const events = await eventOutcome(db, new Set([...accepted].filter((x) => x.startsWith('fault-two-'))));
      report({ scenario: 'two APIs + two workers: events', sent: n, accepted: accepted.size, ...events });
      const outcome = await waitSettled(db, ids, 120_000);
      report({ scenario: 'two APIs + two workers: milestone storm', sent: ids.length, accepted: outcome.settled, lost: outcome.left, twice: outcome.twice });
      await Promise.all([...workers, api2].map(stop));
      await db.end();
    }
    // 5. kill -9 of the worker while it sends 1,000 emails, then restart: none lost; duplicates (at
    // most one per notification being sent at the kill) reported.
    if (want(5)) {
      const sink = await mailSink();
      const { received } = sink;
      const mailEnv = { SMTP_URL: sink.url, MAIL_BACKOFF_MS: '500' };
      const db = new Client({ connectionString: svc.databaseUrl });
      await db.connect();
      const user = (await db.query(`SELECT id FROM users WHERE role <> 'admin' AND active ORDER BY id LIMIT 1`)).rows[0].id as string;
      const run = Date.now().toString(36);
      const ids: string[] = (
        await db.query(
          `INSERT INTO notifications (user_id, kind, text, dedupe_key) SELECT $1, 'fault', 'Fault storm ' || n, 'fault-mail-' || $2 || '-' || n
           FROM generate_series(1, 1000) AS n RETURNING id`,
          [user, run],
        )
      ).rows.map((r) => r.id);
      let worker = svc.start(workerEntry, mailEnv);
      while ([...received.values()].length < 200) await sleep(50);
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      const atKill = received.size;
      worker = svc.start(workerEntry, mailEnv);
      const deadline = Date.now() + 180_000;
      for (;;) {
        const left = Number((await db.query(`SELECT count(*) FROM notifications WHERE id = ANY($1::uuid[]) AND email_status <> 'sent'`, [ids])).rows[0].count);
        if (left === 0 || Date.now() > deadline) break;
        await sleep(500);
      }
      const lost = ids.filter((id) => !received.has(id)).length;
      const twice = ids.filter((id) => (received.get(id) ?? 0) > 1).length;
      report({
        scenario: 'worker killed (SIGKILL) mid-email-storm, restarted',
        sent: ids.length,
        accepted: ids.length - lost,
        lost,
        twice,
        twiceAllowed: true,
        note: `${atKill} emailed at the kill; ${twice} sent twice`,
        missed: atKill >= ids.length,
      });
      await stop(worker);
      await db.end();
      await sink.close();
    }
    await stop(api);
  } finally {
    await pg.end().catch(() => undefined);
    await svc.cleanup();
  }
}

async function main() {
  console.log('Cocommission fault suite\n');
  if ([1, 2, 3, 4, 5].some(want)) await classicCases();
  if ([6, 7, 8].some(want)) await topologyCases(report, want);
  const failed = rows.filter(failing);
  console.log(`\n${rows.length - failed.length} PASS, ${failed.length} FAIL`);
  if (failed.length) process.exit(1);
}

main().catch((error) => {
  console.error(`\nfaults failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
