import fc from 'fast-check';
import { transition } from 'xstate';
import { cycleMachine } from './cycle.machine';
import { Actor, CycleInput, CycleState, MILESTONE_EVENT_TYPES } from './cycle.types';
import type { CycleEvent } from './cycle.catalogue';
import { USER_EVENT_TYPES } from './cycle.catalogue';
import { CycleSnapshot, decide, nextEvents, persistCycle, restoreCycle, startCycle, stateOf } from './cycle.engine';
import { openProposal } from './cycle.rules';
import { Directory } from './cycle.people';
import { tasksOf } from './cycle.tasks';
import { cashPledged, committed } from './cycle.funding';
import { RecordedEntry, snapshotDisagreement } from './cycle.audit';
import { splitTexts } from './cycle.texts';

/**
 * Random sequences of events by random actors; after every step the lifecycle's invariants hold.
 * Fields are drawn mostly from the cycle as it is (the latest revision, a live option, the open
 * proposal), so that sequences reach the later states, and sometimes at random.
 */
const ORGS = ['council', 'icb', 'charity', 'forum'];
const DIRECTORY_KINDS: Record<string, 'commissioner' | 'provider' | 'community'> = { council: 'commissioner', icb: 'commissioner', charity: 'provider', forum: 'community' };
const input: CycleInput = {
  coOwners: [
    { organisationId: 'council', role: 'commissioner' },
    { organisationId: 'icb', role: 'commissioner' },
    { organisationId: 'charity', role: 'provider' },
    { organisationId: 'forum', role: 'community' },
  ],
  panelUserIds: ['panel-1', 'panel-2', 'panel-3'],
  facilitatorUserIds: ['facilitator'],
  outcomeIds: ['outcome'],
  metrics: [{ id: 'metric', name: 'Admissions', outcomeId: 'outcome' }],
};
const ACTORS: Actor[] = [
  ...ORGS.map((o) => ({ userId: `user-${o}`, organisationId: o })),
  { userId: 'panel-1', organisationId: 'forum' },
  { userId: 'panel-2', organisationId: 'elsewhere' },
  { userId: 'panel-3', organisationId: null },
  { userId: 'facilitator', organisationId: 'mediation' },
  { userId: 'user-carers', organisationId: 'carers' },
  { userId: 'outsider', organisationId: 'outsider' },
  { userId: null, organisationId: null, system: true },
];
/** The partnership as the people events' rules see it: `spare` is a member no random event invites. */
const DIRECTORY: Directory = {
  members: { council: 'commissioner', icb: 'commissioner', charity: 'provider', forum: 'community', carers: 'provider', elsewhere: 'community', spare: 'provider' },
  users: {
    ...Object.fromEntries(ORGS.map((o) => [`user-${o}`, { name: o, organisationId: o, kind: DIRECTORY_KINDS[o], active: true }])),
    'panel-1': { name: 'Panel 1', organisationId: 'forum', kind: 'community', active: true },
    'panel-2': { name: 'Panel 2', organisationId: 'elsewhere', kind: 'community', active: true },
    'panel-3': { name: 'Panel 3', organisationId: null, kind: null, active: true },
    'user-carers': { name: 'Carers', organisationId: 'carers', kind: 'provider', active: true },
    facilitator: { name: 'Facilitator', organisationId: 'mediation', kind: 'facilitator', active: true },
  },
  outcomes: { outcome: [{ id: 'metric', name: 'Admissions' }] },
};
/** Every type appears; the ones that move a cycle forward appear more often. */
const TYPES = [
  ...USER_EVENT_TYPES,
  ...MILESTONE_EVENT_TYPES,
  ...Array<string>(12).fill('ENDORSE_PROBLEM'),
  ...Array<string>(3).fill('LAUNCH'),
  ...Array<string>(3).fill('REVISE_PROBLEM'),
  ...Array<string>(3).fill('SUBMIT_OPTION'),
  ...Array<string>(3).fill('CLOSE_OPTIONS'),
  ...Array<string>(3).fill('PROPOSE_DECISION'),
  ...Array<string>(12).fill('CONSENT'),
  ...Array<string>(5).fill('START_REVIEW'),
  ...Array<string>(14).fill('SIGN_OFF_REVIEW'),
  ...Array<string>(3).fill('RESOLVE_ESCALATION'),
  ...Array<string>(4).fill('PLEDGE'),
  ...Array<string>(2).fill('ADD_ACTION'),
  ...Array<string>(2).fill('COMPLETE_ACTION'),
];
const AFTER_FRAMING: CycleState[] = ['options', 'deciding', 'delivering', 'reviewing', 'closed'];
const AFTER_DECIDING: CycleState[] = ['delivering', 'reviewing', 'closed'];

/** Co-owners act more often than panel members, facilitators, outsiders and milestones. */
const ACTOR_PICKS = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const PEOPLE = ['panel-1', 'panel-2', 'panel-3', 'user-carers', 'facilitator', 'user-council'];
const INVITED: [string, string][] = [
  ['carers', 'provider'],
  ['elsewhere', 'community'],
  ['forum', 'community'],
  ['council', 'provider'],
];
const step = fc.record({
  actor: fc.constantFrom(...ACTOR_PICKS),
  type: fc.nat(TYPES.length - 1),
  fromContext: fc.integer({ min: 0, max: 9 }).map((n) => n > 1),
  n: fc.nat(5),
  text: fc.constantFrom('a', 'why', 'Residents were not asked'),
  outcome: fc.constantFrom('close' as const, 'iterate' as const),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function eventOf(s: Step, snapshot: CycleSnapshot, index: number): CycleEvent {
  const ctx = snapshot.context;
  const actor = ACTORS[s.actor];
  const type = TYPES[s.type] as CycleEvent['type'];
  const live = ctx.options.filter((o) => o.status === 'live');
  const optionId = s.fromContext && live.length ? live[s.n % live.length].id : `option-${s.n}`;
  const proposalId = s.fromContext ? (openProposal(ctx)?.id ?? `proposal-${s.n}`) : `proposal-${s.n}`;
  const revision = s.fromContext ? ctx.problem.revisions.length : s.n;
  const fields: Record<string, unknown> = {
    statement: s.text,
    revision,
    reason: s.text,
    optionId: type === 'SUBMIT_OPTION' ? `option-${index}` : optionId,
    title: s.text,
    summary: s.text,
    scores: [{ outcomeId: s.fromContext ? 'outcome' : 'other', score: s.n % 6 }],
    proposalId: type === 'PROPOSE_DECISION' ? `proposal-${index}` : proposalId,
    optionIds: [optionId],
    rationale: s.text,
    note: s.text,
    readings: [{ metric: s.fromContext ? 'metric' : 'other', value: s.n }],
    insight: s.text,
    recommendation: 'adapt',
    outcome: s.outcome,
    resolution: s.text,
    panelUserIds: PEOPLE.filter((_, i) => (s.n + index) & (1 << i)).slice(0, 3),
    facilitatorUserIds: PEOPLE.slice(3 + (s.n % 3), 5),
    organisationId: (s.fromContext && type === 'REMOVE_CO_OWNER' ? ctx.coOwners[s.n % ctx.coOwners.length]?.organisationId : undefined) ?? INVITED[s.n % 4][0],
    role: INVITED[s.n % 4][1],
    providerOrganisationIds: s.n % 2 ? ['charity', 'carers'] : undefined,
    kind: (['cash', 'cash', 'in_kind', 'staff_time'] as const)[s.n % 4],
    amountPence: s.n % 4 < 2 ? (s.n + 1) * 100_000 : undefined,
    description: s.text,
    allocations: s.fromContext && s.n % 3 === 0 ? ctx.coOwners.slice(0, 2).map((o) => ({ optionId, organisationId: o.organisationId, amountPence: (s.n + 1) * 50_000 })) : undefined,
    ownerOrganisationId: ctx.coOwners[s.n % Math.max(1, ctx.coOwners.length)]?.organisationId ?? 'council',
    dueAt: '2027-03-31T17:00:00.000Z',
    actionId: type === 'ADD_ACTION' ? `action-${index}` : ((ctx.actions ?? []).find((a) => !a.doneAt)?.id ?? `action-${s.n}`),
    estimatedCostPence: s.n * 1_000_000,
  };
  return { type, actor, at: new Date(Date.UTC(2027, 0, 1, 0, 0, index)).toISOString(), directory: DIRECTORY, ...fields } as CycleEvent;
}

/** A scripted walk to a later state, so that random sequences also explore deciding and beyond. */
function scripted(until: CycleState): CycleSnapshot {
  const [council, icb, charity, forum] = ACTORS;
  const script: [Actor, Record<string, unknown>][] = [
    [council, { type: 'LAUNCH' }],
    [charity, { type: 'REVISE_PROBLEM', statement: 's' }],
    ...[council, icb, charity, forum].map((a): [Actor, Record<string, unknown>] => [a, { type: 'ENDORSE_PROBLEM', revision: 1 }]),
    [charity, { type: 'SUBMIT_OPTION', optionId: 'o', title: 't', summary: 's' }],
    [council, { type: 'CLOSE_OPTIONS' }],
    [icb, { type: 'PROPOSE_DECISION', proposalId: 'p', optionIds: ['o'], rationale: 'r' }],
    ...[council, icb, charity, forum].map((a): [Actor, Record<string, unknown>] => [a, { type: 'CONSENT', proposalId: 'p' }]),
    [council, { type: 'START_REVIEW' }],
  ];
  let snapshot = startCycle(input);
  for (const [actor, body] of script) {
    if (stateOf(snapshot) === until) break;
    const decision = decide(snapshot, { ...body, actor, at: '2027-01-01T00:00:00.000Z' } as CycleEvent);
    if (!decision.accepted) throw new Error(decision.reason);
    snapshot = decision.snapshot;
  }
  return snapshot;
}
const STARTS: CycleState[] = ['draft', 'framing', 'options', 'deciding', 'delivering', 'reviewing'];

/** From a scripted start, random steps (the accepted ones applied); `each` sees every state on the way. */
function walk(start: CycleState, steps: Step[], each?: (snapshot: CycleSnapshot) => void): CycleSnapshot {
  let snapshot = scripted(start);
  steps.forEach((s, index) => {
    const decision = decide(snapshot, eventOf(s, snapshot, index));
    if (decision.accepted) snapshot = decision.snapshot;
    each?.(snapshot);
  });
  return snapshot;
}

/** The state the cycle works in: itself, or where an escalation came from. */
const workingState = (s: CycleSnapshot): CycleState => (stateOf(s) === 'escalated' ? s.context.escalations.at(-1)!.from : stateOf(s));

/**
 * Never `options` without every *current* co-owner's endorsement of the latest revision, never
 * `delivering` without every current co-owner's consent, never `closed` without every current
 * panel member's sign-off (checked as the cycle moves into each; co-owners may be invited or
 * leave, and the panel change, later on).
 */
function checkInvariants(before: CycleSnapshot, s: CycleSnapshot): void {
  const ctx = s.context;
  const moved = (from: CycleState, to: CycleState) => stateOf(before) === from && stateOf(s) === to;
  const everyone = (orgs: string[]) => ctx.coOwners.every((c) => orgs.includes(c.organisationId));
  expect(ctx.coOwners.some((c) => c.role === 'commissioner')).toBe(true);
  if (stateOf(s) !== 'draft') expect(ctx.coOwners.some((c) => c.role !== 'commissioner')).toBe(true);
  if (AFTER_FRAMING.includes(workingState(s))) expect(ctx.problem.revisions.length).toBeGreaterThan(0);
  if (moved('framing', 'options')) {
    const latest = ctx.problem.revisions.length;
    expect(everyone(ctx.problem.endorsements.filter((e) => e.revision === latest).map((e) => e.organisationId))).toBe(true);
    expect(ctx.problem.objections.some((o) => o.revision === latest)).toBe(false);
  }
  if (AFTER_DECIDING.includes(workingState(s))) {
    const accepted = ctx.proposals.filter((p) => p.status === 'accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0].objections).toEqual([]);
    if (moved('deciding', 'delivering')) expect(everyone(accepted[0].consents.map((c) => c.organisationId))).toBe(true);
  }
  if (stateOf(s) === 'closed') {
    expect(ctx.signOffs.map((x) => x.userId).sort()).toEqual([...ctx.panelUserIds].sort());
  }
  // Committed cash never exceeds pledged cash, for any organisation, at any step.
  for (const o of ctx.coOwners) expect({ org: o.organisationId, over: committed(ctx, o.organisationId) > cashPledged(ctx, o.organisationId) }).toEqual({ org: o.organisationId, over: false });
}

describe('the cycle machine under random events', () => {
  it('keeps its invariants after every step, and final states stay final', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 1, maxLength: 120 }), (start, steps) => {
        let snapshot = scripted(start);
        let accepted = 0;
        const reached = new Set<CycleState>();
        steps.forEach((s, index) => {
          const before = stateOf(snapshot);
          const decision = decide(snapshot, eventOf(s, snapshot, index));
          if (before === 'closed' || before === 'cancelled') {
            expect(decision.accepted).toBe(false);
            return;
          }
          if (!decision.accepted) return;
          accepted++;
          const previous = snapshot;
          snapshot = restoreCycle(JSON.parse(JSON.stringify(persistCycle(decision.snapshot))));
          reached.add(stateOf(snapshot));
          checkInvariants(previous, snapshot);
        });
        return accepted >= 0 && reached.size >= 0;
      }),
      { numRuns: 600 },
    );
  });

  it("decides exactly as XState's own transition() does (the engine's one shared inert scope changes nothing)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 1, maxLength: 80 }), (start, steps) => {
        let snapshot = scripted(start);
        steps.forEach((s, index) => {
          const event = eventOf(s, snapshot, index);
          const decision = decide(snapshot, event);
          if (!decision.accepted || stateOf(snapshot) === 'closed' || stateOf(snapshot) === 'cancelled') return;
          const [next, actions] = transition(cycleMachine, snapshot, event);
          expect({ value: decision.snapshot.value, status: decision.snapshot.status, context: decision.snapshot.context }).toEqual({ value: next.value, status: next.status, context: next.context });
          expect(decision.effects).toEqual(actions.filter((a) => a.type === 'openNextIteration').map(() => ({ type: 'openNextIteration' })));
          snapshot = decision.snapshot;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a transition that opens the next iteration leaves no action behind for the next one', () => {
    const closing = fc
      .sample(fc.array(step, { minLength: 200, maxLength: 300 }), { numRuns: 400, seed: 7 })
      .map((steps) => {
        let snapshot = scripted('reviewing');
        for (const [index, s] of steps.entries()) {
          const event = eventOf(s, snapshot, index);
          const decision = decide(snapshot, event);
          if (decision.accepted && decision.effects.length) return { snapshot, event };
          if (decision.accepted) snapshot = decision.snapshot;
        }
        return undefined;
      })
      .find(Boolean);
    expect(closing).toBeDefined();
    expect(decide(closing!.snapshot, closing!.event)).toMatchObject({ accepted: true, effects: [{ type: 'openNextIteration' }] });
    // The same cycle, before it closes: an ordinary event after one that opened an iteration has no effect.
    const plain = decide(scripted('delivering'), { type: 'RECORD_PROGRESS', note: 'Weekly', actor: ACTORS[0], at: '2027-01-02T00:00:00.000Z' } as CycleEvent);
    expect(plain).toMatchObject({ accepted: true, effects: [] });
  });

  it('random sequences do reach the later states (the generator is not toothless)', () => {
    const reached = new Set<CycleState>();
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 50, maxLength: 300 }), (start, steps) => {
        walk(start, steps, (snapshot) => reached.add(stateOf(snapshot)));
      }),
      { numRuns: 300, seed: 42 },
    );
    expect([...reached]).toEqual(expect.arrayContaining(['framing', 'options', 'deciding', 'delivering', 'reviewing', 'closed', 'escalated', 'cancelled']));
  });
});

/**
 * What nextEvents offers (read from the catalogue, without trying events) must be exactly what
 * the machine accepts: for every actor and every people's event type, a plausible event (fields
 * from the cycle as it is, as a form would fill them) is accepted if and only if it is offered.
 */
function plausible(ctx: CycleSnapshot['context'], type: string, actor: Actor): CycleEvent[] {
  const base = { type, actor, at: '2027-01-02T00:00:00.000Z', directory: DIRECTORY };
  const live = ctx.options.filter((o) => o.status === 'live');
  const open = openProposal(ctx);
  const fields: Record<string, Record<string, unknown>[]> = {
    REVISE_PROBLEM: [{ statement: 'a' }],
    ENDORSE_PROBLEM: [{ revision: ctx.problem.revisions.length }],
    OBJECT_PROBLEM: [{ revision: ctx.problem.revisions.length, reason: 'r' }],
    SUBMIT_OPTION: [{ optionId: 'new-option', title: 't', summary: 's' }],
    AMEND_OPTION: live.map((o) => ({ optionId: o.id, title: 't' })),
    WITHDRAW_OPTION: live.map((o) => ({ optionId: o.id })),
    APPRAISE_OPTION: live.slice(0, 1).map((o) => ({ optionId: o.id, scores: [] })),
    PROPOSE_DECISION: live.slice(0, 1).map((o) => ({ proposalId: 'new-proposal', optionIds: [o.id], rationale: 'r' })),
    CONSENT: open ? [{ proposalId: open.id }] : [],
    OBJECT: open ? [{ proposalId: open.id, reason: 'r' }] : [],
    RECORD_PROGRESS: [{ note: 'n' }],
    RECORD_LEARNING: [{ insight: 'i', recommendation: 'continue' }],
    SIGN_OFF_REVIEW: [{ outcome: 'close' }],
    ESCALATE: [{ reason: 'r' }],
    CANCEL: [{ reason: 'r' }],
    RESOLVE_ESCALATION: [{ resolution: 'r' }],
    EDIT_DRAFT: [{ title: 't' }],
    // Those who signed off stay; the change is panel-1 or panel-2 (members' users) with them, them
    // alone (the others removed), or everyone with those two added.
    CHANGE_PANEL: [
      [...new Set([...ctx.signOffs.map((x) => x.userId), 'panel-1'])],
      [...new Set([...ctx.signOffs.map((x) => x.userId), 'panel-2'])],
      ctx.signOffs.map((x) => x.userId),
      [...new Set([...ctx.panelUserIds, 'panel-1', 'panel-2'])],
    ]
      .filter((ids) => ids.length)
      .map((panelUserIds) => ({ panelUserIds })),
    CHANGE_FACILITATORS: [{ facilitatorUserIds: ctx.facilitatorUserIds.length ? [] : ['facilitator'] }],
    INVITE_CO_OWNER: [{ organisationId: 'spare', role: 'provider' }],
    LEAVE_CYCLE: [{ reason: 'r' }],
    PLEDGE: [{ kind: 'cash', amountPence: 1_000_000_000_000, description: 'd' }],
    ADD_ACTION: ctx.coOwners.slice(0, 1).map((o) => ({ actionId: 'new-action', title: 't', ownerOrganisationId: o.organisationId, dueAt: '2027-03-31T17:00:00.000Z' })),
    COMPLETE_ACTION: (ctx.actions ?? []).filter((a) => !a.doneAt && a.ownerOrganisationId === actor.organisationId).map((a) => ({ actionId: a.id })),
    REMOVE_CO_OWNER: ctx.coOwners.map((o) => ({ organisationId: o.organisationId, reason: 'r' })),
  };
  return (fields[type] ?? [{}]).map((f) => ({ ...base, ...f }) as CycleEvent);
}

describe('nextEvents, read from the catalogue', () => {
  it('offers exactly the event types the machine would accept from that actor now', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 0, maxLength: 60 }), (start, steps) => {
        const snapshot = walk(start, steps);
        for (const actor of ACTORS.filter((a) => !a.system)) {
          const offered = nextEvents(snapshot, actor);
          const accepted = USER_EVENT_TYPES.filter((type) => plausible(snapshot.context, type, actor).some((e) => decide(snapshot, e).accepted));
          expect({ state: stateOf(snapshot), actor: actor.userId, offered }).toEqual({ state: stateOf(snapshot), actor: actor.userId, offered: accepted });
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Who is told it is their turn (cycle.tasks.ts) is who the machine would let act: never a task nobody can do. */
describe('tasks, read from the same cycle as nextEvents', () => {
  it('offers every task’s assignee one of the events that do it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 0, maxLength: 80 }), (start, steps) => {
        const snapshot = walk(start, steps);
        for (const task of tasksOf(snapshot)) {
          const actor: Actor =
            'organisationId' in task.assignee
              ? { userId: 'someone', organisationId: task.assignee.organisationId }
              : 'userId' in task.assignee
                ? { userId: task.assignee.userId, organisationId: null }
                : { userId: 'an-admin', organisationId: null };
          const offered = nextEvents(snapshot, actor);
          expect({ task: task.key, offered: task.events.some((e) => offered.includes(e)) }).toEqual({ task: task.key, offered: true });
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The history's entries rebuild what the snapshot and its texts say (cycle.audit.ts): any accepted sequence, carried statement or none. */
describe('the stored cycle compared with its history', () => {
  it('agrees after any sequence of accepted events, and finds a changed revision, option or consent', () => {
    const carriedAt = new Date(Date.UTC(2026, 11, 31));
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { minLength: 0, maxLength: 80 }), (carry, steps) => {
        const carried = carry ? { statement: 'Carried over', at: carriedAt } : undefined;
        let snapshot = startCycle({ ...input, ...(carried && { carriedStatement: { statement: carried.statement, at: carriedAt.toISOString() } }) });
        const entries: RecordedEntry[] = [];
        const [council, icb, charity, forum] = ACTORS;
        const script: [Actor, Record<string, unknown>][] = [
          [council, { type: 'LAUNCH' }],
          [charity, { type: 'REVISE_PROBLEM', statement: 's' }],
          ...[council, icb, charity, forum].map((a): [Actor, Record<string, unknown>] => [a, { type: 'ENDORSE_PROBLEM', revision: carry ? 2 : 1 }]),
          [charity, { type: 'SUBMIT_OPTION', optionId: 'o', title: 't', summary: 's' }],
        ];
        const events = [
          ...script.map(([actor, body], i) => ({ ...body, actor, at: new Date(Date.UTC(2027, 0, 1, 0, 0, 0, i)).toISOString() }) as CycleEvent),
          ...steps.map((s, index) => (snap: CycleSnapshot) => eventOf(s, snap, index + 100)),
        ];
        for (const made of events) {
          const event = typeof made === 'function' ? made(snapshot) : made;
          const decision = decide(snapshot, event);
          if (!decision.accepted) continue;
          snapshot = decision.snapshot;
          const { type, actor, at, directory: _, ...payload } = event as CycleEvent & Record<string, unknown>;
          entries.push({ seq: entries.length + 2, type, actorUserId: actor.userId, organisationId: actor.organisationId, payload: JSON.parse(JSON.stringify(payload)), at: new Date(at) });
        }
        const stored = JSON.parse(JSON.stringify(persistCycle(snapshot)));
        const head = entries.length + 1;
        expect(snapshotDisagreement(stored, {}, entries, head, carried)).toBeUndefined();
        // Stored as the repository stores it: without texts, the texts by key.
        const { slim, texts } = splitTexts(stored);
        expect(snapshotDisagreement(slim, texts, entries, head, carried)).toBeUndefined();
        const revise = entries.find((e) => e.type === 'REVISE_PROBLEM')!;
        const number = carry ? 2 : 1;
        expect(snapshotDisagreement(slim, { ...texts, [`revision:${number}`]: 'Not what was written' }, entries, head, carried)).toMatchObject({ seq: revise.seq, where: 'texts' });
        const retitled = JSON.parse(JSON.stringify(slim));
        retitled.context.options[0].title = 'Another title';
        expect(snapshotDisagreement(retitled, texts, entries, head, carried)).toMatchObject({ where: 'snapshot', reason: expect.stringMatching(/option 1 /) });
        const consented = snapshot.context.proposals.findIndex((p) => p.consents.length > 0);
        if (consented >= 0) {
          const unconsented = JSON.parse(JSON.stringify(slim));
          unconsented.context.proposals[consented].consents.pop();
          expect(snapshotDisagreement(unconsented, texts, entries, head, carried)).toMatchObject({ where: 'snapshot', reason: expect.stringMatching(/proposal/) });
        }
        if (carried) expect(snapshotDisagreement(slim, texts, entries, head, { ...carried, statement: 'Another' })).toMatchObject({ seq: 1, where: 'texts' });
      }),
      { numRuns: 300 },
    );
  });
});
