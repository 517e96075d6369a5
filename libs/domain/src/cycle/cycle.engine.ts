/**
 * The pure API the services use: start a cycle, decide an event (accepted with the next snapshot
 * and side effects, or refused with a reason), list what an actor may send now. Nothing here
 * does I/O; ids and times come in with the events.
 */
import { type AnyActorScope, type ExecutableActionsFrom, createActor, initialTransition } from 'xstate';
import { CATALOGUE, CycleEvent, USER_EVENTS, UserEventType } from './cycle.catalogue';
import { CYCLE_MACHINE_VERSION, NO_INPUT, STATE_META, cycleMachine } from './cycle.machine';
import { whoRefuses } from './cycle.rules';
import { Actor, CycleContext, CycleInput, CycleState } from './cycle.types';
import type { Reason } from './event-definition';

export type CycleSnapshot = ReturnType<typeof cycleMachine.resolveState>;
export type PersistedCycle = Record<string, unknown>;

export type CycleEffect = { type: 'openNextIteration' };

export type Decision = { accepted: true; snapshot: CycleSnapshot; state: CycleState; effects: CycleEffect[] } | { accepted: false; kind: 'forbidden' | 'refused' | 'moot'; reason: string };

export { CYCLE_MACHINE_VERSION };

/**
 * XState's `transition()` builds a throwaway actor for every call (its initial snapshot computed,
 * an actor system of its own): a tenth of the write path's allocations. The cycle machine spawns
 * nothing and sends nothing, so one inert scope serves every transition; the actions a transition
 * asks for (opening the next iteration) are collected per call, which is safe because a
 * transition is synchronous.
 * Measured (bench/xstate-transition.ts, 2026-12-06, best of 7): restore + decide + persist 22 µs and
 * ~14 KiB an event this way, 51 µs and ~34 KiB with `transition()` (the step alone 6 µs against 32).
 */
let inertScope: AnyActorScope | undefined;
let collected: ExecutableActionsFrom<typeof cycleMachine>[] = [];
function transitionOf(snapshot: CycleSnapshot, event: CycleEvent): [CycleSnapshot, ExecutableActionsFrom<typeof cycleMachine>[]] {
  if (!inertScope) {
    const self = createActor(cycleMachine, { input: NO_INPUT });
    inertScope = {
      self,
      defer: () => {},
      id: '',
      logger: () => {},
      sessionId: '',
      stopChild: () => {},
      system: self.system,
      emit: () => {},
      actionExecutor: (action) => {
        collected.push(action as ExecutableActionsFrom<typeof cycleMachine>);
      },
    };
  }
  const actions: ExecutableActionsFrom<typeof cycleMachine>[] = (collected = []);
  return [cycleMachine.transition(snapshot, event, inertScope), actions];
}

export function startCycle(input: CycleInput): CycleSnapshot {
  const [snapshot] = initialTransition(cycleMachine, input);
  return snapshot;
}

export const persistCycle = (snapshot: CycleSnapshot): PersistedCycle => cycleMachine.getPersistedSnapshot(snapshot) as unknown as PersistedCycle;

export const restoreCycle = (persisted: PersistedCycle): CycleSnapshot => cycleMachine.resolveState(persisted as unknown as Parameters<typeof cycleMachine.resolveState>[0]);

export const stateOf = (snapshot: CycleSnapshot): CycleState => snapshot.value as CycleState;

function stateRefusal(state: CycleState, type: CycleEvent['type']): string {
  if (type === 'ESCALATE' && state === 'escalated') return 'The cycle is already escalated; a facilitator must resolve it first.';
  if (type === 'RESOLVE_ESCALATION') return 'There is no escalation to resolve: the cycle is not escalated.';
  return `The cycle is ${STATE_META[state].description}, so ${type} is not possible now.`;
}

/** Whether the sender may send this event at all (403 when not), from its catalogue entry. */
export function senderRefuses(context: CycleContext, event: CycleEvent): Reason {
  const entry = CATALOGUE.get(event.type);
  if (!entry) return `${event.type} is not an event of a cycle.`;
  return whoRefuses(entry.who, event.type, context, event.actor, event as { optionId?: unknown; actionId?: unknown });
}

/** Whether the event's fields make sense against the cycle as it is (422 when not). */
export function rulesRefuse(context: CycleContext, event: CycleEvent): Reason {
  return CATALOGUE.get(event.type)?.rule?.(context, event as never);
}

/** Whether this state's route for the type stays put without changing the context. */
function recordsOnly(state: CycleState, type: string): boolean {
  const entry = CATALOGUE.get(type);
  const routes = entry?.routes[state];
  return (Array.isArray(routes) ? routes : routes ? [routes] : []).some((r) => !r.to && !r.when && !r.unless && !entry?.effect);
}

/** Whether the current state has a route for this event type (guards aside). */
const stateTakes = (state: CycleState, type: string): boolean => CATALOGUE.get(type)?.routes[state] !== undefined;

/**
 * Accepts the event (the next snapshot and the side effects) or refuses it, saying why: 403
 * (`forbidden`) when the sender may not send it, 422 (`refused`) when the state or the rules do
 * not allow it now, and `moot` for a milestone whose moment has passed. The rules run once, as
 * the machine's guards; only a refusal runs them again, to put the reason into words.
 */
export function decide(snapshot: CycleSnapshot, event: CycleEvent): Decision {
  const state = stateOf(snapshot);
  const context = snapshot.context;
  if (snapshot.status === 'done' || !stateTakes(state, event.type)) {
    const forbidden = senderRefuses(context, event);
    if (forbidden) return { accepted: false, kind: 'forbidden', reason: forbidden };
    if (CATALOGUE.get(event.type)?.who.kind === 'milestone') {
      return { accepted: false, kind: 'moot', reason: `The cycle is ${STATE_META[state].description}: ${event.type} no longer applies.` };
    }
    return { accepted: false, kind: 'refused', reason: stateRefusal(state, event.type) };
  }
  const [next, actions] = transitionOf(snapshot, event);
  if (next === snapshot) {
    // XState answers the same snapshot both when nothing was taken and when a route that only
    // records (no target, no change to the context, such as RECORD_PROGRESS) was.
    const forbidden = senderRefuses(context, event);
    if (forbidden) return { accepted: false, kind: 'forbidden', reason: forbidden };
    const refused = rulesRefuse(context, event);
    if (refused) return { accepted: false, kind: 'refused', reason: refused };
    if (!recordsOnly(state, event.type)) return { accepted: false, kind: 'refused', reason: stateRefusal(state, event.type) };
  }
  const effects = actions.filter((a) => a.type === 'openNextIteration').map(() => ({ type: 'openNextIteration' as const }));
  return { accepted: true, snapshot: next, state: stateOf(next), effects };
}

/**
 * The event types this actor may send now, from the catalogue: the state has a route for it, the
 * actor is who may send it, and (where the entry says) there is something for them to answer.
 */
export function nextEvents(snapshot: CycleSnapshot, actor: Actor): UserEventType[] {
  if (snapshot.status === 'done') return [];
  const state = stateOf(snapshot);
  const context = snapshot.context;
  return USER_EVENTS.filter((entry) => {
    if (!stateTakes(state, entry.type)) return false;
    const offered = (entry as { offered?: (c: CycleContext, a: Actor) => boolean }).offered;
    if (entry.who.kind === 'optionAuthor' || entry.who.kind === 'actionOwner') return offered?.(context, actor) ?? false;
    return whoRefuses(entry.who, entry.type, context, actor) === undefined && (offered?.(context, actor) ?? true);
  }).map((entry) => entry.type);
}
