/** Reminders of delivery plan actions coming due or overdue, run daily by the worker and sent once each. */
import { Inject, Injectable } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { CLOCK } from '@app/config';
import { CycleQueriesService } from '@app/cycles';
import { type Clock, dateInEngland } from '@app/domain';
import { NotificationsService } from '@app/notifications';
import { PartnershipCalendarService, PartnershipsService } from '@app/partnerships';

const DAY = 86_400_000;

/**
 * The delivery plan's reminders: an open action due within one of the partnership's reminder
 * days (7 and 1 by default) reminds its owning organisation once per reminder day, and an overdue
 * one tells it once. Each notification closes with the action's task when it is completed. Run
 * by the worker's pass; the dedupe keys make a second run (or a second worker) a no-op.
 */
@Injectable()
export class ActionRemindersService {
  constructor(
    private readonly cycles: CycleQueriesService,
    private readonly partnerships: PartnershipsService,
    private readonly calendar: PartnershipCalendarService,
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(now = this.clock.now()): Promise<number> {
    const cycles = await this.cycles.withOpenActions();
    if (!cycles.length) return 0;
    const [days, { byOrganisation }] = await Promise.all([
      this.calendar.reminderDaysOf(cycles.map((c) => c.partnershipId)),
      this.accounts.recipientsOf(cycles.flatMap((c) => c.actions.map((a) => a.ownerOrganisationId))),
    ]);
    const rows = cycles.flatMap((cycle) =>
      cycle.actions.flatMap((action) => {
        const left = new Date(action.dueAt).getTime() - now.getTime();
        const due = dateInEngland(new Date(action.dueAt));
        const reminder = (days.get(cycle.partnershipId) ?? []).filter((d) => left > 0 && left <= d * DAY).sort((a, b) => a - b)[0];
        const notice =
          left <= 0
            ? { kind: 'action-overdue', key: `action-overdue.${action.id}`, text: `“${action.title}” is overdue: it was due on ${due}` }
            : reminder !== undefined
              ? { kind: 'action-reminder', key: `action-remind.${action.id}.${reminder}`, text: `“${action.title}” is due within ${reminder} day${reminder === 1 ? '' : 's'}, on ${due}` }
              : null;
        if (!notice) return [];
        return (byOrganisation.get(action.ownerOrganisationId) ?? []).map((userId) => ({
          userId,
          kind: notice.kind,
          cycleId: cycle.id,
          milestoneId: null,
          text: `${notice.text}: “${cycle.title}”`,
          taskKey: `action.${action.id}`,
          dedupeKey: notice.key,
        }));
      }),
    );
    await this.notifications.notify(rows);
    return rows.length;
  }
}
