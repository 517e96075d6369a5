/** Webhook deliveries in the background: pending ones become jobs, posted with retries and per-host limits. */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DelayedError, Job, Queue, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { deliveries } from '@app/http';
import { WEBHOOK_JOB, WEBHOOK_QUEUE, WebhookJobData, webhookJobId } from '@app/queue';
import { WebhooksService } from '@app/webhooks';
import { backgroundWorker, retriedJob } from './background-queue';
import { Relay } from './relay/relay';

/**
 * Webhook deliveries in the background: the relay's webhook source (every 5 RELAY_INTERVAL_MS)
 * turns pending deliveries (written with their events) into jobs with fixed ids; the worker posts them, retried with backoff over about a day
 * (WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF_MS); one over its destination host's allowance
 * (WEBHOOK_HOST_RATE per WEBHOOK_HOST_WINDOW_SECONDS) waits, delayed, and is tried later. A Redis
 * flush loses nothing: the next pass adds the pending ones again.
 */
@Injectable()
export class WebhookWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookWorker');
  private worker?: Worker;

  constructor(
    private readonly relays: Relay,
    private readonly webhooks: WebhooksService,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.relays.register({ name: 'The webhook pass', everyMs: this.config.worker.relayIntervalMs * 5, pass: () => this.relay().then(() => undefined) });
    this.worker = backgroundWorker(
      WEBHOOK_QUEUE,
      async (job: Job<WebhookJobData>, token?: string) => {
        const outcome = await this.webhooks.deliver(job.data.deliveryId, job.attemptsMade + 1, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
        if (typeof outcome === 'string') return outcome;
        // Over its destination host's allowance: back in the queue for later, without using up a try.
        await job.moveToDelayed(outcome.retryAt, token);
        throw new DelayedError();
      },
      this.config,
      this.logger,
    );
    this.worker.on('completed', (_job, outcome) => {
      if (outcome === 'delivered') deliveries.inc({ channel: 'webhook', outcome: 'sent' });
    });
    this.worker.on('failed', (job, error) => {
      // Held back by its host's allowance is not a try (DelayedError).
      if (!job || error instanceof DelayedError) return;
      deliveries.inc({ channel: 'webhook', outcome: job.attemptsMade >= (job.opts.attempts ?? 1) ? 'failed' : 'retried' });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  /** One pass: pending deliveries become jobs (one already there is not added twice). */
  async relay(): Promise<number> {
    const ids = await this.webhooks.pending();
    if (!ids.length) return 0;
    const { attempts, backoffMs } = this.config.webhooks;
    await this.queue.addBulk(
      ids.map((deliveryId) => ({
        name: WEBHOOK_JOB,
        data: { deliveryId },
        opts: retriedJob(webhookJobId({ deliveryId }), attempts, backoffMs),
      })),
    );
    return ids.length;
  }
}
