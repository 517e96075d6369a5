/** The worker's process: starts the background role without HTTP and shuts down gracefully on a signal. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitGracefully, loadConfig, runMain } from '@app/config';
import { NotificationMailService } from '@app/notifications';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.init();
  // Workers finish their current jobs and close when the shutdown hooks run.
  exitGracefully(app, config.shutdownTimeoutMs);
  const mail = app.get(NotificationMailService).target;
  app.get(Logger).log(`Worker ready; email ${mail ? `goes through ${mail}` : 'is off (SMTP_URL is unset)'}`);
}

runMain(main);
