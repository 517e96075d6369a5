/** Email in the background: new notifications routed and sent by jobs, and the daily digests scheduled. */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { ENGLAND } from '@app/domain';
import { deliveries } from '@app/http';
import { NotificationMailService } from '@app/notifications';
import { DigestJobData, EmailJobData, MAIL_JOB, MAIL_QUEUE, MailJobName, digestJobId, emailJobId } from '@app/queue';
import { backgroundWorker, retriedJob } from './background-queue';
import { Relay } from './relay/relay';

/**
 * Email in the background: the relay's mail source (every 5 RELAY_INTERVAL_MS) routes new
 * notifications (now, the digest, or not at all) and adds one job per email with a fixed id; the
 * mail worker sends them; a BullMQ job scheduler
 * runs the digests at 08:00 in England (skipping weekends and bank holidays).
 */
@Injectable()
export class MailWorker implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MailWorker');
  private worker?: Worker;

  private readonly handlers: { [N in MailJobName]: (job: Job) => Promise<unknown> } = {
    [MAIL_JOB.email]: (job) => this.mail.send((job.data as EmailJobData).notificationId, job.attemptsMade + 1),
    [MAIL_JOB.digest]: (job) => this.mail.sendDigest((job.data as DigestJobData).userId, job.attemptsMade + 1),
    [MAIL_JOB.digestRun]: () => this.startDigests(),
  };

  constructor(
    private readonly relays: Relay,
    private readonly mail: NotificationMailService,
    @InjectQueue(MAIL_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.relays.register({ name: 'The mail pass', everyMs: this.config.worker.relayIntervalMs * 5, pass: () => this.relay().then(() => undefined) });
    this.worker = backgroundWorker(MAIL_QUEUE, (job) => this.handle(job), this.config, this.logger);
    this.worker.on('completed', (job, outcome) => {
      if (job.name === MAIL_JOB.email && outcome === 'sent') deliveries.inc({ channel: 'email', outcome: 'sent' });
    });
    this.worker.on('failed', (job, error) => {
      if (job?.name !== MAIL_JOB.email) return;
      const last = job.attemptsMade >= (job.opts.attempts ?? 1);
      deliveries.inc({ channel: 'email', outcome: last ? 'failed' : 'retried' });
      if (last) void this.mail.giveUp((job.data as EmailJobData).notificationId, job.attemptsMade, error.message).catch(() => undefined);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // The 08:00 run is a scheduler in Redis (upserted at each start, so a flush loses it only until then).
    await this.queue
      .upsertJobScheduler('daily-digest', { pattern: '0 8 * * *', tz: ENGLAND }, { name: MAIL_JOB.digestRun, opts: { removeOnComplete: true, removeOnFail: { age: 86400 } } })
      .catch((error: Error) => this.logger.warn(`Could not schedule the daily digest: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  /** One pass: the notifications to email now become jobs (a job already there is not added twice). */
  async relay(): Promise<number> {
    const ids = await this.mail.route();
    if (!ids.length) return 0;
    await this.queue.addBulk(
      ids.map((notificationId) => ({
        name: MAIL_JOB.email,
        data: { notificationId },
        opts: this.jobOptions(emailJobId({ notificationId })),
      })),
    );
    return ids.length;
  }

  /** The digests due now (none on a weekend or bank holiday), one job per person and day. */
  async startDigests(): Promise<number> {
    const due = await this.mail.digestsDue();
    await this.queue.addBulk(due.map((data) => ({ name: MAIL_JOB.digest, data, opts: this.jobOptions(digestJobId(data)) })));
    return due.length;
  }

  private jobOptions(jobId: string) {
    // By default 12 tries from 30 s, exponential: over about a day (MAIL_ATTEMPTS, MAIL_BACKOFF_MS).
    return retriedJob(jobId, this.config.worker.mailAttempts, this.config.worker.mailBackoffMs);
  }

  private handle(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as MailJobName];
    if (!handler) throw new Error(`No handler for mail job "${job.name}"`);
    return handler(job);
  }
}
