import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, AppConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MilestonesModule } from '@app/milestones';
import { OutboxModule } from '@app/outbox';
import { MILESTONE_QUEUE, QueueModule } from '@app/queue';
import { MilestoneWorker } from './milestone.worker';
import { OutboxRelay } from './outbox.relay';
import { Reconciler } from './reconciler';
import { Sweeper } from './sweeper';

/** The background role: no HTTP; the milestone worker, the sweeper, the outbox relay and the reconciler. */
@Module({
  imports: [
    AppConfigModule,
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ pinoHttp: { level: config.logLevel } }),
    }),
    DatabaseModule,
    QueueModule,
    BullModule.registerQueue({ name: MILESTONE_QUEUE }),
    MilestonesModule,
    OutboxModule,
  ],
  providers: [MilestoneWorker, OutboxRelay, Reconciler, Sweeper],
})
export class WorkerModule {}
