import request from 'supertest';
import { WorkerMetricsServer } from '../../apps/worker/src/metrics.server';
import { Collaboration, Factory, TestApi, TestWorker, collaboration, createTestApi, createTestWorker, fastWorkerEnvironment, fromNow, waitFor } from '@test/support';
import { createWebApp } from '@test/support/test-web';

/** The value of one sample of the Prometheus text, or 0 when it is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',');
    if (wanted.every((w) => have.includes(w))) total += Number(match[3]);
  }
  return total;
}

/**
 * Every process's metrics on /metrics after a storm: HTTP by route template, events accepted and
 * refused, queues, the outbox, milestones' lateness, the pool, memory and the event loop.
 */
describe('metrics', () => {
  let api: TestApi;
  let worker: TestWorker;
  let factory: Factory;
  let c: Collaboration;

  beforeAll(async () => {
    fastWorkerEnvironment();
    api = await createTestApi();
    worker = await createTestWorker();
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  it('count a storm: requests by route, events by type and outcome, milestones and their jobs, with no id in any label', async () => {
    const before = (await request(api.http).get('/metrics').expect(200)).text;
    const ids = await Promise.all(Array.from({ length: 6 }, () => c.newCycle()));
    await Promise.all(ids.map((id) => c.councilUser.as.post(`/v1/cycles/${id}/events`, { type: 'LAUNCH' }).expect(200)));
    // Refused: launched already (422), and a provider may not close options (403).
    await c.councilUser.as.post(`/v1/cycles/${ids[0]}/events`, { type: 'LAUNCH' }).expect(422);
    await c.charityUser.as.post(`/v1/cycles/${ids[0]}/events`, { type: 'CLOSE_OPTIONS' }).expect(403);
    const due = fromNow(800);
    await Promise.all(ids.map((id) => c.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: due }).expect(201)));
    await waitFor(async () => (await Promise.all(ids.map(async (id) => (await c.councilUser.as.get(`/v1/cycles/${id}`)).body.state))).every((s) => s === 'escalated'), 20000, 'every milestone');

    const res = await request(api.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = res.text;
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('http_request_duration_seconds_count', { route: '/v1/cycles/:id/events', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(6);
    expect(moved('http_request_duration_seconds_count', { route: '/v1/cycles/:id/events', status: '422' })).toBeGreaterThanOrEqual(1);
    expect(moved('cocommission_cycle_events_total', { type: 'LAUNCH', outcome: 'accepted' })).toBeGreaterThanOrEqual(6);
    expect(moved('cocommission_cycle_events_total', { type: 'LAUNCH', outcome: 'refused' })).toBeGreaterThanOrEqual(1);
    expect(moved('cocommission_cycle_events_total', { type: 'CLOSE_OPTIONS', outcome: 'forbidden' })).toBeGreaterThanOrEqual(1);
    expect(moved('cocommission_cycle_events_total', { type: 'FRAMING_DUE', outcome: 'accepted' })).toBeGreaterThanOrEqual(6);
    expect(moved('cocommission_milestone_lateness_seconds_count')).toBeGreaterThanOrEqual(6);
    expect(sample(after, 'cocommission_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // Labels name route templates and types, never an id or an address.
    expect(after).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    expect(after).not.toMatch(/@/);
  });

  it('the worker serves its own on WORKER_METRICS_PORT: queue depths, the outbox lag and job durations', async () => {
    const port = worker.app.get(WorkerMetricsServer).port;
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^cocommission_queue_depth\{queue="milestones",state="waiting"\} \d+/m);
    expect(text).toMatch(/^cocommission_outbox_lag_seconds \d/m);
    // The storm's milestone jobs run at their due time (the sweep may have settled them first: they then find nothing to do).
    await waitFor(
      async () => sample(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'cocommission_job_duration_seconds_count', { queue: 'milestones', outcome: 'completed' }) > 0,
      15000,
      'a milestone job timed',
    );
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
  });

  it('the web app serves them too, its pages by route template', async () => {
    const { app, base } = await createWebApp();
    try {
      await fetch(`${base}/sign-in`);
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(sample(await res.text(), 'http_request_duration_seconds_count', { route: '/sign-in', method: 'GET', status: '200' })).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('with METRICS_TOKEN set, only its bearer reads them', async () => {
    const guarded = await createTestApi({ config: (config) => ({ ...config, metrics: { ...config.metrics, token: 'a-metrics-token-of-length', open: false } }) });
    try {
      await request(guarded.http).get('/metrics').expect(403);
      await request(guarded.http).get('/metrics').set('Authorization', 'Bearer not-the-token-at-all').expect(403);
      await request(guarded.http).get('/metrics').set('Authorization', 'Bearer a-metrics-token-of-length').expect(200);
    } finally {
      await guarded.close();
    }
  });
});
