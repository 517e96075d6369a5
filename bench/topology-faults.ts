/**
 * The fault suite's cases on the production topology (scripts/topology.ts): HAProxy in front of
 * two APIs and two web apps, two workers, Redis as a primary and a replica under three sentinels.
 * 6. an API process killed (SIGKILL) under write load through HAProxy;
 * 7. a rolling restart (SIGTERM, then started again, one at a time) of every API and web process under load;
 * 8. the Redis primary killed (SIGKILL) during a milestone storm and an email storm.
 */
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { Topology, startTopology } from '../scripts/topology';
import { parallel, scheduleStorm, seed, sleep, stormOutcome } from './harness';
import { call, rawCall, webSignIn } from './http';

export interface FaultRow {
  scenario: string;
  sent: number;
  accepted: number;
  lost: number;
  twice: number;
  note?: string;
  /** The fault landed after everything was settled. */
  missed?: boolean;
  /** Sending twice is the known cost of this fault (at most once per crash): reported, not failed. */
  twiceAllowed?: boolean;
  /** Requests that failed (must be 0 where counted). */
  failed?: number;
}

/** A mail sink that counts each notification's emails (X-Cocommission-Notification), as a real SMTP relay. */
export async function mailSink(): Promise<{ url: string; received: Map<string, number>; close(): Promise<void> }> {
  const received = new Map<string, number>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        const id = /X-Cocommission-Notification: ([0-9a-f-]{36})/i.exec(head)?.[1] ?? 'unknown';
        received.set(id, (received.get(id) ?? 0) + 1);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

/** A cycle only one load client writes to, and the version it last saw (its If-Match). */
interface Lane {
  id: string;
  version: number;
}

type Tally = Map<string, number>;
/** An answer's status, HAProxy's own ones (no server to send to) told apart from the servers'. */
const said = (res: { status: number; body?: unknown }) => (typeof res.body === 'string' && res.body.includes('No server is available') ? `${res.status}(haproxy)` : res.status);
const count = (tally: Tally, key: string | number) => tally.set(String(key), (tally.get(String(key)) ?? 0) + 1);
const text = (tally: Tally) => [...tally.entries()].map(([k, v]) => `${k}:${v}`).join(' ');

/**
 * One event sent until the client knows whether it was applied. An answer that says nothing (the
 * connection cut, HAProxy's 502 or 503) is sent again with the same If-Match: applied at most
 * once, as a second copy finds the version moved on (409). A 409 then means the first got in or
 * nothing did: the history says which, as no other client writes to this cycle.
 */
async function sendUntilKnown(base: string, lane: Lane, note: string, token: () => string, tally: Tally): Promise<'accepted' | 'refused'> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await call(base, 'POST', `/v1/cycles/${lane.id}/events`, { type: 'RECORD_PROGRESS', note }, token(), { 'if-match': `"${lane.version}"`, prefer: 'return=minimal' }).catch(() => ({
      status: 0,
      body: undefined,
      headers: undefined,
    }));
    count(tally, res.status);
    if (res.status === 200) {
      lane.version = res.body.version;
      return 'accepted';
    }
    if (res.status === 429) {
      await sleep(1000 * Number(res.headers?.['retry-after'] ?? 1));
      continue;
    }
    if (res.status === 409) {
      const [cycle, history] = await Promise.all([call(base, 'GET', `/v1/cycles/${lane.id}`, undefined, token()), call(base, 'GET', `/v1/cycles/${lane.id}/history`, undefined, token())]);
      if (cycle.status !== 200 || history.status !== 200) continue;
      count(tally, 'read-back');
      lane.version = cycle.body.version;
      if ((history.body as { payload: { note?: string } }[]).some((entry) => entry.payload?.note === note)) return 'accepted';
      continue;
    }
    if (res.status === 0 || res.status === 502 || res.status === 503 || res.status === 504) {
      await sleep(50);
      continue;
    }
    return 'refused';
  }
  return 'refused';
}

/** The events of this case (their notes' prefix) in the database: those told accepted and missing, those applied twice, those applied and never told. */
async function eventOutcome(pg: Client, prefix: string, accepted: Set<string>) {
  const found = await pg.query(`SELECT payload->>'note' AS note, count(*) AS n FROM cycle_history WHERE type = 'RECORD_PROGRESS' AND payload->>'note' LIKE $1 GROUP BY 1`, [`${prefix}%`]);
  const counts = new Map(found.rows.map((r) => [r.note as string, Number(r.n)]));
  return {
    lost: [...accepted].filter((note) => !counts.has(note)).length,
    twice: [...counts.values()].filter((n) => n > 1).length,
    untold: [...counts.keys()].filter((note) => !accepted.has(note)).length,
  };
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Runs `work` on `clients` loops until `done()` says stop. */
async function loadWhile(clients: number, running: () => boolean, work: (client: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (running()) await work(client);
    }),
  );
}

export async function topologyCases(report: (row: FaultRow) => void, want: (n: number) => boolean): Promise<void> {
  const sink = await mailSink();
  console.log('\n  the topology: HAProxy, 2 APIs, 2 web apps, 2 workers, Redis primary + replica under 3 sentinels');
  const started = Date.now();
  const t: Topology = await startTopology({
    name: 'faults_topology',
    verbose: !!process.env.BENCH_VERBOSE,
    env: {
      WORKER_LOCK_DURATION_MS: '3000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      RELAY_INTERVAL_MS: '100',
      RECONCILE_INTERVAL_MS: '5000',
      MILESTONE_SWEEP_BATCH: '5',
      WORKER_CONCURRENCY: '50',
      ANONYMOUS_READS_PER_MINUTE: '1000000',
      EXPENSIVE_READS_PER_MINUTE: '1000000',
    },
    workerEnv: { SMTP_URL: sink.url, MAIL_BACKOFF_MS: '500' },
  });
  console.log(`  (up in ${((Date.now() - started) / 1000).toFixed(1)} s: API ${t.apiUrl}, web ${t.webUrl})`);
  const pg = new Client({ connectionString: t.databaseUrl });
  await pg.connect();
  try {
    const s = await seed(t.apiUrl);
    const lanes = async (n: number): Promise<Lane[]> => {
      const ids: string[] = [];
      await parallel(Array.from({ length: n }), 4, async () => {
        ids.push(await s.inDelivering());
      });
      return Promise.all(ids.map(async (id) => ({ id, version: (await call(t.apiUrl, 'GET', `/v1/cycles/${id}`, undefined, s.councilUser.token)).body.version as number })));
    };
    const token = () => s.anyWriter().token;

    // 6. An API process killed with SIGKILL under write load through HAProxy.
    if (want(6)) {
      const own = await lanes(16);
      const accepted = new Set<string>();
      const tally: Tally = new Map();
      let sent = 0;
      let refused = 0;
      let running = true;
      let outMs = NaN;
      const fault = (async () => {
        await sleep(5000);
        const killed = t.signal('api-1', 'SIGKILL');
        outMs = await until('HAProxy to take api-1 out', 10000, async () => (await t.serverStatus('api', 'api-1')).startsWith('DOWN'));
        await killed;
        await sleep(5000);
        running = false;
      })();
      await loadWhile(
        own.length,
        () => running,
        async (client) => {
          const note = `fault-kill-${client}-${sent++}`;
          if ((await sendUntilKnown(t.apiUrl, own[client], note, token, tally)) === 'accepted') accepted.add(note);
          else refused++;
        },
      );
      await fault;
      const outcome = await eventOutcome(pg, 'fault-kill-', accepted);
      report({
        scenario: 'API killed (SIGKILL) under write load via HAProxy',
        sent,
        accepted: accepted.size,
        lost: outcome.lost,
        twice: outcome.twice + outcome.untold,
        failed: refused,
        note: `out of HAProxy ${outMs} ms after the kill; answers ${text(tally)}; ${outcome.untold} applied untold`,
      });
      const back = Date.now();
      await t.startAgain('api-1');
      console.log(`    api-1 started again and back in HAProxy in ${((Date.now() - back) / 1000).toFixed(1)} s`);
    }

    // 7. A rolling restart of every API and web process under API and web load: no request fails.
    if (want(7)) {
      const own = await lanes(8);
      const cookie = await webSignIn(t.webUrl, s.councilUser.email, 'bench-password-1');
      const page = `/cycles/${own[0].id}`;
      const first = await rawCall(t.webUrl, 'GET', page, { headers: { cookie } });
      if (first.status !== 200) throw new Error(`the web app's cycle page answered ${first.status}`);
      const accepted = new Set<string>();
      const api: Tally = new Map();
      const web: Tally = new Map();
      let sent = 0;
      let failed = 0;
      let running = true;
      const restarts: string[] = [];
      const rolling = (async () => {
        await sleep(3000);
        for (const name of ['api-1', 'api-2', 'web-1', 'web-2']) {
          const at = Date.now();
          await t.signal(name, 'SIGTERM');
          const stopped = Date.now() - at;
          await t.startAgain(name);
          restarts.push(`${name} ${(stopped / 1000).toFixed(1)}+${((Date.now() - at - stopped) / 1000).toFixed(1)} s`);
        }
        await sleep(2000);
        running = false;
      })();
      await Promise.all([
        // Events, each sent once (any answer but 200 fails), and reads of the cycles.
        loadWhile(
          own.length,
          () => running,
          async (client) => {
            const lane = own[client];
            const note = `fault-roll-${client}-${sent++}`;
            const res = await call(t.apiUrl, 'POST', `/v1/cycles/${lane.id}/events`, { type: 'RECORD_PROGRESS', note }, token(), { 'if-match': `"${lane.version}"`, prefer: 'return=minimal' }).catch(
              () => ({
                status: 0,
                body: undefined,
                headers: undefined,
              }),
            );
            count(api, said(res));
            if (res.status === 200) {
              accepted.add(note);
              lane.version = res.body.version;
            } else if (res.status === 429) await sleep(1000 * Number(res.headers?.['retry-after'] ?? 1));
            else failed++;
            const read = await call(t.apiUrl, 'GET', `/v1/cycles/${lane.id}`, undefined, token()).catch(() => ({ status: 0 }));
            count(api, said(read));
            if (read.status !== 200) failed++;
          },
        ),
        // Signed-in web pages.
        loadWhile(
          4,
          () => running,
          async () => {
            const res = await rawCall(t.webUrl, 'GET', page, { headers: { cookie } }).catch(() => ({ status: 0, text: '' }));
            count(web, said({ status: res.status, body: res.text }));
            if (res.status !== 200) failed++;
          },
        ),
      ]);
      await rolling;
      const outcome = await eventOutcome(pg, 'fault-roll-', accepted);
      if (failed) console.log(`    HAProxy said:\n${t.haproxyEvents.map((line) => `      ${line}`).join('\n')}`);
      const requests = [...api.values(), ...web.values()].reduce((a, b) => a + b, 0);
      report({
        scenario: 'rolling restart of 2 APIs + 2 web apps under load',
        sent: requests,
        accepted: requests - failed,
        lost: outcome.lost,
        twice: outcome.twice + outcome.untold,
        failed,
        note: `API ${text(api)}; web ${text(web)}; stop+start ${restarts.join(', ')}`,
      });
    }

    // 8. The Redis primary killed during a milestone storm and an email storm: Sentinel promotes the replica.
    if (want(8)) {
      const cycles: string[] = [];
      await parallel(Array.from({ length: 200 }), 4, async () => {
        cycles.push(await s.inFraming());
      });
      // The earlier cases' emails (their events notify people) go first, so that this storm's are not queued behind them.
      const backlog = async () => Number((await pg.query(`SELECT count(*) FROM notifications WHERE email_status = 'pending'`)).rows[0].count);
      await until('the earlier emails to be sent', 300_000, async () => (await backlog()) === 0);
      // Both storms at once: the emails from now, the milestones due in 3 s; the primary dies once both are under way.
      const user = (await pg.query(`SELECT id FROM users WHERE role <> 'admin' AND active ORDER BY id LIMIT 1`)).rows[0].id as string;
      const run = Date.now().toString(36);
      const milestones = await scheduleStorm(pg, cycles, 5, new Date(Date.now() + 3000));
      const emails: string[] = (
        await pg.query(
          `INSERT INTO notifications (user_id, kind, text, dedupe_key) SELECT $1, 'fault', 'Failover storm ' || n, 'fault-failover-' || $2 || '-' || n
           FROM generate_series(1, 2000) AS n RETURNING id`,
          [user, run],
        )
      ).rows.map((r) => r.id);
      const sentOf = () => emails.filter((id) => sink.received.has(id)).length;
      await until('both storms to start', 120_000, async () => (await stormOutcome(pg, milestones)).settled >= milestones.length * 0.1 && sentOf() >= 100).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${(await stormOutcome(pg, milestones)).settled} milestones settled, ${sentOf()} emails received, ${await backlog()} pending`);
      });
      const settledAtKill = (await stormOutcome(pg, milestones)).settled;
      const emailedAtKill = sentOf();
      const killedAt = Date.now();
      const oldPrimary = await t.killRedisPrimary();
      const failoverMs = await until('Sentinel to promote the replica', 60000, async () => (await t.redisPrimaryPort()) !== oldPrimary);
      const redis = t.redis();
      const writableMs = await until('a write on the new primary', 60000, async () => (await redis.set(`${t.prefix}:failover-probe`, '1')) === 'OK').then(() => Date.now() - killedAt);
      redis.disconnect();
      const deadline = Date.now() + 180_000;
      let left = { milestones: milestones.length, emails: emails.length };
      while (Date.now() < deadline) {
        const storm = await stormOutcome(pg, milestones);
        const unsent = Number((await pg.query(`SELECT count(*) FROM notifications WHERE id = ANY($1::uuid[]) AND email_status <> 'sent'`, [emails])).rows[0].count);
        left = { milestones: storm.left, emails: unsent };
        if (!storm.left && !unsent) break;
        await sleep(500);
      }
      const settledMs = Date.now() - killedAt;
      // Emails the worker had handed over but the sink had not counted yet: a moment for them.
      await sleep(1000);
      const storm = await stormOutcome(pg, milestones);
      report({
        scenario: 'Redis primary killed (SIGKILL) mid-storm: milestones',
        sent: milestones.length,
        accepted: storm.settled,
        lost: storm.left,
        twice: storm.twice,
        note: `${settledAtKill} settled at the kill; new primary in ${failoverMs} ms, written to after ${writableMs} ms; all settled ${(settledMs / 1000).toFixed(1)} s after the kill`,
        missed: settledAtKill >= milestones.length,
      });
      const lost = emails.filter((id) => !sink.received.has(id)).length;
      const twice = emails.filter((id) => (sink.received.get(id) ?? 0) > 1).length;
      report({
        scenario: 'Redis primary killed (SIGKILL) mid-storm: emails',
        sent: emails.length,
        accepted: emails.length - lost,
        lost,
        twice,
        note: `${emailedAtKill} emailed at the kill; ${left.emails} not marked sent at the end`,
        missed: emailedAtKill >= emails.length,
      });
    }
  } finally {
    await pg.end().catch(() => undefined);
    await t.stop();
    await sink.close();
  }
}
