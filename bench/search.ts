/*
 * npm run bench:search: GET /v1/search on a few thousand cycles. It builds the API if needed and
 * starts it (the product's Node flags) on a database of its own, makes three partnerships whose
 * first cycle is walked to its learning review over HTTP (a problem statement, options, learning, a
 * comment), copies each to BENCH_SEARCH_CYCLES / 3 cycles with SQL (the triggers index the copies,
 * as they would any write), then times BENCH_SEARCH_REQUESTS searches per case, one after
 * another: a word in every cycle (the worst case: every visible document ranked), a rare word, a
 * phrase, as a member (a third of the cycles visible), an independent facilitator and the admin.
 * It prints p50 and p95 per case against BENCH_SEARCH_P95_MS (250 by default), PASS or FAIL, and
 * drops what it made.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { Collaboration, Factory, collaboration, cycleSteps } from '../test/support/factories';
import { cloneCycles } from '../test/support/ocds';
import { Service, apiEntry, root, runBench } from './harness';
import { call } from './http';

const cycles = Number(process.env.BENCH_SEARCH_CYCLES ?? 3000);
const requests = Number(process.env.BENCH_SEARCH_REQUESTS ?? 200);
const targetMs = Number(process.env.BENCH_SEARCH_P95_MS ?? 250);
const svc = new Service('searchbench', Number(process.env.BENCH_PORT ?? 3961));

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function walk(c: Collaboration, n: number, facilitatorUserIds: string[]): Promise<string> {
  const steps = cycleSteps(c);
  const id = await c.newCycle({ title: `Staying well at home this winter ${n}`, facilitatorUserIds });
  await steps.ok(c.councilUser.as, id, { type: 'LAUNCH' });
  await steps.ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Too many older people living alone are admitted to hospital in winter; loneliness and cold homes make it worse.' });
  for (const u of c.coOwners) await steps.ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
  const v = await steps.ok(c.charityUser.as, id, {
    type: 'SUBMIT_OPTION',
    title: 'Winter befriending calls',
    summary: 'Volunteers call residents weekly from October to March',
    coAuthorOrganisationIds: [],
  });
  await steps.ok(c.forumUser.as, id, { type: 'SUBMIT_OPTION', title: 'Warm hubs', summary: 'Libraries and community centres open as warm spaces in winter', coAuthorOrganisationIds: [] });
  await c.forumUser.as
    .post(`/v1/cycles/${id}/comments`, { subject: 'option', subjectId: v.options[0].id, body: 'Could the calls be in Urdu and Polish too? Winter is long for people on their own.' })
    .expect(201);
  await steps.ok(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' });
  const p = await steps.ok(c.icbUser.as, id, { type: 'PROPOSE_DECISION', optionIds: [v.options[0].id], rationale: 'Quickest to start' });
  for (const u of c.coOwners) await steps.ok(u.as, id, { type: 'CONSENT', proposalId: p.decision.proposals[0].id });
  await steps.ok(c.councilUser.as, id, { type: 'START_REVIEW' });
  await steps.ok(c.panel[0].as, id, {
    type: 'RECORD_LEARNING',
    insight: 'Calls in winter cut admissions of people living alone',
    evidence: 'ICB admissions data, December to February',
    recommendation: 'continue',
  });
  return id;
}

async function main(): Promise<boolean> {
  console.log(`Search bench: ${cycles} cycles in three partnerships, ${requests} searches per case, on ${svc.dbName}`);
  // The admin's development credentials, as the service's processes read them (Service.env).
  process.env.NODE_ENV ??= 'development';
  const prepared = spawnSync(process.execPath, [join(root, 'scripts/start.js'), 'migrate'], { cwd: root, env: svc.env(), stdio: 'inherit' });
  if (prepared.status !== 0) throw new Error('build or migration failed');
  svc.start(apiEntry);
  await svc.healthy();
  const pg = new Client({ connectionString: svc.databaseUrl });
  await pg.connect();
  let failed = false;
  try {
    const factory = await Factory.create(svc.base);
    const mediator = await factory.user(await factory.organisation('facilitator', 'Independent Bench Mediation'));
    const partnerships = [await collaboration(factory), await collaboration(factory), await collaboration(factory)];
    const started = Date.now();
    for (const [n, c] of partnerships.entries()) {
      const source = await walk(c, n, n === 0 ? [c.facilitator.id, mediator.id] : [c.facilitator.id]);
      await cloneCycles(pg, source, Math.ceil(cycles / 3) - 1);
      // Each copy with its comment, indexed by the comments' trigger.
      await pg.query(
        `INSERT INTO comments (cycle_id, subject, subject_id, author_user_id, body, at)
         SELECT c.id, m.subject, m.subject_id, m.author_user_id, m.body || ' (' || c.title || ')', m.at FROM cycles c, comments m
         WHERE c.partnership_id = $1 AND c.id <> $2 AND m.cycle_id = $2`,
        [c.partnershipId, source],
      );
    }
    await pg.query('ANALYZE search_documents');
    const [{ n }] = (await pg.query<{ n: string }>('SELECT count(*) AS n FROM search_documents')).rows;
    console.log(`  seeded in ${Math.round((Date.now() - started) / 1000)} s: ${n} search documents`);

    const member = partnerships[0].councilUser.as.token!;
    const cases: [string, string, string][] = [
      ['member, a word in every cycle ("winter")', 'winter', member],
      ['member, a rare word ("Polish")', 'Polish', member],
      ['member, a phrase ("living alone")', '"living alone"', member],
      ['member, next page of "winter"', 'winter', member],
      ['facilitator, "winter"', 'winter', mediator.as.token!],
      ['admin, "winter" (every cycle visible)', 'winter', factory.admin.token!],
    ];
    for (const [label, q, token] of cases) {
      let path = `/v1/search?q=${encodeURIComponent(q)}`;
      if (label.includes('next page')) {
        const first = await call(svc.base, 'GET', path, undefined, token);
        path += `&cursor=${(first.body as { nextCursor: string }).nextCursor}`;
      }
      const times: number[] = [];
      for (let i = 0; i < requests; i += 1) {
        const t0 = process.hrtime.bigint();
        const res = await call(svc.base, 'GET', path, undefined, token);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.status !== 200) throw new Error(`${label}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      times.sort((x, y) => x - y);
      const p95 = percentile(times, 95);
      const pass = p95 < targetMs;
      failed ||= !pass;
      console.log(`  ${label.padEnd(48)} p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (< ${targetMs} ms) ${pass ? 'PASS' : 'FAIL'}`);
    }
  } finally {
    await pg.end();
    await svc.cleanup();
  }
  return failed;
}

runBench(svc, main);
