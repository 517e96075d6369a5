/** The worker app's module: no HTTP, the BullMQ workers and the one relay with every pass it runs. */
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, AppConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MilestonesModule } from '@app/milestones';
import { OutboxModule } from '@app/outbox';
import { AUDIT_QUEUE, MAIL_QUEUE, MILESTONE_QUEUE, QueueModule, RETENTION_QUEUE, WEBHOOK_QUEUE } from '@app/queue';
import { DataProtectionModule } from '@app/data-protection';
import { WorkerMetricsServer } from './metrics.server';
import { ReorganisationModule } from '@app/reorganisation';
import { WebhooksModule } from '@app/webhooks';
import { WebhookWorker } from './webhook.worker';
import { ActionReminderPass } from './action-reminder.pass';
import { AgreementReviewPass } from './agreement-review.pass';
import { HistoryAuditPass } from './history-audit.pass';
import { CyclesModule } from '@app/cycles';
import { AgreementsModule } from '@app/agreements';
import { NotificationsModule } from '@app/notifications';
import { MailWorker } from './mail.worker';
import { MilestoneWorker } from './milestone.worker';
import { OutboxRelay } from './outbox.relay';
import { Reconciler } from './reconciler.pass';
import { Relay } from './relay/relay';
import { Sweeper } from './sweeper.pass';
import { SignedCheckpointWorker } from './signed-checkpoint.worker';
import { RetentionWorker } from './retention.worker';

/**
 * The background role: no HTTP; the milestone worker, email, webhooks and the daily signed
 * checkpoint's BullMQ workers, and the one relay whose sources (the outbox, the mail and webhook
 * passes, the sweeper, the reconciler, action reminders, the agreements' review dates, the history
 * audit, the checkpoint's and the retention run's schedulers) each provider below registers.
 */
@Module({
  imports: [
    AppConfigModule,
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ pinoHttp: { level: config.logLevel } }),
    }),
    DatabaseModule,
    QueueModule,
    BullModule.registerQueue({ name: MILESTONE_QUEUE }, { name: MAIL_QUEUE }, { name: WEBHOOK_QUEUE }, { name: AUDIT_QUEUE }, { name: RETENTION_QUEUE }),
    MilestonesModule,
    OutboxModule,
    NotificationsModule,
    WebhooksModule,
    AgreementsModule,
    CyclesModule,
    DataProtectionModule,
    ReorganisationModule,
  ],
  providers: [
    Relay,
    MilestoneWorker,
    OutboxRelay,
    Reconciler,
    Sweeper,
    MailWorker,
    WebhookWorker,
    ActionReminderPass,
    AgreementReviewPass,
    HistoryAuditPass,
    SignedCheckpointWorker,
    RetentionWorker,
    WorkerMetricsServer,
  ],
})
export class WorkerModule {}
