/** The kinds of record a retention rule covers: their defaults, who applies them and how the privacy notice words them. */

/** Each kind of record with a retention period, in the order the admin page and the privacy notice list them. */
export const RETENTION_RECORDS = ['notifications', 'emailDeliveries', 'webhookDeliveries', 'webSessions', 'invitations', 'closedCyclePersonalData'] as const;
export type RetentionRecord = (typeof RETENTION_RECORDS)[number];

/** The longest period a rule may set: 100 years (a longer one is a typing slip, and overflows nothing). */
export const MAX_KEEP_DAYS = 36_500;

/**
 * Who carries a rule out: the daily retention job deletes the rows itself; an `erasure` rule's texts
 * are released instead (the same run, by the erasure's means), since the history's proof must stay.
 */
export type RetentionApplier = 'job' | 'erasure';

export interface RetentionRecordInfo {
  /** The period the migration seeds and a record without a row falls back to. */
  defaultKeepDays: number;
  appliedBy: RetentionApplier;
  /** Its name on the admin page and in the privacy notice. */
  label: string;
  /** What the days count from, and what is kept whatever the period (the admin page's hint). */
  countedFrom: string;
}

export const RETENTION_INFO: Record<RetentionRecord, RetentionRecordInfo> = {
  notifications: {
    defaultKeepDays: 365,
    appliedBy: 'job',
    label: 'Notifications',
    countedFrom: 'Days after a notification was sent, read or not. An open task, and a notification still to be emailed, is kept until it is done or sent.',
  },
  emailDeliveries: {
    defaultKeepDays: 90,
    appliedBy: 'job',
    label: 'Email delivery logs',
    countedFrom: 'Days after each attempt to email a notification was logged.',
  },
  webhookDeliveries: {
    defaultKeepDays: 90,
    appliedBy: 'job',
    label: 'Webhook delivery logs',
    countedFrom: 'Days after an event was queued for a partner system. A delivery still being tried is kept.',
  },
  webSessions: {
    defaultKeepDays: 0,
    appliedBy: 'job',
    label: 'Sign-in sessions',
    countedFrom: 'Days after a session expired (0: removed once it has expired).',
  },
  invitations: {
    defaultKeepDays: 30,
    appliedBy: 'job',
    label: 'Invitations to a cycle',
    countedFrom: 'Days after an invitation that was not followed expired. A followed invitation is what lets its guest see the cycle, so it stays.',
  },
  closedCyclePersonalData: {
    defaultKeepDays: 2190,
    appliedBy: 'erasure',
    label: 'Personal data of closed cycles',
    countedFrom: 'Days after a cycle closed. Names and free texts are erased; the history’s proof stays.',
  },
};

/** One rule of the policy as the API shows it. */
export interface RetentionRule {
  record: RetentionRecord;
  keepDays: number;
  appliedBy: RetentionApplier;
}

/** The policy's rule of a record as it stands, with when and by whom it last changed (null: the migration's default). */
export interface RetentionRuleState extends RetentionRule {
  updatedAt: Date;
  updatedByUserId: string | null;
}

/** A period in words for people: "365 days (about 1 year)", "at expiry". */
export function keepDaysInWords(days: number): string {
  if (days === 0) return 'no days';
  const count = `${days.toLocaleString('en-GB')} ${days === 1 ? 'day' : 'days'}`;
  if (days < 28) return count;
  if (days < 365) {
    const months = Math.round(days / 30.44);
    return `${count} (about ${months} ${months === 1 ? 'month' : 'months'})`;
  }
  const years = Math.round((days / 365.25) * 2) / 2;
  const whole = Number.isInteger(years);
  return `${count} (about ${whole ? years : years.toFixed(1)} ${years === 1 ? 'year' : 'years'})`;
}
