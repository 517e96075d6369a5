import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { APP_CONFIG, type AppConfig, CLOCK, clockOf, loadConfig } from '@app/config';
import type { Clock } from '@app/domain';
import { AppModule } from '../../apps/api/src/app.module';
import { apiAdapter, configureApp } from '../../apps/api/src/bootstrap';

export interface TestApi {
  app: NestFastifyApplication;
  http: App;
  close(): Promise<void>;
}

/**
 * The real API module, wired exactly as main.ts wires it, on the run's own database; with
 * `clock` (a ManualClock), its services read the time from that instead (tokens and Redis keep
 * the wall clock); with `config`, its configuration changed (the run's own as the base).
 */
export async function createTestApi(options: { clock?: Clock; config?: (config: AppConfig) => AppConfig } = {}): Promise<TestApi> {
  const config = options.config ? options.config(loadConfig()) : loadConfig();
  const builder = Test.createTestingModule({ imports: [AppModule] });
  if (options.clock) builder.overrideProvider(CLOCK).useValue(options.clock);
  if (options.config) builder.overrideProvider(APP_CONFIG).useValue(config);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(apiAdapter(config), { bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  await app.init();
  // Fastify answers once its plugins have loaded (supertest calls its server directly).
  await app.getHttpAdapter().getInstance().ready();
  return { app, http: app.getHttpServer(), close: () => app.close() };
}

/** The clock the services of this run read (moved to TEST_CLOCK_START by `npm run test:calendar`). */
export function testClock(): Clock {
  return clockOf(loadConfig());
}

/** An ISO instant `ms` from the run's now (negative: in the past). */
export const fromNow = (ms: number): string => new Date(testClock().now().getTime() + ms).toISOString();

export type Agent = ReturnType<typeof agent>;

/** supertest with a bearer token (or none). */
export function agent(http: App, token?: string) {
  const auth = (r: request.Test) => (token ? r.set('Authorization', `Bearer ${token}`) : r);
  return {
    token,
    get: (url: string) => auth(request(http).get(url)),
    post: (url: string, body?: object) => auth(request(http).post(url)).send(body),
    put: (url: string, body?: object) => auth(request(http).put(url)).send(body),
    patch: (url: string, body?: object) => auth(request(http).patch(url)).send(body),
    delete: (url: string) => auth(request(http).delete(url)),
  };
}
