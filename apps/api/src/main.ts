/** The API's process: builds the app, listens, and shuts down gracefully on a signal. */
import 'reflect-metadata';
import { exitGracefully, loadConfig, runMain } from '@app/config';
import { createApi } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApi(config);
  await app.listen(config.port, '0.0.0.0');
  exitGracefully(app, config.shutdownTimeoutMs, config.drainDelayMs);
}

runMain(main);
