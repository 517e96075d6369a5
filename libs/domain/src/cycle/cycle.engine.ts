/**
 * The pure API the services use: start a cycle, decide an event (accepted with the next snapshot
 * and side effects, or refused with a reason), list what an actor may send now. Nothing here
 * does I/O; ids and times come in with the events.
 */
import { getNextTransitions, initialTransition, transition } from 'xstate';
import { CYCLE_MACHINE_VERSION, cycleMachine } from './cycle.machine';
import { latestRevision, liveOptions, openProposal, rulesRefuse, whoRefuses } from './cycle.rules';
import {
  Actor,
  CycleContext,
  CycleEvent,
  CycleInput,
  CycleState,
  MILESTONE_EVENT_TYPES,
  USER_EVENT_TYPES,
  UserEvent,
  UserEventType,
} from './cycle.types';

export type CycleSnapshot = ReturnType<typeof cycleMachine.resolveState>;
export type PersistedCycle = Record<string, unknown>;

export type CycleEffect = { type: 'openNextIteration' };

export type Decision =
  | { accepted: true; snapshot: CycleSnapshot; state: CycleState; effects: CycleEffect[] }
  | { accepted: false; kind: 'forbidden' | 'refused' | 'moot'; reason: string };

export { CYCLE_MACHINE_VERSION };

export function startCycle(input: CycleInput): CycleSnapshot {
  const [snapshot] = initialTransition(cycleMachine, input);
  return snapshot;
}

export const persistCycle = (snapshot: CycleSnapshot): PersistedCycle =>
  cycleMachine.getPersistedSnapshot(snapshot) as unknown as PersistedCycle;

export const restoreCycle = (persisted: PersistedCycle): CycleSnapshot =>
  cycleMachine.resolveState(persisted as unknown as Parameters<typeof cycleMachine.resolveState>[0]);

export const stateOf = (snapshot: CycleSnapshot): CycleState => snapshot.value as CycleState;

const DESCRIPTIONS: Record<CycleState, string> = {
  draft: 'still a draft that has not been launched',
  framing: 'framing the problem',
  options: 'gathering options',
  deciding: 'deciding between options',
  delivering: 'delivering',
  reviewing: 'in its learning review',
  escalated: 'escalated and waiting for a facilitator',
  cancelled: 'cancelled',
  closed: 'closed',
};

function stateRefusal(state: CycleState, type: CycleEvent['type']): string {
  if (type === 'ESCALATE' && state === 'escalated') return 'The cycle is already escalated; a facilitator must resolve it first.';
  if (type === 'RESOLVE_ESCALATION') return 'There is no escalation to resolve: the cycle is not escalated.';
  return `The cycle is ${DESCRIPTIONS[state]}, so ${type} is not possible now.`;
}

const isMilestoneEvent = (event: CycleEvent) => (MILESTONE_EVENT_TYPES as readonly string[]).includes(event.type);

/** Whether the current state has any transition for this event type, guards aside. */
const stateTakes = (snapshot: CycleSnapshot, type: CycleEvent['type']): boolean =>
  getNextTransitions(snapshot).some((t) => t.eventType === type);

export function decide(snapshot: CycleSnapshot, event: CycleEvent): Decision {
  const state = stateOf(snapshot);
  const context = snapshot.context;
  const forbidden = whoRefuses(context, event);
  if (forbidden) return { accepted: false, kind: 'forbidden', reason: forbidden };
  if (snapshot.status === 'done' || !stateTakes(snapshot, event.type)) {
    if (isMilestoneEvent(event)) {
      return { accepted: false, kind: 'moot', reason: `The cycle is ${DESCRIPTIONS[state]}: ${event.type} no longer applies.` };
    }
    return { accepted: false, kind: 'refused', reason: stateRefusal(state, event.type) };
  }
  const refused = rulesRefuse(context, event);
  if (refused) return { accepted: false, kind: 'refused', reason: refused };
  if (!snapshot.can(event)) return { accepted: false, kind: 'refused', reason: stateRefusal(state, event.type) };
  const [next, actions] = transition(cycleMachine, snapshot, event);
  const effects = actions.filter((a) => a.type === 'openNextIteration').map(() => ({ type: 'openNextIteration' as const }));
  return { accepted: true, snapshot: next, state: stateOf(next), effects };
}

/** A plausible event of each type for this actor, to ask the machine whether it would be taken. */
function probes(context: CycleContext, type: UserEventType, actor: Actor, at: string): UserEvent[] {
  const base = { actor, at };
  const text = 'probe';
  const live = liveOptions(context);
  switch (type) {
    case 'REVISE_PROBLEM':
      return [{ type, statement: text, ...base }];
    case 'ENDORSE_PROBLEM':
      return [{ type, revision: latestRevision(context), ...base }];
    case 'OBJECT_PROBLEM':
      return [{ type, revision: latestRevision(context), reason: text, ...base }];
    case 'SUBMIT_OPTION':
      return [{ type, optionId: '\u0000probe', title: text, summary: text, ...base }];
    case 'AMEND_OPTION':
      return live.map((o) => ({ type, optionId: o.id, title: text, ...base }));
    case 'WITHDRAW_OPTION':
      return live.map((o) => ({ type, optionId: o.id, ...base }));
    case 'APPRAISE_OPTION':
      return live.slice(0, 1).map((o) => ({ type, optionId: o.id, scores: [], ...base }));
    case 'PROPOSE_DECISION':
      return live.length ? [{ type, proposalId: '\u0000probe', optionIds: [live[0].id], rationale: text, ...base }] : [];
    case 'CONSENT': {
      const open = openProposal(context);
      return open ? [{ type, proposalId: open.id, ...base }] : [];
    }
    case 'OBJECT': {
      const open = openProposal(context);
      return open ? [{ type, proposalId: open.id, reason: text, ...base }] : [];
    }
    case 'RECORD_PROGRESS':
      return [{ type, note: text, ...base }];
    case 'RECORD_LEARNING':
      return [{ type, insight: text, recommendation: 'continue', ...base }];
    case 'SIGN_OFF_REVIEW':
      return [{ type, outcome: 'close', ...base }];
    case 'ESCALATE':
    case 'CANCEL':
      return [{ type, reason: text, ...base }];
    case 'RESOLVE_ESCALATION':
      return [{ type, resolution: text, ...base }];
    default:
      return [{ type, ...base } as UserEvent];
  }
}

/** The event types this actor may send now, as the machine answers `snapshot.can` for each. */
export function nextEvents(snapshot: CycleSnapshot, actor: Actor, at = new Date().toISOString()): UserEventType[] {
  if (snapshot.status === 'done') return [];
  return USER_EVENT_TYPES.filter((type) => probes(snapshot.context, type, actor, at).some((probe) => snapshot.can(probe)));
}
