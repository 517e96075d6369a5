/**
 * The all-in-one process, for the smallest installs: the API, the web app and the worker (or the
 * roles its command line names), each its own Nest application on its own port as configured,
 * in one Node process that loads the libraries' code once. One signal drains and closes them all.
 */
import 'reflect-metadata';
import { AppConfig, exitGracefully, loadConfig, runMain } from '@app/config';
import { createApi } from '../../api/src/bootstrap';
import { createWeb } from '../../web/src/bootstrap';
import { createWorker } from '../../worker/src/bootstrap';
import { Role, parseRoles } from './roles';

/** Each role started as its own process would start it; what `close()` ends. */
const starts: Record<Role, (config: AppConfig) => Promise<{ close(): Promise<void> }>> = {
  api: async (config) => {
    const app = await createApi(config);
    await app.listen(config.port, '0.0.0.0');
    return app;
  },
  web: async (config) => {
    const app = await createWeb(config);
    await app.listen(config.web.port, '0.0.0.0');
    return app;
  },
  // No HTTP of its own: its metrics port (WORKER_METRICS_PORT) answers its liveness, as in its own process.
  worker: () => createWorker(),
};

async function main(): Promise<void> {
  const roles = parseRoles(process.argv.slice(2));
  const config = loadConfig();
  const apps: { close(): Promise<void> }[] = [];
  // One after another: three applications booting at once only raise the peak of memory.
  for (const role of roles) apps.push(await starts[role](config));
  // The HTTP roles drain first (readiness 503 for drainDelayMs) as their own processes do; then all
  // close together, the worker finishing the jobs it holds.
  const drainDelayMs = roles.some((role) => role !== 'worker') ? config.drainDelayMs : 0;
  exitGracefully({ close: async () => void (await Promise.all(apps.map((app) => app.close()))) }, config.shutdownTimeoutMs, drainDelayMs);
}

runMain(main);
