import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { lifecycle } from '@app/config';
import { TestApi, createTestApi, freePort, waitFor } from '@test/support';
import { createWebApp } from '@test/support/test-web';

/**
 * Liveness and readiness apart from /health: a load balancer takes a process out when ready
 * answers 503, which it does from SIGTERM on while the process still serves what it holds.
 */
describe('/health/live and /health/ready', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(async () => {
    lifecycle.draining = false;
    await api.close();
  });

  it('the API answers live and ready without a token, and ready says what it checked', async () => {
    expect((await request(api.http).get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await request(api.http).get('/health/ready').expect(200)).body).toEqual({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('the web app answers them too, never cached', async () => {
    const { app, base } = await createWebApp();
    try {
      const live = await fetch(`${base}/health/live`);
      expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.headers.get('cache-control')).toBe('no-store');
      expect(await ready.json()).toMatchObject({ status: 'ok' });
      // Draining (as after SIGTERM): not ready, still live.
      lifecycle.draining = true;
      expect((await fetch(`${base}/health/ready`)).status).toBe(503);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
    } finally {
      lifecycle.draining = false;
      await app.close();
    }
  });

  it('after SIGTERM a real API process answers ready 503 (and live 200, and its other routes) for DRAIN_DELAY_MS, then exits 0', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts'], {
      cwd: join(__dirname, '../..'),
      env: { ...process.env, TS_NODE_SWC: 'true', PORT: String(port), DRAIN_DELAY_MS: '3000', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    const status = (path: string) =>
      fetch(`${base}${path}`).then(
        (r) => r.status,
        () => 0,
      );
    try {
      await waitFor(async () => (await status('/health/ready')) === 200, 60000, 'the API to be ready');
      child.kill('SIGTERM');
      await waitFor(async () => (await status('/health/ready')) === 503, 2000, 'ready to answer 503');
      expect(await status('/health/live')).toBe(200);
      expect(await status('/health')).toBe(200);
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90000);
});
