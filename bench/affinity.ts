/**
 * A slow machine made of this one (BENCH_TASKSET): the API on one core, PostgreSQL on the other,
 * with `taskset`; and CPU counted per process, so that what the API spends an event can be set
 * against what PostgreSQL and pgbench spend a transaction whatever else the cores are doing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { Client } from 'pg';

/** CPU seconds (user + system, every thread) a process has used so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The postmaster's pid, from its data directory's postmaster.pid (its backends are its children). */
export async function postmasterPid(pg: Client): Promise<number> {
  const dir = (await pg.query(`SELECT current_setting('data_directory') AS dir`)).rows[0].dir as string;
  return Number(readFileSync(`${dir}/postmaster.pid`, 'utf8').split('\n')[0]);
}

const childrenOf = (parent: number): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          Number(
            readFileSync(`/proc/${pid}/stat`, 'utf8')
              .replace(/^.*\) /, '')
              .split(' ')[1],
          ) === parent
        );
      } catch {
        return false;
      }
    });

/** Every core of the machine, as taskset writes them. */
export const ALL_CORES = `0-${cpus().length - 1}`;

/** Pins a process and all its threads to `cores` (a taskset list); one already gone is let be. */
function pin(pid: number, cores: string): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
  } catch {
    // gone since it was listed (a backend that disconnected)
  }
}

/**
 * Pins the API to core 0 and PostgreSQL (its postmaster, so every backend started from now on,
 * and every process it has) and the bench's own process (the load generator) to core 1, until
 * `restore`, which gives every one of them all the cores again; it runs on the bench's exit too,
 * whatever ends it.
 */
export function pinWritePath(apiPid: number, postmaster: number): { restore: () => void } {
  const pinPostgres = (cores: string) => [postmaster, ...childrenOf(postmaster)].forEach((pid) => pin(pid, cores));
  pin(apiPid, API_CORE);
  pinPostgres(POSTGRES_CORE);
  pin(process.pid, POSTGRES_CORE);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    pinPostgres(ALL_CORES);
    pin(apiPid, ALL_CORES);
    pin(process.pid, ALL_CORES);
  };
  process.once('exit', restore);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      restore();
      process.exit(130);
    });
  return { restore };
}
/** Where the API (and pgbench, the reference's client in the API's place) runs when pinned. */
export const API_CORE = '0';
/** Where PostgreSQL and the load generator run when pinned. */
export const POSTGRES_CORE = '1';

/**
 * The CPU of the PostgreSQL backends of one database while it runs: each backend's CPU as last
 * seen, sampled every 100 ms (a backend that exits takes its last 100 ms with it: under 1% of a
 * 20 s run), less what those alive at the start had used by then. The bench's own connection is
 * left out, and so are the server's shared processes (WAL writer, checkpointer), which every
 * database on the server uses.
 */
export async function backendCpu(pg: Client, database: string): Promise<{ stop: () => Promise<number> }> {
  const backends = async () =>
    (await pg.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`, [database])).rows.map((r) => Number(r.pid));
  const baseline = new Map((await backends()).map((pid) => [pid, cpuSeconds(pid)]));
  const seen = new Map(baseline);
  const sample = () => {
    for (const pid of seen.keys()) {
      const used = cpuSeconds(pid);
      if (used) seen.set(pid, used);
    }
  };
  const sampler = setInterval(sample, 100);
  let listing = Promise.resolve();
  const lister = setInterval(() => {
    listing = backends().then((pids) => pids.forEach((pid) => seen.has(pid) || seen.set(pid, cpuSeconds(pid))));
  }, 1000);
  return {
    stop: async () => {
      clearInterval(lister);
      await listing;
      clearInterval(sampler);
      sample();
      return [...seen].reduce((sum, [pid, used]) => sum + used - (baseline.get(pid) ?? 0), 0);
    },
  };
}

/**
 * pgbench run to its end, with the CPU it used itself (its threads, from the shell's `times`),
 * pinned to `cores` when given.
 */
export async function pgbench(args: string[], cores?: string): Promise<{ output: string; cpuSeconds: number }> {
  const command = [...(cores ? ['taskset', '-c', cores] : []), 'pgbench', ...args].map((a) => `'${a}'`).join(' ');
  // Not execFileSync: the bench's event loop samples PostgreSQL's backends meanwhile.
  const { stdout: output } = await promisify(execFile)('bash', ['-c', `${command} && times`]);
  // `times` prints the shell's own user and system time, then its children's: the last line.
  const children = output.trim().split('\n').at(-1)!;
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, m, s]) => sum + Number(m) * 60 + Number(s), 0);
  return { output, cpuSeconds: seconds };
}
