/** The worker's process: starts the background role without HTTP and shuts down gracefully on a signal. */
import 'reflect-metadata';
import { exitGracefully, loadConfig, runMain } from '@app/config';
import { createWorker } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createWorker();
  // Workers finish their current jobs and close when the shutdown hooks run.
  exitGracefully(app, config.shutdownTimeoutMs);
}

runMain(main);
