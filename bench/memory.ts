/*
 * npm run bench:memory: a small council's server, its resident memory under a modest load. It builds
 * the apps if needed and starts the API, the web app and the worker (the product's Node flags,
 * scripts/node-flags.json) on a database and queue prefix of its own, seeds a partnership over
 * HTTP, then for BENCH_MEMORY_SECONDS (60 by default) sends RECORD_PROGRESS events from 16 clients (ten a second each at most)
 * while 10 signed-in people browse the web app (a page every 1 to 3 s), sampling each process's
 * VmRSS every 100 ms. Then the same with the all-in-one process (the three roles in one). It prints
 * the three roles' peak together (target ≤ 450 MB) and the all-in-one's (≤ 300 MB), PASS or FAIL.
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../scripts/free-port';
import { Service, apiEntry, root, rssKb, runBench, seed, sleep, stop, webEntry, workerEntry } from './harness';
import { callForStatus, load, rawCall, webSignIn } from './http';

const allInOneEntry = join(root, 'dist/apps/all-in-one/apps/all-in-one/src/main.js');
const seconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 60);
const mb = (kb: number) => Math.round(kb / 102.4) / 10;

/** The load both arrangements get: events written through the API, pages read from the web app. */
async function modestLoad(
  api: string,
  web: string,
  s: Awaited<ReturnType<typeof seed>>,
  cycles: string[],
  cookies: string[],
): Promise<{ events: number; pages: number; errors: number; statuses: Record<string, number> }> {
  const counts = { events: 0, pages: 0, errors: 0, statuses: {} as Record<string, number> };
  const failed = (what: string, status: number) => {
    counts.errors++;
    counts.statuses[`${what} ${status}`] = (counts.statuses[`${what} ${status}`] ?? 0) + 1;
  };
  const event = { type: 'RECORD_PROGRESS', note: 'Weekly update', readings: [{ metric: 'Admissions', value: 22 }] };
  await Promise.all([
    load(16, seconds, async () => {
      const res = await callForStatus(api, 'POST', `/v1/cycles/${s.pick(cycles)}/events`, event, s.anyWriter().token);
      if (res.status === 200) counts.events++;
      else failed('event', res.status);
      // At most ten a second each (160 in all): under the writers' own limits (WRITE_RATE_PER_SECOND, 12 writers), as a council's load stays.
      await sleep(100);
    }),
    load(cookies.length, seconds, async (client) => {
      const path = [`/`, `/partnerships/${s.partnership.id}`, `/cycles/${s.pick(cycles)}`][client % 3];
      const res = await rawCall(web, 'GET', path, { headers: { cookie: cookies[client] } });
      if (res.status === 200) counts.pages++;
      else failed('page', res.status);
      await sleep(1000 + Math.random() * 2000);
    }),
  ]);
  return counts;
}

/** Samples the processes' resident memory every 100 ms: each one's peak, and the peak of their sum. */
function sampleRss(children: ChildProcess[]): () => { each: number[]; together: number } {
  const each = children.map(() => 0);
  let together = 0;
  const timer = setInterval(() => {
    const now = children.map((child) => rssKb(child.pid!));
    now.forEach((kb, i) => (each[i] = Math.max(each[i], kb)));
    together = Math.max(
      together,
      now.reduce((a, b) => a + b, 0),
    );
  }, 100);
  return () => {
    clearInterval(timer);
    return { each, together };
  };
}

async function main(svc: Service, webPort: number, workerPort: number): Promise<boolean> {
  console.log(`Memory bench: the three roles, then the all-in-one process, ${seconds} s of load each, on ${svc.dbName} (shared machine: figures move)`);
  const built = spawnSync(process.execPath, [join(root, 'scripts/start.js'), 'migrate', '--build-worker', '--build-web', '--build-all-in-one'], { cwd: root, env: svc.env(), stdio: 'inherit' });
  if (built.status !== 0) throw new Error('build or migration failed');
  const ports = { WEB_PORT: String(webPort), WORKER_METRICS_PORT: String(workerPort) };
  const web = `http://127.0.0.1:${webPort}`;
  const roles = async (entries: string[]) => {
    const children = entries.map((entry) => svc.start(entry, ports));
    // Three processes starting at once on a shared machine can take a minute or more.
    await svc.healthy(svc.base, 180000);
    await svc.healthy(web, 180000, '/sign-in');
    return children;
  };

  let children = await roles([apiEntry, webEntry, workerEntry]);
  const s = await seed(svc.base);
  const cycles = await Promise.all(Array.from({ length: 4 }, () => s.inDelivering()));
  const people = [...s.writers.council, ...s.writers.icb, ...s.writers.charity, ...s.writers.forum].slice(0, 10);
  const cookies = await Promise.all(people.map((u) => webSignIn(web, u.email, 'bench-password-1')));
  const idle = children.map((child) => rssKb(child.pid!));
  let stopSampling = sampleRss(children);
  const three = await modestLoad(svc.base, web, s, cycles, cookies);
  const separate = stopSampling();
  for (const child of children) await stop(child);

  children = await roles([allInOneEntry]);
  const idleOne = rssKb(children[0].pid!);
  stopSampling = sampleRss(children);
  const one = await modestLoad(svc.base, web, s, cycles, cookies);
  const together = stopSampling();
  await stop(children[0]);

  const line = (what: string, value: number, target: number) => {
    console.log(`  ${what}: ${value} MB (target ≤ ${target}) ${value <= target ? 'PASS' : 'FAIL'}`);
    return value > target;
  };
  console.log(`  three processes, idle: api ${mb(idle[0])}, web ${mb(idle[1])}, worker ${mb(idle[2])} MB`);
  const [api, webPeak, worker] = separate.each.map(mb);
  console.log(
    `  three processes under load (${three.events} events, ${three.pages} pages, ${three.errors} errors${three.errors ? ` ${JSON.stringify(three.statuses)}` : ''}): peaks api ${api}, web ${webPeak}, worker ${worker} MB`,
  );
  console.log(`  all-in-one, idle: ${mb(idleOne)} MB; under load: ${one.events} events, ${one.pages} pages, ${one.errors} errors${one.errors ? ` ${JSON.stringify(one.statuses)}` : ''}`);
  const failed = [
    line('the three roles together, peak', mb(separate.together), 450),
    line('the all-in-one process, peak', mb(together.together), 300),
    three.errors + one.errors > 0 && (console.log(`  answers other than 200: ${three.errors + one.errors} (target 0) FAIL`), true),
  ].some(Boolean);
  await svc.cleanup();
  return failed;
}

Promise.all([freePort(), freePort(), freePort()]).then(([apiPort, webPort, workerPort]) => {
  const svc = new Service('memorybench', apiPort);
  runBench(svc, () => main(svc, webPort, workerPort));
});
