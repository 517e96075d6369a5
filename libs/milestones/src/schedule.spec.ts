import { CalendarMilestone, calendarConflicts, scheduleMessages, unscheduleMessage } from './schedule';

const DAY = 86_400_000;
const now = new Date('2027-01-10T09:00:00Z');
const m = (dueInDays: number) => ({ id: 'm1', revision: 2, dueAt: new Date(now.getTime() + dueInDays * DAY) });

describe('scheduleMessages', () => {
  it('schedules the milestone and each reminder still ahead', () => {
    const messages = scheduleMessages(m(10), [7, 1], now);
    expect(messages.map((x) => x.topic === 'schedule' && [x.payload.name, x.payload.runAt])).toEqual([
      ['fire', '2027-01-20T09:00:00.000Z'],
      ['remind', '2027-01-13T09:00:00.000Z'],
      ['remind', '2027-01-19T09:00:00.000Z'],
    ]);
  });

  it('leaves out reminders already past, or catches up with the latest one after an outage', () => {
    expect(scheduleMessages(m(3), [7, 1], now)).toHaveLength(2);
    const scheduledLongAgo = new Date(now.getTime() - 30 * DAY);
    const caughtUp = scheduleMessages(m(0.5), [7, 1], now, scheduledLongAgo);
    expect(caughtUp.map((x) => x.topic === 'schedule' && x.payload.data)).toEqual([
      { milestoneId: 'm1', revision: 2 },
      { milestoneId: 'm1', revision: 2, days: 1 },
    ]);
  });

  it('does not catch up a reminder whose moment had passed before the milestone was scheduled', () => {
    // Scheduled 2 hours ago for 12 hours from now: the 1-day reminder was never owed.
    const scheduledRecently = new Date(now.getTime() - 2 * 3_600_000);
    expect(scheduleMessages(m(0.5), [7, 1], now, scheduledRecently)).toHaveLength(1);
    // Scheduled 3 days ago for 12 hours from now: the 1-day reminder was owed and is caught up.
    expect(scheduleMessages(m(0.5), [7, 1], now, new Date(now.getTime() - 3 * DAY))).toHaveLength(2);
  });

  it('an overdue milestone fires at once, without reminders', () => {
    expect(scheduleMessages(m(-1), [7, 1], now, new Date(now.getTime() - 30 * DAY))).toHaveLength(1);
  });

  it('unschedules every job of a revision', () => {
    expect(unscheduleMessage({ id: 'm1', revision: 2 }, [7, 1])).toEqual({
      topic: 'unschedule',
      payload: { jobIds: ['fire.m1.2', 'remind.m1.2.7', 'remind.m1.2.1'] },
    });
  });
});

describe('calendarConflicts', () => {
  const base = { cycleId: 'c1', cycleTitle: 'Winter', status: 'scheduled', anchorId: null, offsetDays: null, offsetWorkingDays: null };
  const at = (iso: string) => new Date(`${iso}T09:00:00Z`);

  it('finds milestones out of lifecycle order within a cycle', () => {
    const milestones: CalendarMilestone[] = [
      { ...base, id: 'a', kind: 'optionsClose', dueAt: at('2027-03-01') },
      { ...base, id: 'b', kind: 'decisionDue', dueAt: at('2027-02-20') },
      { ...base, id: 'c', cycleId: 'c2', kind: 'decisionDue', dueAt: at('2027-01-01') },
    ];
    expect(calendarConflicts(milestones, [])).toEqual([
      {
        type: 'out-of-order',
        cycleId: 'c1',
        milestoneIds: ['a', 'b'],
        message: 'In "Winter", decision due (2027-02-20) comes before options window closes (2027-03-01).',
      },
    ]);
  });

  it('finds an aligned milestone that no longer precedes its anchor, ignoring cancelled ones', () => {
    const anchor = { id: 'budget', name: 'Council budget set', date: at('2027-02-10') };
    const milestones: CalendarMilestone[] = [
      { ...base, id: 'a', kind: 'decisionDue', status: 'fired', anchorId: 'budget', offsetDays: -14, dueAt: at('2027-02-17') },
      { ...base, id: 'b', kind: 'reviewDue', anchorId: 'budget', offsetDays: 30, dueAt: at('2027-03-12') },
      { ...base, id: 'c', kind: 'framingDue', status: 'cancelled', anchorId: 'budget', offsetDays: -30, dueAt: at('2027-02-20') },
    ];
    expect(calendarConflicts(milestones, [anchor])).toEqual([expect.objectContaining({ type: 'after-anchor', milestoneIds: ['a'], anchorId: 'budget' })]);
  });
});
