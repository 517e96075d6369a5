/** Pure helpers: which jobs a milestone needs, and where a partnership's calendar clashes. */
import { FireJobData, JOB, OutboxMessage, RemindJobData, fireJobId, remindJobId } from '@app/queue';
import type { MilestoneEventType } from '@app/domain';
import type { MilestoneKind } from './milestone.entity';

const DAY = 24 * 60 * 60 * 1000;

export const LIFECYCLE_ORDER: MilestoneKind[] = ['framingDue', 'optionsClose', 'decisionDue', 'reviewStart', 'reviewDue'];

export const EVENT_OF: Record<MilestoneKind, MilestoneEventType> = {
  framingDue: 'FRAMING_DUE',
  optionsClose: 'OPTIONS_DUE',
  decisionDue: 'DECISION_DUE',
  reviewStart: 'REVIEW_START',
  reviewDue: 'REVIEW_DUE',
};

export const LABEL: Record<MilestoneKind, string> = {
  framingDue: 'Problem definition agreed',
  optionsClose: 'Options window closes',
  decisionDue: 'Decision due',
  reviewStart: 'Learning review starts',
  reviewDue: 'Learning review due',
};

interface Schedulable {
  id: string;
  revision: number;
  dueAt: Date;
}

/**
 * The fire job and the reminder jobs of a milestone. Reminders whose moment has passed are left
 * out, except (with `catchUpSince`, the moment this revision was scheduled) the latest one that was
 * once due to be sent, while the milestone is still ahead: after an outage, participants get the
 * one reminder that still makes sense. A reminder whose moment had passed before the milestone was
 * scheduled was never owed, so it is not caught up either.
 */
export function scheduleMessages(m: Schedulable, reminderDays: number[], now: Date, catchUpSince?: Date): OutboxMessage[] {
  const fire: OutboxMessage = {
    topic: 'schedule',
    payload: { name: JOB.fire, data: { milestoneId: m.id, revision: m.revision }, runAt: m.dueAt.toISOString() },
  };
  if (m.dueAt.getTime() <= now.getTime()) return [fire];
  const reminders = [...new Set(reminderDays)].sort((a, b) => b - a).map((days) => ({ days, at: new Date(m.dueAt.getTime() - days * DAY) }));
  const future = reminders.filter((r) => r.at.getTime() > now.getTime());
  const missed = reminders.filter((r) => r.at.getTime() <= now.getTime() && catchUpSince && r.at.getTime() > catchUpSince.getTime());
  const chosen = missed.length ? [...future, missed[missed.length - 1]] : future;
  return [
    fire,
    ...chosen.map((r): OutboxMessage => ({
      topic: 'schedule',
      payload: { name: JOB.remind, data: { milestoneId: m.id, revision: m.revision, days: r.days }, runAt: r.at.toISOString() },
    })),
  ];
}

/** Removes the jobs of a milestone at one revision. */
export function unscheduleMessage(m: Omit<Schedulable, 'dueAt'>, reminderDays: number[]): OutboxMessage {
  const fire: FireJobData = { milestoneId: m.id, revision: m.revision };
  return {
    topic: 'unschedule',
    payload: {
      jobIds: [fireJobId(fire), ...reminderDays.map((days) => remindJobId({ milestoneId: m.id, revision: m.revision, days } as RemindJobData))],
    },
  };
}

export interface CalendarMilestone {
  id: string;
  cycleId: string;
  cycleTitle: string;
  kind: MilestoneKind;
  dueAt: Date;
  status: string;
  anchorId: string | null;
  offsetDays: number | null;
  offsetWorkingDays: number | null;
}

export interface CalendarAnchor {
  id: string;
  name: string;
  date: Date;
}

export type Conflict =
  { type: 'out-of-order'; cycleId: string; milestoneIds: [string, string]; message: string } | { type: 'after-anchor'; cycleId: string; milestoneIds: [string]; anchorId: string; message: string };

const dateText = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Milestones out of lifecycle order within a cycle (a decision due before the options close),
 * and aligned milestones meant to precede their anchor that no longer do.
 */
export function calendarConflicts(milestones: CalendarMilestone[], anchors: CalendarAnchor[]): Conflict[] {
  const live = milestones.filter((m) => m.status !== 'cancelled');
  const conflicts: Conflict[] = [];
  const byCycle = new Map<string, CalendarMilestone[]>();
  for (const m of live) byCycle.set(m.cycleId, [...(byCycle.get(m.cycleId) ?? []), m]);
  for (const [cycleId, list] of byCycle) {
    for (const earlier of list) {
      for (const later of list) {
        if (LIFECYCLE_ORDER.indexOf(earlier.kind) < LIFECYCLE_ORDER.indexOf(later.kind) && later.dueAt < earlier.dueAt) {
          conflicts.push({
            type: 'out-of-order',
            cycleId,
            milestoneIds: [earlier.id, later.id],
            message: `In "${earlier.cycleTitle}", ${LABEL[later.kind].toLowerCase()} (${dateText(later.dueAt)}) comes before ${LABEL[earlier.kind].toLowerCase()} (${dateText(earlier.dueAt)}).`,
          });
        }
      }
    }
  }
  const anchorById = new Map(anchors.map((a) => [a.id, a]));
  for (const m of live) {
    const anchor = m.anchorId ? anchorById.get(m.anchorId) : undefined;
    const offset = m.offsetDays ?? m.offsetWorkingDays ?? 0;
    if (anchor && offset < 0 && m.dueAt >= anchor.date) {
      conflicts.push({
        type: 'after-anchor',
        cycleId: m.cycleId,
        milestoneIds: [m.id],
        anchorId: anchor.id,
        message: `In "${m.cycleTitle}", ${LABEL[m.kind].toLowerCase()} (${dateText(m.dueAt)}) should come before "${anchor.name}" (${dateText(anchor.date)}) and no longer does.`,
      });
    }
  }
  return conflicts;
}
