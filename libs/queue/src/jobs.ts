/** The milestone queue: its name, its jobs, their payloads and their fixed ids. */
export const MILESTONE_QUEUE = 'milestones';

export const JOB = { fire: 'fire', remind: 'remind', succeed: 'succeed' } as const;
export type JobName = (typeof JOB)[keyof typeof JOB];

export interface FireJobData {
  milestoneId: string;
  revision: number;
}

export interface RemindJobData {
  milestoneId: string;
  revision: number;
  days: number;
}

/** Fixed ids: adding the same job twice adds it once. A moved milestone has a new revision, so
 *  a new id. (BullMQ ids may not contain ':'.) */
export const fireJobId = (d: FireJobData) => `fire.${d.milestoneId}.${d.revision}`;
export const remindJobId = (d: RemindJobData) => `remind.${d.milestoneId}.${d.revision}.${d.days}`;

/** An organisation's succession carried out on its date (libs/reorganisation); one job per succession. */
export interface SucceedJobData {
  successionId: string;
  /** The succession's revision the job was scheduled for (a change gives another; absent in jobs of before revisions: 1). */
  revision?: number;
}
export const succeedJobId = (d: SucceedJobData) => `succeed.${d.successionId}.${d.revision ?? 1}`;

/** What the outbox asks the relay to do in Redis. */
export type OutboxMessage =
  { topic: 'schedule'; payload: { name: JobName; data: FireJobData | RemindJobData | SucceedJobData; runAt: string } } | { topic: 'unschedule'; payload: { jobIds: string[] } };

/** The mail queue: one job per notification emailed at once, one per person's daily digest. */
export const MAIL_QUEUE = 'mail';
export const MAIL_JOB = { email: 'email', digest: 'digest', digestRun: 'digest-run' } as const;
export type MailJobName = (typeof MAIL_JOB)[keyof typeof MAIL_JOB];
export interface EmailJobData {
  notificationId: string;
}
export interface DigestJobData {
  userId: string;
  /** The day in England it is that person's digest for (YYYY-MM-DD). */
  day: string;
}
/** Fixed ids: a notification is emailed by one job, a person's digest of a day by one job. */
export const emailJobId = (d: EmailJobData) => `email.${d.notificationId}`;
export const digestJobId = (d: DigestJobData) => `digest.${d.userId}.${d.day}`;

/** The webhook queue: one job per delivery (an event for one webhook). */
export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_JOB = 'deliver';
export interface WebhookJobData {
  deliveryId: string;
}
export const webhookJobId = (d: WebhookJobData) => `webhook.${d.deliveryId}`;

/** The audit queue: the daily signed checkpoint of every history's head (one job a day, by scheduler). */
export const AUDIT_QUEUE = 'audit';
export const AUDIT_JOB = { signDay: 'sign-day' } as const;
export interface SignDayJobData {
  /** The day to sign (YYYY-MM-DD, UTC); the scheduler's jobs name none: the day they run. */
  day?: string;
}
export const signDayJobId = (day: string) => `sign-day.${day}`;

/** The retention queue: one run of the retention policy a day, by scheduler (libs/data-protection applies it). */
export const RETENTION_QUEUE = 'retention';
export const RETENTION_JOB = { apply: 'apply' } as const;
