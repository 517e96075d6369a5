/** The property specs' random cycles: the steps, the events they make and the invariants checked after each. */
import fc from 'fast-check';
import { Actor, CycleInput, CycleState, MILESTONE_EVENT_TYPES } from './cycle.types';
import type { CycleEvent } from './cycle.catalogue';
import { USER_EVENT_TYPES } from './cycle.catalogue';
import { CycleSnapshot, decide, startCycle, stateOf } from './cycle.engine';
import { openProposal, standingFor } from './cycle.rules';
import { Directory } from './cycle.people';
import { cashPledged, committed } from './cycle.funding';

/** The random cycles of the property specs: fast-check's steps, the events they make, the walk and the invariants checked after each step. */
/**
 * Random sequences of events by random actors; after every step the lifecycle's invariants hold.
 * Fields are drawn mostly from the cycle as it is (the latest revision, a live option, the open
 * proposal), so that sequences reach the later states, and sometimes at random.
 */
export const ORGS = ['council', 'icb', 'charity', 'forum'];
export const DIRECTORY_KINDS: Record<string, 'commissioner' | 'provider' | 'community'> = { council: 'commissioner', icb: 'commissioner', charity: 'provider', forum: 'community' };
export const input: CycleInput = {
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
export const ACTORS: Actor[] = [
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
export const DIRECTORY: Directory = {
  members: {
    council: 'commissioner',
    icb: 'commissioner',
    charity: 'provider',
    forum: 'community',
    carers: 'provider',
    elsewhere: 'community',
    spare: 'provider',
    unitary: 'commissioner',
    'merged-forum': 'community',
  },
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
export const TYPES = [
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
  // A reorganisation: an organisation succeeded (by a newcomer, or by a co-owner), a person handing over.
  ...Array<string>(3).fill('ORGANISATION_SUCCEEDED'),
  ...Array<string>(2).fill('HANDED_OVER'),
];
/** Who may succeed a co-owner: newcomers of each kind and the co-owners themselves. */
export const SUCCESSORS = ['unitary', 'merged-forum', 'carers', 'council', 'icb', 'charity', 'forum'];
export const AFTER_FRAMING: CycleState[] = ['options', 'deciding', 'delivering', 'reviewing', 'closed'];
export const AFTER_DECIDING: CycleState[] = ['delivering', 'reviewing', 'closed'];

/** Co-owners act more often than panel members, facilitators, outsiders and milestones. */
export const ACTOR_PICKS = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
export const PEOPLE = ['panel-1', 'panel-2', 'panel-3', 'user-carers', 'facilitator', 'user-council'];
export const INVITED: [string, string][] = [
  ['carers', 'provider'],
  ['elsewhere', 'community'],
  ['forum', 'community'],
  ['council', 'provider'],
];
export const step = fc.record({
  actor: fc.constantFrom(...ACTOR_PICKS),
  type: fc.nat(TYPES.length - 1),
  fromContext: fc.integer({ min: 0, max: 9 }).map((n) => n > 1),
  n: fc.nat(5),
  text: fc.constantFrom('a', 'why', 'Residents were not asked'),
  outcome: fc.constantFrom('close' as const, 'iterate' as const),
});
export type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

export function eventOf(s: Step, snapshot: CycleSnapshot, index: number): CycleEvent {
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
    predecessorOrganisationId: s.fromContext ? (ctx.coOwners[s.n % ctx.coOwners.length]?.organisationId ?? 'council') : ORGS[s.n % ORGS.length],
    successorOrganisationId: SUCCESSORS[(s.n + index) % SUCCESSORS.length],
    fromUserId: s.fromContext ? ([...ctx.panelUserIds, ...ctx.facilitatorUserIds][s.n] ?? PEOPLE[s.n]) : PEOPLE[s.n],
    toUserId: PEOPLE[(s.n + index) % PEOPLE.length],
  };
  // The service records a succession or a handover; now and then a person tries to.
  const service = type === 'ORGANISATION_SUCCEEDED' || type === 'HANDED_OVER';
  return { type, actor: service && s.fromContext ? ACTORS[ACTORS.length - 1] : actor, at: new Date(Date.UTC(2027, 0, 1, 0, 0, index)).toISOString(), directory: DIRECTORY, ...fields } as CycleEvent;
}

/** A scripted walk to a later state, so that random sequences also explore deciding and beyond. */
export function scripted(until: CycleState): CycleSnapshot {
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
export const STARTS: CycleState[] = ['draft', 'framing', 'options', 'deciding', 'delivering', 'reviewing'];

/** From a scripted start, random steps (the accepted ones applied); `each` sees every state on the way. */
export function walk(start: CycleState, steps: Step[], each?: (snapshot: CycleSnapshot) => void): CycleSnapshot {
  let snapshot = scripted(start);
  steps.forEach((s, index) => {
    const decision = decide(snapshot, eventOf(s, snapshot, index));
    if (decision.accepted) snapshot = decision.snapshot;
    each?.(snapshot);
  });
  return snapshot;
}

/** The state the cycle works in: itself, or where an escalation came from. */
export const workingState = (s: CycleSnapshot): CycleState => (stateOf(s) === 'escalated' ? s.context.escalations.at(-1)!.from : stateOf(s));

/**
 * Never `options` without every *current* co-owner's endorsement of the latest revision, never
 * `delivering` without every current co-owner's consent, never `closed` without every current
 * panel member's sign-off (checked as the cycle moves into each; co-owners may be invited or
 * leave, and the panel change, later on).
 */
export function checkInvariants(before: CycleSnapshot, s: CycleSnapshot): void {
  const ctx = s.context;
  const moved = (from: CycleState, to: CycleState) => stateOf(before) === from && stateOf(s) === to;
  // What an organisation gave counts for the one that succeeded it.
  const everyone = (orgs: string[]) => ctx.coOwners.every((c) => orgs.map((o) => standingFor(ctx, o)).includes(c.organisationId));
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
  // An organisation co-owns once; a succession never touches a finished cycle.
  expect(new Set(ctx.coOwners.map((o) => o.organisationId)).size).toBe(ctx.coOwners.length);
  if (['closed', 'cancelled'].includes(stateOf(before))) expect(ctx.successions ?? []).toEqual(before.context.successions ?? []);
  // No one still stands for an organisation that was succeeded: it co-owns nothing, owns no open action, pledges nothing.
  for (const { predecessorOrganisationId: gone } of ctx.successions ?? []) {
    if (ctx.coOwners.some((o) => o.organisationId === gone) || (ctx.pledges ?? []).some((p) => p.organisationId === gone)) {
      // It may have come back as a successor of another (a chain): only then may it be there.
      expect((ctx.successions ?? []).some((x) => x.successorOrganisationId === gone)).toBe(true);
    }
  }
  // Committed cash never exceeds pledged cash, for any organisation, at any step.
  for (const o of ctx.coOwners) expect({ org: o.organisationId, over: committed(ctx, o.organisationId) > cashPledged(ctx, o.organisationId) }).toEqual({ org: o.organisationId, over: false });
}
