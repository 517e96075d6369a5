/**
 * The processes' metrics in Prometheus's text format (prom-client), served on `/metrics` by the
 * API, the web app and the worker (docs/operations.md names the families). One registry per
 * process; labels carry route templates, types and outcomes, never ids or personal data.
 */
import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
// The process's memory, CPU, handles and event-loop delay (nodejs_eventloop_lag_seconds and its percentiles).
collectDefaultMetrics({ register: metricsRegistry });

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by method, route template and status, with their latency',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: SECONDS,
  registers: [metricsRegistry],
});

export const cycleEvents = new Counter({
  name: 'cocommission_cycle_events_total',
  help: "Cycles' events decided, by type and outcome (accepted, forbidden, refused, moot, conflict)",
  labelNames: ['type', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const deliveries = new Counter({
  name: 'cocommission_deliveries_total',
  help: 'Emails and webhook deliveries, by channel (email, webhook) and outcome (sent, retried, failed)',
  labelNames: ['channel', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const jobDuration = new Histogram({
  name: 'cocommission_job_duration_seconds',
  help: 'Background jobs by queue and outcome (completed, failed), with how long each took',
  labelNames: ['queue', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const milestoneLateness = new Histogram({
  name: 'cocommission_milestone_lateness_seconds',
  help: 'How long after its due time each milestone was applied',
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
  registers: [metricsRegistry],
});

type Sample = { labels?: Record<string, string>; value: number };
/**
 * A gauge read when scraped, from sources the process adds (a worker its queues, every process its
 * database pool): `watch` answers the function that removes the source (an app closing).
 */
function gaugeFrom(name: string, help: string, labelNames: string[]) {
  const sources = new Set<() => Promise<Sample[]> | Sample[]>();
  new Gauge({
    name,
    help,
    labelNames,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      const samples = (await Promise.all([...sources].map((source) => Promise.resolve(source()).catch(() => [] as Sample[])))).flat();
      const totals = new Map<string, Sample>();
      for (const sample of samples) {
        const key = JSON.stringify(sample.labels ?? {});
        totals.set(key, { labels: sample.labels, value: (totals.get(key)?.value ?? 0) + sample.value });
      }
      for (const { labels, value } of totals.values()) {
        if (labels) this.set(labels, value);
        else this.set(value);
      }
    },
  });
  return (source: () => Promise<Sample[]> | Sample[]) => {
    sources.add(source);
    return () => void sources.delete(source);
  };
}

/** Jobs in each queue by state (waiting, active, delayed, failed). */
export const watchQueueDepth = gaugeFrom('cocommission_queue_depth', 'Jobs in each background queue, by state', ['queue', 'state']);
/** The age of the oldest outbox row not yet relayed to Redis (0 when none waits). */
export const watchOutboxLag = gaugeFrom('cocommission_outbox_lag_seconds', 'Age of the oldest outbox row not yet put in Redis', []);
/** The database pool's connections: total, idle and waiting requests. */
export const watchDatabasePool = gaugeFrom('cocommission_db_pool_connections', "The database pool's connections, by state (total, idle, waiting)", ['state']);

/** What `/metrics` answers: the content type and the text. */
export async function scrape(): Promise<{ contentType: string; text: string }> {
  return { contentType: metricsRegistry.contentType, text: await metricsRegistry.metrics() };
}

/**
 * Whether a scrape may read the metrics: the bearer METRICS_TOKEN when one is set; without one,
 * anyone outside production and no one in it (they say how the service is used: fail closed).
 */
export function mayScrape(metrics: { token: string | null; open: boolean }, authorization: string | undefined): boolean {
  if (!metrics.token) return metrics.open;
  const given = Buffer.from(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(metrics.token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A counter's value for these labels, in this process (0 when never counted): for tests and the bench. */
export async function counted(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((sum, v) => sum + v.value, 0);
}
