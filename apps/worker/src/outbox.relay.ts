/** The outbox's pass of the relay: outbox rows become BullMQ jobs with fixed ids, deleted once Redis has them. */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { MilestoneJobsService } from '@app/milestones';
import { OutboxService } from '@app/outbox';
import { FireJobData, JOB, MILESTONE_QUEUE, OutboxMessage, RemindJobData, SucceedJobData, fireJobId, remindJobId, succeedJobId } from '@app/queue';
import { Relay } from './relay/relay';

const BATCH = 500;

/**
 * The job a schedule message asks for, with its fixed id and the delay left until it is due. A
 * fire job waits a grace period past the milestone's time: the sweeper settles milestones as they
 * come due, and the job is the durable backstop (retries, incidents) that then finds it settled
 * rather than competing with the sweep.
 */
export function jobOf(
  message: Extract<OutboxMessage, { topic: 'schedule' }>['payload'],
  { attempts, backoffMs, fireGraceMs }: Pick<AppConfig['worker'], 'attempts' | 'backoffMs' | 'fireGraceMs'>,
  now: Date,
) {
  const fire = message.name === JOB.fire;
  const jobId = fire ? fireJobId(message.data as FireJobData) : message.name === JOB.succeed ? succeedJobId(message.data as SucceedJobData) : remindJobId(message.data as RemindJobData);
  return {
    name: message.name,
    data: message.data,
    opts: {
      jobId,
      delay: Math.max(0, new Date(message.runAt).getTime() + (fire ? fireGraceMs : 0) - now.getTime()),
      attempts,
      backoff: { type: 'exponential' as const, delay: backoffMs },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  };
}

/**
 * The outbox's source for the relay, every RELAY_INTERVAL_MS: outbox rows become BullMQ jobs.
 * Rows are claimed in a transaction (SKIP LOCKED, so several workers share the work) and deleted
 * only once Redis has the jobs: a crash in between leaves the rows for the next pass, and the
 * fixed job ids make the second add a no-op.
 */
@Injectable()
export class OutboxRelay implements OnModuleInit {
  constructor(
    private readonly relay: Relay,
    private readonly jobs: MilestoneJobsService,
    private readonly outbox: OutboxService,
    @InjectQueue(MILESTONE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.relay.register({ name: 'The outbox relay', pass: () => this.drain().then(() => undefined) });
  }

  /** Relays until the outbox is empty; returns how many messages went to Redis. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const relayed = await this.outbox.relay(BATCH, (messages) => this.deliver(messages));
      total += relayed;
      if (relayed < BATCH) return total;
    }
  }

  private async deliver(messages: OutboxMessage[]): Promise<void> {
    const now = this.jobs.now();
    const adds = messages.flatMap((m) => (m.topic === 'schedule' ? [jobOf(m.payload, this.config.worker, now)] : []));
    const removals = messages.flatMap((m) => (m.topic === 'unschedule' ? m.payload.jobIds : []));
    for (const jobId of removals) {
      // A job running right now cannot be removed; its handler finds the revision moved on.
      await this.queue.remove(jobId).catch(() => undefined);
    }
    if (adds.length) await this.queue.addBulk(adds);
  }
}
