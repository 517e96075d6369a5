/*
 * npm run bench:ocds: the partnership OCDS export in constant memory, measured on the API as it
 * runs. It builds the API if needed and starts it (with the product's Node flags,
 * scripts/node-flags.json) on a database and queue prefix of its own, builds a partnership whose
 * first cycle is walked to delivery over HTTP (pledges, an option, a decision) and copies it to
 * BENCH_OCDS_CYCLES cycles (1,000 by default) with SQL, then downloads
 * GET /v1/partnerships/:id/ocds (reading and dropping each chunk) while sampling the API process's
 * resident memory (VmRSS in /proc). It prints the growth over the RSS before the download, with
 * PASS (under BENCH_OCDS_MAX_MB, 50 by default) or FAIL, checks the document against the official
 * OCDS schemas (outside the measurement), and drops what it made.
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { Factory, collaboration, cycleSteps } from '../test/support/factories';
import { cloneCycles, codelistProblems, releasePackageValidator } from '../test/support/ocds';
import { Service, apiEntry, root, rssKb, sleep, runBench } from './harness';

const cycles = Number(process.env.BENCH_OCDS_CYCLES ?? 1000);
const maxMb = Number(process.env.BENCH_OCDS_MAX_MB ?? 50);
const svc = new Service('ocdsbench', Number(process.env.BENCH_PORT ?? 3960));

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/** Downloads `path`, keeping nothing but its length, while sampling `pid`'s RSS: the peak and the length. */
function download(path: string, token: string, pid: number): Promise<{ bytes: number; peakKb: number; status: number }> {
  return new Promise((resolve, reject) => {
    let peakKb = rssKb(pid);
    const sample = setInterval(() => (peakKb = Math.max(peakKb, rssKb(pid))), 5);
    const req = request({ host: '127.0.0.1', port: svc.port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        clearInterval(sample);
        resolve({ bytes, peakKb: Math.max(peakKb, rssKb(pid)), status: res.statusCode ?? 0 });
      });
      res.on('error', reject);
    });
    req.on('error', (error) => {
      clearInterval(sample);
      reject(error);
    });
    req.end();
  });
}

async function main(): Promise<boolean> {
  console.log(`OCDS export bench: a partnership of ${cycles} cycles, on ${svc.dbName}`);
  // Build the API if its sources changed, create the database and migrate it (no worker needed).
  // The admin's development credentials, as the service's processes read them (Service.env).
  process.env.NODE_ENV ??= 'development';
  const prepared = spawnSync(process.execPath, [join(root, 'scripts/start.js'), 'migrate'], { cwd: root, env: svc.env(), stdio: 'inherit' });
  if (prepared.status !== 0) throw new Error('build or migration failed');
  const api = svc.start(apiEntry);
  await svc.healthy();
  const pg = new Client({ connectionString: svc.databaseUrl });
  await pg.connect();
  let failed = false;
  try {
    const factory = await Factory.create(svc.base);
    const c = await collaboration(factory);
    const steps = cycleSteps(c);
    const source = await c.newCycle({ title: 'Staying well at home this winter' });
    await steps.ok(c.councilUser.as, source, { type: 'PLEDGE', kind: 'cash', amountPence: 4_000_000, description: 'Prevention budget' });
    await steps.ok(c.charityUser.as, source, { type: 'PLEDGE', kind: 'in_kind', description: '120 trained volunteers' });
    await steps.toDelivering(source);
    await cloneCycles(pg, source, cycles - 1);
    const path = `/v1/partnerships/${c.partnershipId}/ocds`;

    // A small export first, so that what is loaded once (code, prepared statements) is not counted.
    const small = await collaboration(factory);
    await small.newCycle();
    await download(`/v1/partnerships/${small.partnershipId}/ocds`, small.councilUser.as.token!, api.pid!);

    for (const run of ['first', 'second']) {
      await sleep(500); // the API settles (its timers, a collection) before the baseline
      const beforeKb = rssKb(api.pid!);
      const { bytes, peakKb, status } = await download(path, c.councilUser.as.token!, api.pid!);
      if (status !== 200) throw new Error(`the export answered ${status}`);
      const growth = mb(peakKb - beforeKb);
      const pass = growth < maxMb;
      failed ||= !pass;
      console.log(
        `  ${`${run} export: ${cycles} releases, ${mb(bytes / 1024)} MB of JSON`.padEnd(52)} API RSS ${mb(beforeKb)} → peak ${mb(peakKb)} MB: growth ${growth} MB (< ${maxMb} MB) ${pass ? 'PASS' : 'FAIL'}`,
      );
    }

    // Outside the measurement: the whole document, parsed and checked against the standard.
    const res = await c.councilUser.as.get(path);
    const pkg = JSON.parse(res.text);
    const errors = releasePackageValidator()(pkg);
    const codes = codelistProblems(pkg);
    const valid = res.status === 200 && pkg.releases.length === cycles && errors.length === 0 && codes.length === 0;
    failed ||= !valid;
    console.log(`  ${'valid OCDS 1.1 release package'.padEnd(52)} ${pkg.releases.length} releases, ${errors.length} schema errors, ${codes.length} codelist problems ${valid ? 'PASS' : 'FAIL'}`);
  } finally {
    await pg.end();
    await svc.cleanup();
  }
  return failed;
}

runBench(svc, main);
