/** The notifications of the tasks an event opens, one per person who may do each, written with the event. */
import { Injectable } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { Task } from '@app/domain';

/** A notification of a task, as the write statement inserts it (the notifications feature's table). */
export interface TaskNote {
  user_id: string;
  kind: string;
  cycle_id: string;
  text: string;
  link: string;
  task_key: string;
  dedupe_key: string;
}

/** A task no longer waiting, closed for everyone told of it. */
export interface ClosedTask {
  cycle_id: string;
  task_key: string;
  at: Date;
}

/**
 * Turns the tasks an event opened into one notification per person who may do each: an
 * organisation's representatives (or, naming none, its users), the people named, or the platform
 * admins. Written by the event's own statement, so they are never lost or doubled.
 */
@Injectable()
export class TaskNotes {
  constructor(private readonly accounts: AccountsService) {}

  async of(cycle: { id: string; title: string }, version: number, opened: Task[]): Promise<TaskNote[]> {
    if (!opened.length) return [];
    const organisations = opened.flatMap((t) => ('organisationId' in t.assignee ? [t.assignee.organisationId] : []));
    const people = opened.flatMap((t) => ('userId' in t.assignee ? [t.assignee.userId] : []));
    const needsAdmins = opened.some((t) => 'admins' in t.assignee);
    const [{ byOrganisation, admins }, active] = await Promise.all([
      organisations.length || needsAdmins ? this.accounts.recipientsOf(organisations) : { byOrganisation: new Map<string, string[]>(), admins: [] },
      this.accounts.activeOf(people),
    ]);
    return opened.flatMap((task) => {
      const users =
        'organisationId' in task.assignee ? (byOrganisation.get(task.assignee.organisationId) ?? []) : 'userId' in task.assignee ? [task.assignee.userId].filter((id) => active.has(id)) : admins;
      return users.map((userId) => ({
        user_id: userId,
        kind: `task.${task.kind}`,
        cycle_id: cycle.id,
        text: `${task.text}: “${cycle.title}”`,
        link: `/cycles/${cycle.id}`,
        task_key: task.key,
        // The version that opened it: a task that comes back later (a panel member re-added) is told again.
        dedupe_key: `task.${cycle.id}.${task.key}.${version}`,
      }));
    });
  }
}
