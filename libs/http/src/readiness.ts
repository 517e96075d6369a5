/**
 * What a load balancer asks of the API and the web app: `/health/live` (the process answers) and
 * `/health/ready` (PostgreSQL and Redis answer, and the process is not draining after SIGTERM).
 */
import { lifecycle } from '@app/config';

export interface ReadinessProbes {
  database: { query(sql: string): Promise<unknown> };
  redis: { ping(): Promise<string> };
}

type Check = { status: 'up' } | { status: 'down'; message: string };
export interface Readiness {
  ready: boolean;
  body: { status: 'ok' | 'draining' | 'error'; info: { database: Check; redis: Check } };
}

const within = async (work: Promise<unknown>, ms: number): Promise<Check> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms`)), ms)))]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', message: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
};

/** Whether this process should be sent requests: 503 while draining, or when PostgreSQL or Redis does not answer. */
export async function readinessOf(probes: ReadinessProbes, timeoutMs = 1500): Promise<Readiness> {
  const [database, redis] = await Promise.all([within(probes.database.query('SELECT 1'), timeoutMs), within(probes.redis.ping(), timeoutMs)]);
  const up = database.status === 'up' && redis.status === 'up';
  const status = lifecycle.draining ? 'draining' : up ? 'ok' : 'error';
  return { ready: status === 'ok', body: { status, info: { database, redis } } };
}
