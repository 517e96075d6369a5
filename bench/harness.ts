/** What the benchmark and the fault suite share: processes of the real service, and seed data. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { byApp as APP_FLAGS, flags as NODE_FLAGS } from '../scripts/node-flags.json';
import { call } from './http';

export const root = join(__dirname, '..');
export const apiEntry = join(root, 'dist/apps/api/apps/api/src/main.js');
export const workerEntry = join(root, 'dist/apps/worker/apps/worker/src/main.js');
export const webEntry = join(root, 'dist/apps/web/apps/web/src/main.js');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process's resident memory in kB, from /proc. */
export function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** A run of the service on a database and queue prefix of its own. */
export class Service {
  readonly stamp = Date.now().toString(36);
  readonly pgBase = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
  readonly dbName = `cocommission_${this.kind}_${this.stamp}`;
  readonly databaseUrl = `${this.pgBase}/${this.dbName}`;
  readonly redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  readonly prefix = `cocommission_${this.kind}_${this.stamp}`;
  readonly children: ChildProcess[] = [];

  constructor(
    readonly kind: string,
    readonly port: number,
    readonly extraEnv: Record<string, string> = {},
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PORT: String(this.port),
      DATABASE_URL: this.databaseUrl,
      QUEUE_PREFIX: this.prefix,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      WORKER_CONCURRENCY: '100',
      // The bench measures reads far faster than people make them: the read limits stay out of its way.
      ANONYMOUS_READS_PER_MINUTE: '1000000',
      EXPENSIVE_READS_PER_MINUTE: '1000000',
      ...this.extraEnv,
      ...extra,
    };
  }

  /** Builds both apps if needed, creates the database and migrates it. */
  prepare(): void {
    const result = spawnSync(process.execPath, [join(root, 'scripts/start.js'), 'migrate', '--build-worker', '--build-web'], {
      cwd: root,
      env: this.env(),
      stdio: 'inherit',
    });
    if (result.status !== 0) throw new Error('build or migration failed');
  }

  start(entry: string, extra: Record<string, string> = {}, nodeArgs: string[] = []): ChildProcess {
    // The flags the product starts its processes with (scripts/start.js), so that we measure those.
    const app = /dist\/apps\/([\w-]+)\//.exec(entry)?.[1] as keyof typeof APP_FLAGS | undefined;
    const flags = [...NODE_FLAGS, ...((app && APP_FLAGS[app]) ?? [])];
    const child = spawn(process.execPath, [...flags, ...nodeArgs, entry], { cwd: root, env: this.env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    // Read what it prints, so that a full pipe never blocks its writes.
    child.stdout?.on('data', (d: Buffer) => process.env.BENCH_VERBOSE && process.stdout.write(d));
    child.stderr?.on('data', (d: Buffer) => process.env.BENCH_VERBOSE && process.stderr.write(d));
    this.children.push(child);
    return child;
  }

  /** BENCH_HEALTHY_MS: how long a process may take to answer (30 s; longer on a machine others share). */
  async healthy(base = this.base, timeoutMs = Number(process.env.BENCH_HEALTHY_MS ?? 30000), path = '/health'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if ((await call(base, 'GET', path)).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${base} did not become healthy`);
      await sleep(25);
    }
  }

  async wipeRedis(pattern = `${this.prefix}:*`): Promise<number> {
    const redis = new IORedis(this.redisUrl);
    let deleted = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
        if (keys.length) deleted += await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    return deleted;
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const admin = new Client({ connectionString: `${this.pgBase}/postgres` });
    await admin.connect();
    // BENCH_KEEP_DB=1 keeps the run's database to look into afterwards (its name is printed).
    if (process.env.BENCH_KEEP_DB) console.log(`  (database ${this.dbName} kept)`);
    else await admin.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${this.dbName}_pgbench" WITH (FORCE)`);
    await admin.end();
    await this.wipeRedis();
  }
}

/**
 * Runs a bench's `main`, which answers whether any figure failed: PASS or FAIL printed and the exit
 * code set; an error is printed, the service cleaned up, and the exit code 1.
 */
export function runBench(svc: Service, main: () => Promise<boolean>): void {
  main().then(
    (failed) => {
      console.log(failed ? 'FAIL' : 'PASS');
      process.exitCode = failed ? 1 : 0;
    },
    async (error) => {
      console.error(error);
      await svc.cleanup().catch(() => undefined);
      process.exitCode = 1;
    },
  );
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

export async function parallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * People of each co-owner organisation the load is spread over (each person's writes are limited
 * to 20 a second, bursts of 100): 256 people in all keep each under 13 a second at 3,200 events/s
 * (32 of each, 128 in all, drew thousands of 429s on a machine that wrote 3,156 events/s).
 */
export const WRITERS_PER_ORGANISATION = Number(process.env.BENCH_WRITERS_PER_ORGANISATION ?? 64);

/** A commissioning collaboration over HTTP, and cycles walked to `delivering`. */
export async function seed(base: string) {
  // Setting up writes fast: a person over their write allowance (429) waits as told and tries again.
  const must = async (path: string, body: unknown, token?: string, method = 'POST'): Promise<any> => {
    for (;;) {
      const res = await call(base, method, path, body, token);
      if (res.status === 429) {
        await sleep(1000 * Number(res.headers?.['retry-after'] ?? 1));
        continue;
      }
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    }
  };
  const login = async (email: string, password: string) => (await must('/v1/auth/login', { email, password })).accessToken as string;
  const admin = await login('admin@cocommission.local', 'cocommission-admin');
  const org = (name: string, kind: string) => must('/v1/organisations', { name, kind }, admin);
  const [council, icb, charity, forum] = await Promise.all([org('Bench Council', 'commissioner'), org('Bench ICB', 'commissioner'), org('Bench Charity', 'provider'), org('Bench Forum', 'community')]);
  const person = async (o: { id: string }, n: string) => {
    const email = `${n}@bench.example`;
    const u = await must('/v1/users', { email, name: n, password: 'bench-password-1', organisationId: o.id }, admin);
    return { id: u.id as string, email, token: await login(email, 'bench-password-1') };
  };
  const [councilUser, icbUser, charityUser, forumUser, panel] = await Promise.all([
    person(council, 'council'),
    person(icb, 'icb'),
    person(charity, 'charity'),
    person(forum, 'forum'),
    person(forum, 'panel'),
  ]);
  const coOwners = [councilUser, icbUser, charityUser, forumUser];
  // Each person's writes are limited (20 a second, bursts of 100): the load is spread over many
  // people of each co-owner, WRITERS_PER_ORGANISATION of them, as a real partnership's would be.
  const team = async (o: { id: string }, lead: { id: string; email: string; token: string }, n: string) => {
    const others: { id: string; email: string; token: string }[] = [];
    await parallel(
      Array.from({ length: WRITERS_PER_ORGANISATION - 1 }, (_, i) => i),
      8,
      async (i) => {
        others.push(await person(o, `${n}-${i + 2}`));
      },
    );
    return [lead, ...others];
  };
  const writers = {
    council: await team(council, councilUser, 'council'),
    icb: await team(icb, icbUser, 'icb'),
    charity: await team(charity, charityUser, 'charity'),
    forum: await team(forum, forumUser, 'forum'),
  };
  const everyWriter = [...writers.council, ...writers.icb, ...writers.charity, ...writers.forum];
  const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)];
  /** Any co-owner's person, at random: what the load generators send as. */
  const anyWriter = () => pick(everyWriter);
  const partnership = await must('/v1/partnerships', { name: 'Bench partnership', memberOrganisationIds: [icb.id, charity.id, forum.id] }, councilUser.token);
  // Membership is by consent: the platform admin accepts each invitation for the organisation.
  for (const invited of [icb, charity, forum]) await must(`/v1/partnerships/${partnership.id}/invitations/${invited.id}/accept`, {}, admin);
  const outcome = await must(
    `/v1/partnerships/${partnership.id}/outcomes`,
    {
      title: 'Outcome',
      metrics: [{ name: 'Admissions', unit: 'per 1,000', baseline: 24, target: 20, direction: 'decrease' }],
    },
    councilUser.token,
  );
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
  const newCycle = async (): Promise<string> => (await must('/v1/cycles', cycleBody, pick(writers.council).token)).id;
  const inFraming = async (): Promise<string> => {
    const id = await newCycle();
    await send(id, pick(writers.council).token, { type: 'LAUNCH' });
    return id;
  };
  const each = () => [pick(writers.council), pick(writers.icb), pick(writers.charity), pick(writers.forum)];
  async function inDelivering(): Promise<string> {
    const id = await inFraming();
    await send(id, pick(writers.charity).token, { type: 'REVISE_PROBLEM', statement: 'The problem' });
    for (const u of each()) await send(id, u.token, { type: 'ENDORSE_PROBLEM', revision: 1 });
    const v = await send(id, pick(writers.charity).token, { type: 'SUBMIT_OPTION', title: 'Option', summary: 'Summary' });
    await send(id, pick(writers.council).token, { type: 'CLOSE_OPTIONS' });
    const p = await send(id, pick(writers.icb).token, { type: 'PROPOSE_DECISION', optionIds: [v.options[0].id], rationale: 'r' });
    for (const u of each()) await send(id, u.token, { type: 'CONSENT', proposalId: p.decision.proposals[0].id });
    return id;
  }
  return { must, admin, councilUser, icbUser, charityUser, forumUser, panel, coOwners, writers, anyWriter, pick, partnership, outcome, cycleBody, send, newCycle, inFraming, inDelivering };
}

/** Schedules `count` framingDue milestones (through the product's own outbox) due at `dueAt`. */
export async function scheduleStorm(pg: Client, cycleIds: string[], perCycle: number, dueAt: Date): Promise<string[]> {
  const rows = await pg.query(
    `WITH m AS (INSERT INTO milestones (cycle_id, partnership_id, kind, due_at, status, revision, changes)
                SELECT c.id, c.partnership_id, (ARRAY['framingDue','optionsClose','decisionDue','reviewStart','reviewDue'])[1 + (g % 5)], $2, 'scheduled', 1, '[]'
                FROM cycles c, generate_series(0, $3 - 1) g WHERE c.id = ANY($1::uuid[]) RETURNING id),
          o AS (INSERT INTO outbox (topic, payload)
                SELECT 'schedule', jsonb_build_object('name', 'fire', 'data', jsonb_build_object('milestoneId', m.id, 'revision', 1), 'runAt', $2::timestamptz) FROM m)
     SELECT id FROM m`,
    [cycleIds, dueAt.toISOString(), perCycle],
  );
  return rows.rows.map((r) => r.id as string);
}

/** Milestones of the storm settled, left, and applied more than once. */
export async function stormOutcome(pg: Client, ids: string[]) {
  const settled = Number((await pg.query(`SELECT count(*) FROM milestones WHERE id = ANY($1::uuid[]) AND status <> 'scheduled'`, [ids])).rows[0].count);
  const twice = Number(
    (await pg.query(`SELECT count(*) FROM (SELECT payload->>'milestoneId' FROM cycle_history WHERE payload->>'milestoneId' = ANY($1::text[]) GROUP BY 1 HAVING count(*) > 1) d`, [ids])).rows[0].count,
  );
  return { settled, left: ids.length - settled, twice };
}
