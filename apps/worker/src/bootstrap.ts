/** Building the worker around its module (no HTTP), for main.ts and the all-in-one process alike. */
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { NotificationMailService } from '@app/notifications';
import { WorkerModule } from './worker.module';

/** The background role started: its workers and relay running, and said so in the log. */
export async function createWorker(): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.init();
  const mail = app.get(NotificationMailService).target;
  app.get(Logger).log(`Worker ready; email ${mail ? `goes through ${mail}` : 'is off (SMTP_URL is unset)'}`);
  return app;
}
