/**
 * Who must act next on a cycle, read from the cycle as the machine left it: the same facts
 * `nextEvents` reads (an unanswered latest revision, an open proposal, an escalation, a review
 * not signed off, a carried-over draft to launch). Each accepted event changes this list; the
 * tasks that appear are notified, the ones that go are done.
 */
import type { CycleSnapshot } from './cycle.engine';
import { openProposal, standingFor } from './cycle.rules';
import { dateInEngland } from '../calendar/working-days';
import type { CycleState } from './cycle.types';
import type { UserEventType } from './cycle.catalogue';

export type TaskKind = 'endorse' | 'respond' | 'resolve' | 'review' | 'launch' | 'action';

export interface Task {
  /** The same work has the same key for as long as it waits. */
  key: string;
  kind: TaskKind;
  /** Whose work it is: an organisation (its representatives or, naming none, its users), a person, or the platform admins. */
  assignee: { organisationId: string } | { userId: string } | { admins: true };
  /** What to do, in words. */
  text: string;
  /** The events that do it (what `nextEvents` offers the assignee). */
  events: UserEventType[];
}

export function tasksOf(snapshot: CycleSnapshot): Task[] {
  const c = snapshot.context;
  const state = snapshot.value as CycleState;
  switch (state) {
    case 'framing': {
      const latest = c.problem.revisions.length;
      if (!latest) return [];
      const answered = new Set([...c.problem.endorsements, ...c.problem.objections].filter((e) => e.revision === latest).map((e) => standingFor(c, e.organisationId)));
      return c.coOwners
        .filter((o) => !answered.has(o.organisationId))
        .map((o) => ({
          key: `endorse.${latest}.${o.organisationId}`,
          kind: 'endorse',
          assignee: { organisationId: o.organisationId },
          text: `Endorse revision ${latest} of the problem, or object to it`,
          events: ['ENDORSE_PROBLEM', 'OBJECT_PROBLEM'],
        }));
    }
    case 'deciding': {
      const open = openProposal(c);
      if (!open) return [];
      const answered = new Set([...open.consents, ...open.objections].map((r) => standingFor(c, r.organisationId)));
      return c.coOwners
        .filter((o) => !answered.has(o.organisationId))
        .map((o) => ({
          key: `respond.${open.id}.${o.organisationId}`,
          kind: 'respond',
          assignee: { organisationId: o.organisationId },
          text: 'Consent to the proposed decision, or object to it',
          events: ['CONSENT', 'OBJECT'],
        }));
    }
    case 'delivering':
      // Each open action of the delivery plan waits for its owning organisation.
      return (c.actions ?? [])
        .filter((a) => !a.doneAt)
        .map((a) => ({
          key: `action.${a.id}`,
          kind: 'action',
          assignee: { organisationId: a.ownerOrganisationId },
          text: `Complete “${a.title}” by ${dateInEngland(new Date(a.dueAt))}`,
          events: ['COMPLETE_ACTION'],
        }));
    case 'escalated': {
      const n = c.escalations.length;
      const reason = c.escalations.at(-1)?.reason ?? '';
      const text = `Resolve the escalation: ${reason}`;
      const events: UserEventType[] = ['RESOLVE_ESCALATION'];
      if (!c.facilitatorUserIds.length) return [{ key: `resolve.${n}.admins`, kind: 'resolve', assignee: { admins: true }, text, events }];
      return c.facilitatorUserIds.map((userId) => ({ key: `resolve.${n}.${userId}`, kind: 'resolve', assignee: { userId }, text, events }));
    }
    case 'reviewing': {
      const signed = new Set(c.signOffs.map((s) => s.userId));
      return c.panelUserIds
        .filter((userId) => !signed.has(userId))
        .map((userId) => ({
          key: `review.${userId}`,
          kind: 'review',
          assignee: { userId },
          text: 'Record what was learned and sign off the review',
          events: ['RECORD_LEARNING', 'SIGN_OFF_REVIEW'],
        }));
    }
    case 'draft':
      // A draft the previous iteration opened (its statement carried forward) waits for its commissioners.
      if (!c.problem.revisions[0]?.carriedForward) return [];
      return c.coOwners
        .filter((o) => o.role === 'commissioner')
        .map((o) => ({
          key: `launch.${o.organisationId}`,
          kind: 'launch',
          assignee: { organisationId: o.organisationId },
          text: 'Check the next iteration’s people and launch it',
          events: ['LAUNCH', 'EDIT_DRAFT'],
        }));
    default:
      return [];
  }
}

/** The tasks an event opened and the keys of those it closed (done, or no longer asked for). */
export function taskChanges(before: Task[], after: Task[]): { opened: Task[]; closed: string[] } {
  const was = new Set(before.map((t) => t.key));
  const is = new Set(after.map((t) => t.key));
  return { opened: after.filter((t) => !was.has(t.key)), closed: [...was].filter((key) => !is.has(key)) };
}
