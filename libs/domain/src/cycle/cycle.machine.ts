import { and, assign, enqueueActions, not, setup } from 'xstate';
import { acceptOpenProposal, close, escalate, record } from './cycle.record';
import {
  everyCoOwnerConsented,
  everyCoOwnerEndorsed,
  everyPanelMemberSignedOff,
  liveOptions,
  openProposal,
  refuses,
} from './cycle.rules';
import { CycleContext, CycleEvent, CycleInput, WorkingState } from './cycle.types';

/** Bump when a change to the machine needs running cycles' snapshots migrated. */
export const CYCLE_MACHINE_VERSION = 2;
// 2: progress updates left the context (they grew every snapshot rewritten on each event); the
//    cycle's history holds them, and the view reads them from there.

const WORKING_STATES: WorkingState[] = ['draft', 'framing', 'options', 'deciding', 'delivering', 'reviewing'];

const initialContext = (input: CycleInput): CycleContext => ({
  coOwners: input.coOwners,
  panelUserIds: input.panelUserIds,
  facilitatorUserIds: input.facilitatorUserIds,
  outcomeIds: input.outcomeIds,
  metrics: input.metrics,
  problem: {
    revisions: input.carriedStatement
      ? [
          {
            number: 1,
            statement: input.carriedStatement.statement,
            authorOrganisationId: null,
            authorUserId: null,
            carriedForward: true,
            at: input.carriedStatement.at,
          },
        ]
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

const machineSetup = setup({
  types: {
    context: {} as CycleContext,
    events: {} as CycleEvent,
    input: {} as CycleInput,
  },
  guards: {
    /** Who may send it, and whether its fields make sense now (cycle.rules.ts). */
    allowed: ({ context, event }) => refuses(context, event) === undefined,
    hasLiveOption: ({ context }) => liveOptions(context).length > 0,
    everyCoOwnerEndorsed: ({ context }) => everyCoOwnerEndorsed(context),
    everyCoOwnerConsented: ({ context }) => everyCoOwnerConsented(openProposal(context), context),
    everyPanelMemberSignedOff: ({ context }) => everyPanelMemberSignedOff(context),
    returnsTo: ({ context }, params: { state: WorkingState }) => context.escalations.at(-1)?.from === params.state,
  },
  actions: {
    record: assign(({ context, event }) => record(context, event)),
    escalate: assign(({ context, event }, params: { from: WorkingState }) => escalate(context, event, params.from)),
    acceptProposal: assign(({ context }) => acceptOpenProposal(context)),
    close: assign(({ context, event }) => close(context, event.at)),
    /** A side effect the service carries out in the same transaction: open iteration n+1. */
    openNextIteration: () => undefined,
  },
});

/** ESCALATE and CANCEL, which every working state takes. */
const escapes = (from: WorkingState) =>
  ({
    ESCALATE: { guard: 'allowed', target: '#cycle.escalated', actions: { type: 'escalate', params: { from } } },
    CANCEL: { guard: 'allowed', target: '#cycle.cancelled', actions: 'record' },
  }) as const;

const stays = { guard: 'allowed', actions: 'record' } as const;

/** A milestone that found no agreement: the cycle needs a facilitator. */
const milestoneEscalates = (from: WorkingState) =>
  ({ guard: 'allowed', target: '#cycle.escalated', actions: { type: 'escalate', params: { from } } }) as const;

/**
 * XState builds a throwaway actor, with no input, for every `can()` and `transition()`: answer it
 * with an empty context rather than a TypeError, whose stack trace costs more than the transition.
 */
const NO_INPUT: CycleInput = { coOwners: [], panelUserIds: [], facilitatorUserIds: [], outcomeIds: [], metrics: [] };

export const cycleMachine = machineSetup.createMachine({
  id: 'cycle',
  context: ({ input }) => initialContext(input ?? NO_INPUT),
  initial: 'draft',
  states: {
    draft: {
      on: {
        LAUNCH: { guard: 'allowed', target: 'framing', actions: 'record' },
        ...escapes('draft'),
      },
    },
    framing: {
      always: { guard: 'everyCoOwnerEndorsed', target: 'options' },
      on: {
        REVISE_PROBLEM: stays,
        ENDORSE_PROBLEM: stays,
        OBJECT_PROBLEM: stays,
        FRAMING_DUE: milestoneEscalates('framing'),
        ...escapes('framing'),
      },
    },
    options: {
      on: {
        SUBMIT_OPTION: stays,
        AMEND_OPTION: stays,
        WITHDRAW_OPTION: stays,
        CLOSE_OPTIONS: { guard: 'allowed', target: 'deciding', actions: 'record' },
        OPTIONS_DUE: [
          { guard: and(['allowed', 'hasLiveOption']), target: 'deciding' },
          milestoneEscalates('options'),
        ],
        ...escapes('options'),
      },
    },
    deciding: {
      always: { guard: 'everyCoOwnerConsented', target: 'delivering', actions: 'acceptProposal' },
      on: {
        APPRAISE_OPTION: stays,
        PROPOSE_DECISION: stays,
        CONSENT: stays,
        OBJECT: stays,
        DECISION_DUE: milestoneEscalates('deciding'),
        ...escapes('deciding'),
      },
    },
    delivering: {
      on: {
        RECORD_PROGRESS: stays,
        START_REVIEW: { guard: 'allowed', target: 'reviewing', actions: 'record' },
        REVIEW_START: { guard: 'allowed', target: 'reviewing' },
        ...escapes('delivering'),
      },
    },
    reviewing: {
      always: { guard: 'everyPanelMemberSignedOff', target: 'closed', actions: 'close' },
      on: {
        RECORD_LEARNING: stays,
        SIGN_OFF_REVIEW: stays,
        REVIEW_DUE: { guard: and(['allowed', not('everyPanelMemberSignedOff')]), target: 'escalated', actions: { type: 'escalate', params: { from: 'reviewing' } } },
        ...escapes('reviewing'),
      },
    },
    escalated: {
      on: {
        RESOLVE_ESCALATION: WORKING_STATES.map((state) => ({
          guard: and(['allowed', { type: 'returnsTo', params: { state } }]),
          target: state,
          actions: 'record',
        })),
        CANCEL: { guard: 'allowed', target: 'cancelled', actions: 'record' },
      },
    },
    cancelled: { type: 'final' },
    closed: {
      type: 'final',
      entry: enqueueActions(({ context, enqueue }) => {
        if (context.closure?.outcome === 'iterate') enqueue('openNextIteration');
      }),
    },
  },
});
