import { JOB } from '@app/queue';
import { jobOf } from './outbox.relay';

describe('jobOf', () => {
  const worker = { attempts: 5, backoffMs: 2000, fireGraceMs: 2000 };
  const now = new Date('2026-12-25T09:00:00Z');
  const inMs = (ms: number) => new Date(now.getTime() + ms).toISOString();

  it('runs a fire job a grace period after the milestone is due (the sweeper goes first), with its fixed id', () => {
    const job = jobOf({ name: JOB.fire, data: { milestoneId: 'm1', revision: 3 }, runAt: inMs(10_000) }, worker, now);
    expect(job.opts.jobId).toBe('fire.m1.3');
    expect(job.opts.delay).toBe(12_000);
    expect(job.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 2000 } });
  });

  it('runs a reminder at its time, and an overdue job at once', () => {
    const reminder = jobOf({ name: JOB.remind, data: { milestoneId: 'm1', revision: 3, days: 7 }, runAt: inMs(10_000) }, worker, now);
    expect(reminder.opts.delay).toBe(10_000);
    const overdue = jobOf({ name: JOB.fire, data: { milestoneId: 'm2', revision: 1 }, runAt: inMs(-60_000) }, worker, now);
    expect(overdue.opts.delay).toBe(0);
  });
});
