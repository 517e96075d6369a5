/** The web app's process: builds the app, listens, and shuts down gracefully on a signal. */
import 'reflect-metadata';
import { exitGracefully, loadConfig, runMain } from '@app/config';
import { createWeb } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createWeb(config);
  await app.listen(config.web.port, '0.0.0.0');
  exitGracefully(app, config.shutdownTimeoutMs, config.drainDelayMs);
}

runMain(main);
