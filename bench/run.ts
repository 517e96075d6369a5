/*
 * npm run bench: starts the service on a database and queue prefix of its own, measures, prints
 * each figure with its target and PASS/FAIL, saves the run under bench/results/, cleans up.
 * BENCH_QUICK=1 shortens every phase (for a smoke run); the figures then mean little.
 * BENCH_WRITE_ONLY=1 stops after the event write path (and its pgbench reference); BENCH_PROFILE=1
 * does too, and writes a CPU profile of the API under that load to bench/results/. BENCH_OLD_ONLY=1
 * measures only old cycles against young ones; BENCH_WEB_ONLY=1 only the web app under load (with
 * BENCH_WEB_PROFILE=1, a CPU profile of it). BENCH_STOP_AFTER_WEB=1 stops after the web app's
 * section (with BENCH_KEEP_DB=1, its database is kept as the browsing found it, to look into).
 * BENCH_TASKSET=1 runs the write path (1 to 1c) with the API on one core and PostgreSQL on the
 * other (bench/affinity.ts), the issue's slow machine, and judges its p99 at 32 clients;
 * BENCH_SEARCH_TRIGGER=off measures the write path without the search index's trigger on cycles;
 * BENCH_WEB_STATEMENTS=1 prints the statements each kind of web page sends PostgreSQL (section 7).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Client } from 'pg';
import { bullConnection } from '@app/queue';
import { Service, apiEntry, parallel, root, scheduleStorm, seed, sleep, stop, stormOutcome, webEntry, workerEntry, WRITERS_PER_ORGANISATION } from './harness';
import { arrivals, call, callForStatus, load, percentile, rawCall, webSignIn } from './http';
import { buildOldCycles } from './old-cycles';
import { StatementCapture } from './pg-capture';
import { API_CORE, POSTGRES_CORE, backendCpu, cpuSeconds, pgbench, pinWritePath, postmasterPid } from './affinity';

const quick = process.env.BENCH_QUICK === '1';
// BENCH_TASKSET=1: the write path (sections 1 to 1c) on one core for the API and one for PostgreSQL (bench/affinity.ts).
const taskset = process.env.BENCH_TASKSET === '1';
const svc = new Service('bench', Number(process.env.BENCH_PORT ?? 3950));
const base = svc.base;

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
  const rounded = Math.round(value * 100) / 100;
  figures.push({ name, value: rounded, unit, target: target && `${target.op} ${target.value}`, pass });
  const verdict = pass === undefined ? '' : pass ? 'PASS' : 'FAIL';
  console.log(`  ${name.padEnd(50)} ${String(rounded).padStart(10)} ${unit.padEnd(10)} ${(target ? `${target.op} ${target.value}` : '').padEnd(10)} ${verdict}`);
}
/** CPU seconds of every PostgreSQL process so far (backends come and go: count the living). */
const postgresCpuSeconds = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .reduce((sum, d) => sum + cpuSeconds(Number(d)), 0);
/** The whole machine's busy CPU time so far, in ms (every process: API, PostgreSQL, the load generator), from /proc/stat. */
function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return ((user + nice + system + irq + softirq + steal) * 1000) / 100;
}
const rssMb = (pid: number) =>
  Number(
    execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
      .toString()
      .trim(),
  ) / 1024;
// BENCH_NODE_ARGS: more Node flags for the API (for instance --trace-gc, with BENCH_VERBOSE=1 to see it).
const profile = [...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench/results')}`] : []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];

async function main() {
  console.log(
    `Cocommission benchmark on ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}${quick ? ' (QUICK: figures indicative only)' : ''}\n`,
  );
  svc.prepare();
  const pg = new Client({ connectionString: svc.databaseUrl });
  await pg.connect();

  // ---- 5. cold start to healthy ------------------------------------------------------------
  const coldStarted = performance.now();
  const apiProcess = svc.start(apiEntry, {}, profile);
  /** The end of a partial run (BENCH_WRITE_ONLY, BENCH_PROFILE, BENCH_OLD_ONLY, BENCH_WEB_ONLY): nothing saved. */
  const endPartialRun = async (): Promise<never> => {
    await stop(apiProcess);
    await pg.end();
    await svc.cleanup();
    process.exit(0);
  };
  await svc.healthy();
  record('cold start to healthy', performance.now() - coldStarted, 'ms', { op: '<=', value: 5000 });

  // ---- seed: a partnership, people, cycles in delivering ------------------------------------
  const { must, admin, councilUser, forumUser, writers, anyWriter, pick, partnership, cycleBody, send, inFraming, inDelivering } = await seed(base);
  const cycleCount = quick ? 32 : 256;
  const delivering: string[] = [];
  await parallel(Array.from({ length: cycleCount }), 16, async () => {
    delivering.push(await inDelivering());
  });

  let errors = 0;
  // BENCH_OLD_ONLY=1: only the old cycles against young ones (section 6); BENCH_WEB_ONLY=1: only
  // the web app under load (section 7).
  const webOnly = process.env.BENCH_WEB_ONLY === '1';
  if (!process.env.BENCH_OLD_ONLY && !webOnly) {
    // ---- 1. event write path ------------------------------------------------------------------
    console.log('\n1. Event write path: RECORD_PROGRESS, 32 clients over many cycles');
    // Restored after 1c, or on the bench's exit whatever ends it.
    const pinning = taskset ? pinWritePath(apiProcess.pid!, await postmasterPid(pg)) : undefined;
    if (pinning) console.log(`  (pinned: the API on core ${API_CORE}; PostgreSQL and the load generator on core ${POSTGRES_CORE}; pgbench in 1c on core ${API_CORE}, in the API's place)`);
    // BENCH_SEARCH_TRIGGER=off: what the search index's row trigger on cycles costs each write, by its absence (on again after 1c).
    const searchTrigger = (on: boolean) => pg.query(`ALTER TABLE cycles ${on ? 'ENABLE' : 'DISABLE'} TRIGGER search_cycles_updated`);
    const withoutSearchTrigger = process.env.BENCH_SEARCH_TRIGGER === 'off';
    if (withoutSearchTrigger) await searchTrigger(false);
    const seconds = quick ? 5 : 30;
    const latencies: number[] = [];
    let rssPeak = 0;
    const rssTimer = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMb(apiProcess.pid!));
    }, 500);
    const loadStarted = performance.now();
    const commits = async () => Number((await pg.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0].xact_commit);
    const commitsBefore = await commits();
    const cpuBefore = { api: cpuSeconds(apiProcess.pid!), postgres: postgresCpuSeconds(), load: process.cpuUsage(), machine: machineBusyMs() };
    const runBackends = await backendCpu(pg, svc.dbName);
    await load(32, seconds, async () => {
      const id = delivering[Math.floor(Math.random() * delivering.length)];
      const u = anyWriter();
      const res = await callForStatus(base, 'POST', `/v1/cycles/${id}/events`, { type: 'RECORD_PROGRESS', note: 'Weekly update', readings: [{ metric: 'Admissions', value: 22 }] }, u.token);
      if (res.status === 200) latencies.push(res.ms);
      else errors++;
    });
    clearInterval(rssTimer);
    const apiCpuSeconds = cpuSeconds(apiProcess.pid!) - cpuBefore.api;
    const runPostgresSeconds = await runBackends.stop();
    const machinePerEvent = (machineBusyMs() - cpuBefore.machine) / latencies.length;
    const elapsed = (performance.now() - loadStarted) / 1000;
    const eventsPerSecond = latencies.length / elapsed;
    const loadCpu = process.cpuUsage(cpuBefore.load);
    const perEvent = (cpuSecondsUsed: number) => (cpuSecondsUsed * 1000) / latencies.length;
    record('events/s', eventsPerSecond, 'events/s');
    record('p50 latency', percentile(latencies, 50), 'ms');
    // On one core each (BENCH_TASKSET), the issue's slow machine: p99 at 32 clients is judged here.
    record('p99 latency', percentile(latencies, 99), 'ms', taskset ? { op: '<=', value: 50 } : undefined);
    record('non-200 answers', errors, 'answers', { op: '<=', value: 0 });
    // Each person's writes are limited (WRITE_RATE_PER_SECOND, 20 by default): the load must stay under it.
    record('writes per person a second (mean)', eventsPerSecond / (4 * WRITERS_PER_ORGANISATION), 'events/s');
    // Where the two cores went, per event: steadier than events/s on a noisy machine.
    const apiPerEvent = perEvent(apiCpuSeconds);
    record('CPU per event: API process', apiPerEvent, 'ms');
    record('CPU per event: PostgreSQL (all processes)', perEvent(postgresCpuSeconds() - cpuBefore.postgres), 'ms');
    record("CPU per event: PostgreSQL (the run's backends)", perEvent(runPostgresSeconds), 'ms');
    record('CPU per event: load generator', perEvent((loadCpu.user + loadCpu.system) / 1e6), 'ms');
    record('API resident memory under load (peak)', rssPeak, 'MB', { op: '<=', value: 300 });
    // What each answer carries (the full view, as API.md's default): the API writes it and the load generator reads it.
    const sample = await rawCall(base, 'POST', `/v1/cycles/${delivering[0]}/events`, {
      headers: { authorization: `Bearer ${anyWriter().token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'RECORD_PROGRESS', note: 'Weekly update', readings: [{ metric: 'Admissions', value: 22 }] }),
    });
    record('event answer size', Buffer.byteLength(sample.text) / 1024, 'KB');
    // Statements the database ran per event (each a transaction of its own, batched ones shared).
    await sleep(1500);
    record('PostgreSQL transactions per event', ((await commits()) - commitsBefore) / latencies.length, 'transactions');

    // Target 2: p99 ≤ 50 ms at 32 clients in 9 of 10 consecutive runs, right after the load above
    // and before pgbench's reference below: with pgbench's run, its database and the checkpoint its
    // DROP DATABASE forces in between, the first of the ten was the slowest in every run we made
    // (60–107 ms where the others took 35–55), a measure of what pgbench leaves behind, not of ours.
    console.log('\n1b. Latency: ten consecutive runs of 32 clients');
    const runP99: number[] = [];
    for (let run = 0; run < 10; run++) {
      const times: number[] = [];
      await load(32, quick ? 2 : 8, async () => {
        const id = delivering[Math.floor(Math.random() * delivering.length)];
        const res = await callForStatus(
          base,
          'POST',
          `/v1/cycles/${id}/events`,
          { type: 'RECORD_PROGRESS', note: 'Weekly update', readings: [{ metric: 'Admissions', value: 22 }] },
          anyWriter().token,
        );
        if (res.status === 200) times.push(res.ms);
        else errors++;
      });
      runP99.push(percentile(times, 99));
    }
    console.log(`  p99 of each run: ${runP99.map((v) => v.toFixed(1)).join(', ')} ms`);
    record('runs with p99 ≤ 50 ms (of 10)', runP99.filter((v) => v <= 50).length, 'runs', { op: '>=', value: 9 });
    record('non-200 answers (all write runs)', errors, 'answers', { op: '<=', value: 0 });

    console.log('\n1c. The reference: pgbench -N, 16 clients');
    const pgbenchDb = `${svc.dbName}_pgbench`;
    await pg.query(`CREATE DATABASE "${pgbenchDb}"`);
    execFileSync('pgbench', ['-i', '-q', '-s', '10', '-h', '127.0.0.1', '-U', 'postgres', pgbenchDb], { stdio: 'ignore' });
    const pgbenchBackends = await backendCpu(pg, pgbenchDb);
    const pgbenchBusy = machineBusyMs();
    const reference = await pgbench(['-N', '-c', '16', '-j', '2', '-T', quick ? '5' : '20', '-h', '127.0.0.1', '-U', 'postgres', pgbenchDb], pinning && API_CORE);
    const pgbenchCpuMs = machineBusyMs() - pgbenchBusy;
    const pgbenchPostgresSeconds = await pgbenchBackends.stop();
    const pgbenchOut = reference.output;
    const tps = Number(/tps = ([\d.]+)/.exec(pgbenchOut)?.[1] ?? NaN);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(pgbenchOut)?.[1] ?? NaN);
    await pg.query(`DROP DATABASE "${pgbenchDb}" WITH (FORCE)`);
    record('pgbench -N (16 clients) reference', tps, 'tps');
    const machinePerTransaction = pgbenchCpuMs / transactions;
    record('machine CPU per accepted event', machinePerEvent, 'ms');
    record('machine CPU per pgbench -N transaction', machinePerTransaction, 'ms');
    // Target 1 (issue 18): independent of the machine, the whole machine's CPU an event costs against what a pgbench transaction costs.
    record('write-path efficiency: CPU per event ÷ per pgbench tx', machinePerEvent / machinePerTransaction, 'ratio', { op: '<=', value: 2.5 });
    // Events/s ≥ 1,000 is a target only where the same run's pgbench does ≥ 2,000 TPS.
    if (tps >= 2000) record('events/s (pgbench ≥ 2,000 tps here)', eventsPerSecond, 'events/s', { op: '>=', value: 1000 });
    else console.log(`  (events/s ≥ 1,000 not judged: pgbench did ${Math.round(tps)} tps here, under 2,000)`);
    // Target (issue 38): the API's own CPU an event against what a pgbench -N transaction costs
    // PostgreSQL's backends and pgbench together, each counted by its process: other work on the
    // machine's cores counts in neither.
    const perTransaction = (seconds: number) => (seconds * 1000) / transactions;
    record('CPU per pgbench -N transaction: PostgreSQL (its backends)', perTransaction(pgbenchPostgresSeconds), 'ms');
    record('CPU per pgbench -N transaction: pgbench', perTransaction(reference.cpuSeconds), 'ms');
    const pgbenchPerTransaction = perTransaction(pgbenchPostgresSeconds + reference.cpuSeconds);
    record(`API CPU per event ÷ pgbench -N's per tx${pinning ? ' (one core each)' : ''}`, apiPerEvent / pgbenchPerTransaction, 'ratio', { op: '<=', value: 2.5 });
    record("API and its backends' CPU per event ÷ pgbench -N's per tx", (apiPerEvent + perEvent(runPostgresSeconds)) / pgbenchPerTransaction, 'ratio');
    pinning?.restore();
    if (withoutSearchTrigger) await searchTrigger(true);

    if (process.env.BENCH_PROFILE || process.env.BENCH_WRITE_ONLY) {
      if (process.env.BENCH_PROFILE) console.log('profile written to bench/results');
      await endPartialRun();
    }
  }
  // BENCH_WEB_PROFILE=1: a CPU profile of the web app under the browsing load, in bench/results/.
  const web = svc.start(webEntry, { WEB_PORT: String(svc.port + 1) }, process.env.BENCH_WEB_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench/results')}`] : []);
  const webBase = `http://127.0.0.1:${svc.port + 1}`;
  // The web app answers its sign-in page once it is up.
  await svc.healthy(webBase, undefined, '/sign-in');

  let changingWrites = async (): Promise<void> => undefined;
  if (!webOnly) {
    // ---- 6. old cycles ------------------------------------------------------------------------
    console.log('\n6. Old cycles: 20,000 history entries, 200 problem revisions, 300 options');
    const oldCount = quick ? 4 : 16;
    const old = await buildOldCycles(pg, base, { writers, pick, send, inFraming, entries: quick ? 4000 : 20_000, revisions: quick ? 40 : 200, options: quick ? 60 : 300, copies: oldCount });
    console.log(`  (built in ${Math.round(old.ms / 1000)} s; snapshot ${Math.round(old.snapshotBytes / 1024)} KB)`);
    const young = delivering.slice(0, oldCount);
    /**
     * Events/s over `ids`, answered with the cycle's view (its default: what API.md's clients read),
     * `minimal` (Prefer: return=minimal) or `full` (?view=full: every revision and option, the view
     * as it was before it was paged).
     */
    const writeRate = async (ids: string[], seconds: number, body: () => { token: string; event: object }, answer: 'view' | 'minimal' | 'full' = 'view') => {
      let done = 0;
      const started = performance.now();
      const headers: Record<string, string> = answer === 'minimal' ? { prefer: 'return=minimal' } : {};
      const query = answer === 'full' ? '?view=full' : '';
      await load(32, seconds, async () => {
        const { token, event } = body();
        const res = await callForStatus(base, 'POST', `/v1/cycles/${pick(ids)}/events${query}`, event, token, headers);
        if (res.status === 200) done++;
        else errors++;
      });
      return done / ((performance.now() - started) / 1000);
    };
    const progress = () => ({ token: anyWriter().token, event: { type: 'RECORD_PROGRESS', note: 'Weekly update' } });
    // The issue's target is with full answers, young and old measured in turn in this one run; return=minimal beside it.
    const youngRate = await writeRate(young, quick ? 3 : 10, progress);
    const oldRate = await writeRate(old.ids, quick ? 3 : 10, progress);
    record(`young cycles events/s (${oldCount} cycles)`, youngRate, 'events/s');
    record(`old cycles events/s (${oldCount} cycles)`, oldRate, 'events/s');
    record('old ÷ young events/s (full answers)', oldRate / youngRate, 'ratio', { op: '>=', value: 0.8 });
    const ratio = async (answer: 'minimal' | 'full') => (await writeRate(old.ids, quick ? 3 : 10, progress, answer)) / (await writeRate(young, quick ? 3 : 10, progress, answer));
    record('old ÷ young events/s (return=minimal)', await ratio('minimal'), 'ratio');
    record('old ÷ young events/s (?view=full, as before paging)', await ratio('full'), 'ratio');
    const answerSize = async (query: string) => {
      const res = await rawCall(base, 'POST', `/v1/cycles/${old.ids[0]}/events${query}`, {
        headers: { authorization: `Bearer ${anyWriter().token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'RECORD_PROGRESS', note: 'Weekly update' }),
      });
      return Buffer.byteLength(res.text) / 1024;
    };
    record('old cycle event answer size (the view)', await answerSize(''), 'KB');
    record('old cycle event answer size (?view=full, as before paging)', await answerSize('?view=full'), 'KB');
    // Events that change the snapshot (a delivery action added: stored again, with every revision
    // and option of an old cycle), a few seconds each: shown, not judged (each adds to the cycle).
    // Measured last: the actions stay open and told their owners' people (reminders and emails the
    // worker would be busy with during the sections that follow).
    changingWrites = async () => {
      const owner = (await call(base, 'GET', `/v1/cycles/${young[0]}`, undefined, anyWriter().token)).body.coOwners[0].organisationId as string;
      const action = () => ({
        token: anyWriter().token,
        event: { type: 'ADD_ACTION', title: 'Call the next ward', ownerOrganisationId: owner, dueAt: '2031-03-31T17:00:00.000Z' },
      });
      const youngChanging = await writeRate(young, quick ? 2 : 4, action);
      const oldChanging = await writeRate(old.ids, quick ? 2 : 4, action);
      record('young cycles events/s, snapshot changed (ADD_ACTION)', youngChanging, 'events/s');
      record('old cycles events/s, snapshot changed (ADD_ACTION)', oldChanging, 'events/s');
      record('old ÷ young events/s, snapshot changed', oldChanging / youngChanging, 'ratio');
    };
    const oldId = old.ids[0];
    const reader = writers.forum[0];
    const oldGets: number[] = [];
    let oldViewBytes = 0;
    for (let i = 0; i < (quick ? 50 : 200); i++) {
      const res = await rawCall(base, 'GET', `/v1/cycles/${oldId}`, { headers: { authorization: `Bearer ${reader.token}` } });
      // A refusal would be quick: only the whole view counts.
      if (res.status !== 200) throw new Error(`GET of the old cycle: ${res.status} ${res.text.slice(0, 200)}`);
      oldGets.push(res.ms);
      oldViewBytes = Buffer.byteLength(res.text);
    }
    record('old cycle GET answer size', oldViewBytes / 1024, 'KB');
    record('old cycle GET p50', percentile(oldGets, 50), 'ms');
    record('old cycle GET p99', percentile(oldGets, 99), 'ms', { op: '<=', value: 20 });
    const verifies: number[] = [];
    await call(base, 'GET', `/v1/cycles/${oldId}/history/verify`, undefined, reader.token);
    for (let i = 0; i < (quick ? 10 : 40); i++) {
      // A few new entries between verifications, as a living cycle has.
      await send(oldId, pick(writers.charity).token, { type: 'RECORD_PROGRESS', note: `Between checks ${i}` });
      const res = await call(base, 'GET', `/v1/cycles/${oldId}/history/verify`, undefined, reader.token);
      if (res.body?.intact !== true) throw new Error(`the old cycle's history does not verify: ${JSON.stringify(res.body)}`);
      verifies.push(res.ms);
    }
    record('old cycle verify p99', percentile(verifies, 99), 'ms', { op: '<=', value: 50 });
    const historyPage = await call(base, 'GET', `/v1/cycles/${oldId}/history?limit=100`, undefined, reader.token);
    record('old cycle history page of 100', historyPage.ms, 'ms');
    const readerCookie = await webSignIn(webBase, reader.email, 'bench-password-1');
    const pages: number[] = [];
    for (let i = 0; i < (quick ? 20 : 100); i++) {
      const res = await rawCall(webBase, 'GET', `/cycles/${oldId}`, { headers: { cookie: readerCookie } });
      if (res.status !== 200) throw new Error(`the old cycle's page answered ${res.status}`);
      pages.push(res.ms);
    }
    record('old cycle web page p95', percentile(pages, 95), 'ms', { op: '<=', value: 150 });

    if (process.env.BENCH_OLD_ONLY) {
      await changingWrites();
      await stop(web);
      await endPartialRun();
    }
  }

  // ---- 7. the web app under load ----------------------------------------------------------------
  console.log('\n7. The web app: 50 signed-in people browsing for 60 s (a click every 1 to 3 s each)');
  const people = [...writers.council, ...writers.icb, ...writers.charity, ...writers.forum].slice(0, 50);
  const cookies = await Promise.all(people.map((u) => webSignIn(webBase, u.email, 'bench-password-1')));
  // Each kind of page alone first: what one costs when nobody else is browsing, and how many
  // statements it sends PostgreSQL (each one a round trip: on a VM, a write that wakes a backend),
  // counted on a second web app behind bench/pg-capture.ts (the proxy would weigh on the timings).
  const capture = new StatementCapture({ host: new URL(svc.databaseUrl).hostname, port: Number(new URL(svc.databaseUrl).port || 5432) });
  const viaCapture = new URL(svc.databaseUrl);
  viaCapture.port = String(await capture.listen());
  const counted = svc.start(webEntry, { WEB_PORT: String(svc.port + 2), DATABASE_URL: viaCapture.toString() });
  const countedBase = `http://127.0.0.1:${svc.port + 2}`;
  await svc.healthy(countedBase, undefined, '/sign-in');
  for (const [kind, path] of [
    ['work', '/'],
    ['partnership', `/partnerships/${partnership.id}`],
    ['cycle', `/cycles/${delivering[0]}`],
  ] as const) {
    const alone: number[] = [];
    let bytes = 0;
    for (let i = 0; i < (quick ? 5 : 20); i++) {
      const page = await rawCall(webBase, 'GET', path, { headers: { cookie: cookies[0] } });
      alone.push(page.ms);
      bytes = Buffer.byteLength(page.text);
    }
    record(`web ${kind} page alone, median`, percentile(alone, 50), 'ms');
    record(`web ${kind} page size`, bytes / 1024, 'KB');
    // Twice: the first load of a process fills its caches (names, templates); the second is every later one.
    await rawCall(countedBase, 'GET', path, { headers: { cookie: cookies[0] } });
    capture.statements.length = 0;
    capture.recording = true;
    await rawCall(countedBase, 'GET', path, { headers: { cookie: cookies[0] } });
    capture.recording = false;
    record(`web ${kind} page: statements`, capture.statements.length, 'statements');
    if (process.env.BENCH_WEB_STATEMENTS) for (const s of capture.statements) console.log(`    ${s.ms.toFixed(1)} ms  ${s.sql.replace(/\s+/g, ' ').slice(0, 160)}`);
  }
  await stop(counted);
  capture.close();
  const browsing: number[] = [];
  const byPage: Record<string, number[]> = { work: [], partnership: [], cycle: [] };
  let webErrors = 0;
  const arrived = new Set<number>();
  const webCpuBefore = { web: cpuSeconds(web.pid!), machine: machineBusyMs() };
  await load(50, quick ? 5 : 60, async (client) => {
    // People arrive over the first three seconds, not all in the same instant.
    if (!arrived.has(client)) {
      arrived.add(client);
      await sleep(Math.random() * 3000);
    }
    const roll = Math.random();
    const kind = roll < 0.3 ? 'work' : roll < 0.5 ? 'partnership' : 'cycle';
    const path = kind === 'work' ? '/' : kind === 'partnership' ? `/partnerships/${partnership.id}` : `/cycles/${pick(delivering)}`;
    const res = await rawCall(webBase, 'GET', path, { headers: { cookie: cookies[client] } });
    if (res.status === 200) {
      browsing.push(res.ms);
      byPage[kind].push(res.ms);
    } else webErrors++;
    // A person reads the page before the next click: one to three seconds (brisk: people read for longer).
    await sleep(1000 + Math.random() * 2000);
  });
  record('web pages served', browsing.length, 'pages');
  // What a page costs, whatever the machine's queueing: the web app's CPU, and the whole machine's
  // (PostgreSQL's backends come and go while people browse: counted with everything else).
  const pages = Math.max(1, browsing.length);
  record('CPU per page: web app', ((cpuSeconds(web.pid!) - webCpuBefore.web) * 1000) / pages, 'ms');
  record('CPU per page: whole machine', (machineBusyMs() - webCpuBefore.machine) / pages, 'ms');
  for (const [kind, times] of Object.entries(byPage)) record(`web ${kind} page p95 under load`, percentile(times, 95), 'ms');
  record('web page p95 under load', percentile(browsing, 95), 'ms', { op: '<=', value: 200 });
  record('web errors under load', webErrors, 'answers', { op: '<=', value: 0 });

  // ---- 7b. each kind of page: its CPU, pages/s at saturation, p95 at 40 pages/s -------------------
  // Issue 38: CPU per page ≤ 8 ms (the web app's process CPU ÷ pages, as fast as 20 clients ask
  // with no pause: pages/s there is the saturation), and p95 ≤ 150 ms with 200 people each loading
  // a page every 5 s, an open-loop arrival rate of 40 pages/s (arrivals do not wait for answers).
  console.log('\n7b. Each kind of page: at saturation (20 clients, no pause), then 200 people each loading one every 5 s');
  const crowd = [...writers.council, ...writers.icb, ...writers.charity, ...writers.forum].slice(0, 200);
  const crowdCookies = [...cookies];
  await parallel(crowd.slice(cookies.length), 4, async (u) => {
    crowdCookies.push(await webSignIn(webBase, u.email, 'bench-password-1'));
  });
  const pathOf: Record<string, () => string> = { work: () => '/', partnership: () => `/partnerships/${partnership.id}`, cycle: () => `/cycles/${pick(delivering)}` };
  for (const [kind, path] of Object.entries(pathOf)) {
    let served = 0;
    let failed = 0;
    const cpuBefore = cpuSeconds(web.pid!);
    const saturationStarted = performance.now();
    await load(20, quick ? 4 : 20, async (client) => {
      const res = await callForStatus(webBase, 'GET', path(), undefined, undefined, { cookie: crowdCookies[client] });
      if (res.status === 200) served++;
      else failed++;
    });
    const seconds = (performance.now() - saturationStarted) / 1000;
    record(`web ${kind}: CPU per page (web app)`, ((cpuSeconds(web.pid!) - cpuBefore) * 1000) / Math.max(1, served), 'ms', { op: '<=', value: 8 });
    // What the 200 people's 40 pages/s need, at least.
    const saturation = served / seconds;
    record(`web ${kind}: pages/s at saturation`, saturation, 'pages/s', { op: '>=', value: 40 });
    if (saturation < 40) {
      // Arrivals faster than the app can answer: the queue, and every p95, grows for as long as they come.
      console.log(`  (p95 at 40 pages/s not measured: the web app answers ${saturation.toFixed(1)} ${kind} pages/s at most here)`);
      record(`web ${kind}: p95 at 40 pages/s (200 people)`, Infinity, 'ms', { op: '<=', value: 150 });
    } else {
      const times: number[] = [];
      await arrivals(crowdCookies.length, 5000, quick ? 10 : 30, async (person) => {
        const res = await callForStatus(webBase, 'GET', path(), undefined, undefined, { cookie: crowdCookies[person] });
        if (res.status === 200) times.push(res.ms);
        else failed++;
      });
      record(`web ${kind}: p95 at 40 pages/s (200 people)`, percentile(times, 95), 'ms', { op: '<=', value: 150 });
    }
    record(`web ${kind}: errors`, failed, 'answers', { op: '<=', value: 0 });
  }
  await stop(web);
  if (webOnly || process.env.BENCH_STOP_AFTER_WEB) await endPartialRun();

  // ---- 2. one hot cycle ---------------------------------------------------------------------
  console.log('\n2. One hot cycle: 32 clients on one cycle');
  const hot = delivering[0];
  const before = (await call(base, 'GET', `/v1/cycles/${hot}`, undefined, councilUser.token)).body.progressCount;
  let accepted = 0;
  let conflicts = 0;
  let other = 0;
  const hotStarted = performance.now();
  await load(32, quick ? 3 : 10, async (client) => {
    const res = await call(base, 'POST', `/v1/cycles/${hot}/events`, { type: 'RECORD_PROGRESS', note: `hot ${client}` }, anyWriter().token);
    if (res.status === 200) accepted++;
    else if (res.status === 409) conflicts++;
    else other++;
  });
  const hotSeconds = (performance.now() - hotStarted) / 1000;
  const after = (await call(base, 'GET', `/v1/cycles/${hot}`, undefined, councilUser.token)).body.progressCount;
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
  const otherPartnerships = await Promise.all(Array.from({ length: 9 }, (_, i) => must('/v1/partnerships', { name: `Other ${i}`, memberOrganisationIds: [] }, admin)));
  const seedStarted = performance.now();
  // 1,000 framing cycles in the bench partnership (calendar, anchor move, storm), the rest elsewhere.
  await pg.query(
    `INSERT INTO cycles (partnership_id, title, iteration, state, snapshot, machine_version, version, history_hash, created_by_user_id)
     SELECT $1, 'Synthetic ' || g, 1, $2, $3, $4, 1, $5, $6 FROM generate_series(1, $7) g`,
    [partnership.id, framingRow.state, framingRow.snapshot, framingRow.machine_version, framingRow.history_hash, councilUser.id, calendarCycles],
  );
  const perOther = Math.ceil((total - calendarCycles) / otherPartnerships.length);
  for (const p of otherPartnerships) {
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
  await svc.wipeRedis();
  const reconcileStarted = performance.now();
  const reconciler = svc.start(workerEntry, { LOG_LEVEL: 'info', RECONCILE_INTERVAL_MS: '3600000' });
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
  // That left 100,000 dead index entries behind, a mess of the benchmark's own making that
  // autovacuum would clear in time: clear it now, so the storm does not measure it.
  await pg.query('VACUUM ANALYZE milestones');
  await svc.wipeRedis();

  // ---- 3. milestone storm -------------------------------------------------------------------
  console.log('\n3. Milestone storm: 10,000 milestones due in the same second across 1,000 cycles');
  const storm = quick ? 2000 : 10_000;
  const dueAt = new Date(Date.now() + (quick ? 8000 : 20000));
  const synthetic = (await pg.query(`SELECT id FROM cycles WHERE partnership_id = $1 AND title LIKE 'Synthetic %'`, [partnership.id])).rows.map((r) => r.id as string);
  const stormIds = await scheduleStorm(pg, synthetic, storm / calendarCycles, dueAt);
  const stormWorkers = [svc.start(workerEntry), svc.start(workerEntry)];
  for (;;) {
    const { left } = await stormOutcome(pg, stormIds);
    if (!left) break;
    if (Date.now() > dueAt.getTime() + 120_000) throw new Error(`${left} storm milestones never settled`);
    await sleep(250);
  }
  const lateness = (await pg.query(`SELECT extract(epoch FROM ((changes->-1->>'at')::timestamptz - due_at)) * 1000 AS ms, status FROM milestones WHERE id = ANY($1::uuid[])`, [stormIds])).rows.map(
    (r) => ({ ms: Number(r.ms), status: r.status as string }),
  );
  const fired = lateness.filter((l) => l.status === 'fired').length;
  const applied = Number((await pg.query(`SELECT count(*) FROM cycle_history WHERE payload->>'milestoneId' = ANY($1::text[])`, [stormIds])).rows[0].count);
  const { twice } = await stormOutcome(pg, stormIds);
  record('storm milestones settled (fired or moot)', lateness.length, 'milestones', { op: '>=', value: storm });
  record('storm events applied = milestones fired', applied - fired, 'difference', { op: '<=', value: 0 });
  record('storm milestones applied twice', twice, 'milestones', { op: '<=', value: 0 });
  const ms = lateness.map((l) => l.ms);
  record('storm lateness p50', percentile(ms, 50), 'ms');
  record('storm lateness p99', percentile(ms, 99), 'ms', { op: '<=', value: 1000 });
  record('storm lateness max', Math.max(...ms), 'ms');
  await Promise.all(stormWorkers.map(stop));

  // Raw BullMQ: 10,000 no-op delayed jobs due at one instant, two workers at the product's concurrency (100).
  const rawQueue = new Queue('raw', { connection: bullConnection(svc.redisUrl), prefix: svc.prefix });
  const rawDue = Date.now() + (quick ? 5000 : 10000);
  await rawQueue.addBulk(Array.from({ length: storm }, (_, i) => ({ name: 'noop', data: { i }, opts: { delay: rawDue - Date.now(), removeOnComplete: false } })));
  const rawLateness: number[] = [];
  const rawWorkers = [0, 1].map(
    () =>
      new Worker(
        'raw',
        async () => {
          rawLateness.push(Date.now() - rawDue);
        },
        { connection: bullConnection(svc.redisUrl), prefix: svc.prefix, concurrency: 100 },
      ),
  );
  while (rawLateness.length < storm) await sleep(100);
  await Promise.all(rawWorkers.map((w) => w.close()));
  await rawQueue.close();
  record('raw BullMQ lateness p50 (reference)', percentile(rawLateness, 50), 'ms');
  record('raw BullMQ lateness p99 (reference)', percentile(rawLateness, 99), 'ms');

  console.log('\n6b. Old cycles: events that change the snapshot');
  await changingWrites();
  await stop(apiProcess);
  await pg.end();
  await svc.cleanup();

  const failed = figures.filter((f) => f.pass === false);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { at: new Date().toISOString(), quick, machine: { cores: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, figures },
      null,
      2,
    ),
  );
  console.log(`\n${figures.filter((f) => f.pass).length} PASS, ${failed.length} FAIL; saved ${file}`);
}

main().catch(async (error) => {
  console.error(`\nbench failed: ${(error as Error).stack ?? error}`);
  await svc.cleanup().catch(() => undefined);
  process.exit(1);
});
