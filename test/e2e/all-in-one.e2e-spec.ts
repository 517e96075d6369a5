import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { dropDatabase, migrate } from '@app/database';
import { Factory, collaboration, fastWorkerEnvironment, freePort, fromNow, waitFor } from '@test/support';

/**
 * The all-in-one process as `npm start -- --all-in-one` starts it (scripts/start.js: built if its
 * sources changed, migrated, then run from dist/): its API, web app and worker answer on their
 * own ports, the worker applies a milestone the API scheduled, and SIGTERM drains the HTTP roles
 * (readiness 503) and then stops all three, exit code 0. From the build, not ts-node: three apps
 * from TypeScript took over four minutes to start on a shared machine. This file has a database
 * and a queue prefix of its own, so that no other test's worker takes its jobs.
 */
describe('the all-in-one process', () => {
  const root = join(__dirname, '../..');
  let databaseUrl: string;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let api: string;
  let web: string;
  let worker: string;

  beforeAll(async () => {
    fastWorkerEnvironment();
    databaseUrl = `${process.env.MIGRATION_DATABASE_URL}_aio`;
    const appUrl = `${process.env.DATABASE_URL}_aio`;
    await migrate(databaseUrl, { appUrl });
    const [apiPort, webPort, workerPort] = [await freePort(), await freePort(), await freePort()];
    [api, web, worker] = [apiPort, webPort, workerPort].map((port) => `http://127.0.0.1:${port}`);
    child = spawn(process.execPath, ['scripts/start.js', '--all-in-one'], {
      cwd: root,
      env: {
        ...process.env,
        MIGRATION_DATABASE_URL: databaseUrl,
        DATABASE_URL: appUrl,
        QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_aio`,
        PORT: String(apiPort),
        WEB_PORT: String(webPort),
        WORKER_METRICS_PORT: String(workerPort),
        DRAIN_DELAY_MS: '1500',
        LOG_LEVEL: 'silent',
      },
      // What it prints (building, migrating) is left out; its errors are not.
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // Building the API and the all-in-one process when their sources changed takes ~5 minutes on a slow machine, starting ~30 s.
    const answers = async (url: string) => (await fetch(url).catch(() => undefined))?.status === 200;
    await waitFor(async () => (await answers(`${api}/health/ready`)) && (await answers(`${web}/health/ready`)) && answers(`${worker}/health/live`), 540000, 'the three roles to answer');
  }, 600000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await dropDatabase(databaseUrl);
  });

  it('answers as the API, the web app and the worker, and the worker applies a milestone', async () => {
    expect((await request(api).get('/health').expect(200)).body).toMatchObject({ status: 'ok' });
    const signIn = await request(web).get('/sign-in').expect(200);
    expect(signIn.text).toContain('Sign in');
    expect((await request(worker).get('/health/live').expect(200)).body).toEqual({ status: 'ok' });

    const c = await collaboration(await Factory.create(api));
    const id = await c.newCycle();
    await c.councilUser.as.post(`/v1/cycles/${id}/events`, { type: 'LAUNCH' }).expect(200);
    await c.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: fromNow(500) }).expect(201);
    const pg = new Client({ connectionString: databaseUrl });
    await pg.connect();
    try {
      const fired = async () => (await pg.query(`SELECT status FROM milestones WHERE cycle_id = $1`, [id])).rows[0]?.status === 'fired';
      await waitFor(fired, 30000, 'the worker to apply the milestone');
    } finally {
      await pg.end();
    }
    await c.councilUser.as
      .get(`/v1/cycles/${id}`)
      .expect(200)
      .expect((res) => expect(res.body.state).toBe('escalated'));
  }, 60000);

  it('on SIGTERM drains its API and web app (not ready, still live), then stops all three, exit 0', async () => {
    child.kill('SIGTERM');
    await waitFor(async () => (await fetch(`${api}/health/ready`)).status === 503, 1000, 'the API to say it is not ready');
    expect((await fetch(`${web}/health/ready`)).status).toBe(503);
    expect((await fetch(`${api}/health/live`)).status).toBe(200);
    expect(await exited).toBe(0);
    await expect(fetch(`${web}/health/live`)).rejects.toThrow();
    await expect(fetch(`${worker}/health/live`)).rejects.toThrow();
  }, 30000);
});
