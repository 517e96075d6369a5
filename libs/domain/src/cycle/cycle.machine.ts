/**
 * The cycle's lifecycle, generated from the event catalogue. Every transition is guarded by who
 * may send the event (`commissioner`, `coOwner`, `representative`, `optionAuthor`, `coOwnerOrPanel`,
 * `panelMember`, `facilitator`, `milestone`) and by its rule (`rule.<TYPE>`), and changes the context with its
 * effect (`record.<TYPE>`), `escalate`, or nothing. The chart of the machine therefore reads as
 * "who may do what, from where, to where".
 */
import { and, assign, enqueueActions, not, setup } from 'xstate';
import { CATALOGUE, CycleEvent } from './cycle.catalogue';
import { acceptOpenProposal, close, escalate } from './cycle.record';
import { everyCoOwnerConsented, everyCoOwnerEndorsed, everyPanelMemberSignedOff, liveOptions, openProposal, whoRefuses } from './cycle.rules';
import { CYCLE_STATES, CycleContext, CycleInput, CycleState, WorkingState } from './cycle.types';
import { Route, WORKING_STATES, WhoKind } from './event-definition';

/** Bump when a change to the machine needs running cycles' snapshots migrated. */
export const CYCLE_MACHINE_VERSION = 2;
// 2: progress updates left the context (they grew every snapshot rewritten on each event); the
//    cycle's history holds them, and the view reads them from there.

/** Each state's name for people, and how a refusal describes it ("The cycle is <description>"). */
export const STATE_META: Record<CycleState, { label: string; description: string }> = {
  draft: { label: 'Draft', description: 'still a draft that has not been launched' },
  framing: { label: 'Framing the problem', description: 'framing the problem' },
  options: { label: 'Options', description: 'gathering options' },
  deciding: { label: 'Deciding', description: 'deciding between options' },
  delivering: { label: 'Delivering', description: 'delivering' },
  reviewing: { label: 'Learning review', description: 'in its learning review' },
  escalated: { label: 'Escalated', description: 'escalated and waiting for a facilitator' },
  cancelled: { label: 'Cancelled', description: 'cancelled' },
  closed: { label: 'Closed', description: 'closed' },
};

const initialContext = (input: CycleInput): CycleContext => ({
  coOwners: input.coOwners,
  panelUserIds: input.panelUserIds,
  facilitatorUserIds: input.facilitatorUserIds,
  outcomeIds: input.outcomeIds,
  metrics: input.metrics,
  problem: {
    revisions: input.carriedStatement
      ? [{ number: 1, statement: input.carriedStatement.statement, authorOrganisationId: null, authorUserId: null, carriedForward: true, at: input.carriedStatement.at }]
      : [],
    endorsements: [],
    objections: [],
  },
  options: [],
  appraisals: [],
  proposals: [],
  learnings: [],
  signOffs: [],
  escalations: [],
  cancellation: null,
  closure: null,
});

type GuardArgs = { context: CycleContext; event: CycleEvent };
type Guard = (args: GuardArgs) => boolean;
const entries = [...CATALOGUE.values()];

const whoGuard =
  (kind: WhoKind): Guard =>
  ({ context, event }) =>
    whoRefuses({ kind, doing: '' } as never, event.type, context, event.actor, event as { optionId?: unknown; actionId?: unknown }) === undefined;
const WHO_KINDS: WhoKind[] = ['commissioner', 'coOwner', 'representative', 'optionAuthor', 'actionOwner', 'coOwnerOrPanel', 'panelMember', 'facilitator', 'milestone', 'service'];

const guards: Record<string, Guard> = {
  ...Object.fromEntries(WHO_KINDS.map((kind) => [kind, whoGuard(kind)])),
  ...Object.fromEntries(entries.filter((e) => e.rule).map((e) => [`rule.${e.type}`, ({ context, event }: GuardArgs) => e.rule!(context, event as never) === undefined])),
  ...Object.fromEntries(WORKING_STATES.map((state) => [`returnsTo.${state}`, ({ context }: GuardArgs) => context.escalations.at(-1)?.from === state])),
  hasLiveOption: ({ context }) => liveOptions(context).length > 0,
  everyCoOwnerEndorsed: ({ context }) => everyCoOwnerEndorsed(context),
  everyCoOwnerConsented: ({ context }) => everyCoOwnerConsented(openProposal(context), context),
  everyPanelMemberSignedOff: ({ context }) => everyPanelMemberSignedOff(context),
};

const machineSetup = setup({
  types: { context: {} as CycleContext, events: {} as CycleEvent, input: {} as CycleInput },
  guards,
  actions: {
    ...Object.fromEntries(entries.filter((e) => e.effect).map((e) => [`record.${e.type}`, assign(({ context, event }: GuardArgs) => e.effect!(context, event as never))])),
    escalate: assign(({ context, event }, params: { from: WorkingState }) => escalate(context, event, params.from)),
    acceptProposal: assign(({ context }) => acceptOpenProposal(context)),
    close: assign(({ context, event }) => close(context, event.at)),
    /** A side effect the service carries out in the same transaction: open iteration n+1. */
    openNextIteration: () => undefined,
  },
});

/** One route of the catalogue as an XState transition, with its guards named. */
function transitionOf(type: string, from: CycleState, route: Route) {
  const entry = CATALOGUE.get(type)!;
  const conditions = [entry.who.kind, ...(entry.rule && !route.skipRule ? [`rule.${type}`] : []), ...(route.when ?? []), ...(route.unless ?? []).map((name) => not(name))];
  const effect = route.effect ?? 'record';
  const actions = effect === 'escalate' ? { type: 'escalate', params: { from: from as WorkingState } } : effect === 'record' && entry.effect ? `record.${type}` : undefined;
  // Names checked by setup() at run time; the generated config is typed as a whole below.
  return { guard: and(conditions as never[]), ...(route.to && { target: route.to === from ? undefined : route.to }), ...(actions && { actions }) };
}

/** The `on` block of a state: every catalogue entry with a route from it. */
const onOf = (state: CycleState) =>
  Object.fromEntries(
    entries.flatMap((entry) => {
      const routes = entry.routes[state];
      if (!routes) return [];
      return [[entry.type, (Array.isArray(routes) ? routes : [routes]).map((route) => transitionOf(entry.type, state, route))]];
    }),
  );

/** What a state does on its own once an event has been taken. */
const ALWAYS: Partial<Record<CycleState, object>> = {
  framing: { always: { guard: 'everyCoOwnerEndorsed', target: 'options' } },
  deciding: { always: { guard: 'everyCoOwnerConsented', target: 'delivering', actions: 'acceptProposal' } },
  reviewing: { always: { guard: 'everyPanelMemberSignedOff', target: 'closed', actions: 'close' } },
};

/**
 * XState builds a throwaway actor, with no input, for every `can()` and `transition()`: answer it
 * with an empty context rather than a TypeError, whose stack trace costs more than the transition.
 */
export const NO_INPUT: CycleInput = { coOwners: [], panelUserIds: [], facilitatorUserIds: [], outcomeIds: [], metrics: [] };

const states = Object.fromEntries(
  CYCLE_STATES.map((state) => [
    state,
    {
      meta: STATE_META[state],
      ...ALWAYS[state],
      ...(state === 'cancelled' && { type: 'final' }),
      ...(state === 'closed' && {
        type: 'final',
        entry: enqueueActions(({ context, enqueue }: { context: CycleContext; enqueue: (action: 'openNextIteration') => void }) => {
          if (context.closure?.outcome === 'iterate') enqueue('openNextIteration');
        }),
      }),
      on: onOf(state),
    },
  ]),
);

export const cycleMachine = machineSetup.createMachine({
  id: 'cycle',
  context: ({ input }) => initialContext(input ?? NO_INPUT),
  initial: 'draft',
  states: states as never,
});
