/**
 * The cycle's event catalogue: one entry per event type, holding its fields (validation, OpenAPI
 * schema and TypeScript type from one zod schema), who may send it, its rule, its effect on what
 * the cycle remembers, where it takes the machine, and its form. The machine (cycle.machine.ts),
 * `nextEvents`, the API and the web app's forms are derived from it: adding an event is adding
 * an entry here, and its test.
 */
import { z } from 'zod';
import { openProposal, latestRevision, liveOptions, problemResponseRefuses, proposalRefuses, optionRefuses } from './cycle.rules';
import { CycleContext, MILESTONE_EVENT_TYPES, MilestoneEventType } from './cycle.types';
import { EventDefinition, EventOf, WORKING_STATES, defineEvent, fromEvery, id, text } from './event-definition';

const who = (event: { actor: { organisationId: string | null; userId: string | null }; at: string }) => ({
  organisationId: event.actor.organisationId!,
  userId: event.actor.userId!,
  at: event.at,
});
const reasonField = (missing = 'Enter the reason') => text(5000, missing, 'The reason');
const stay = { effect: 'record' } as const;

export const LAUNCH = defineEvent({
  type: 'LAUNCH',
  label: 'Launched the cycle',
  fields: z.strictObject({}),
  who: { kind: 'commissioner', doing: 'launch it' },
  routes: { draft: { to: 'framing', effect: 'none' } },
  rule: (c) => launchRefuses(c),
  offered: (c) => launchRefuses(c) === undefined,
  form: { done: 'The cycle is launched', heading: 'Launch the cycle', description: 'Co-owners can then write and agree the problem definition.', button: 'Launch' },
});

function launchRefuses(c: CycleContext): string | undefined {
  if (!c.coOwners.some((o) => o.role !== 'commissioner')) {
    return 'A cycle owned by commissioners alone is not collaborative: it needs at least one provider or community co-owner.';
  }
  if (c.panelUserIds.length === 0) return 'The cycle needs at least one review panel member before it is launched.';
  return undefined;
}

export const REVISE_PROBLEM = defineEvent({
  type: 'REVISE_PROBLEM',
  label: 'Wrote a new revision of the problem',
  fields: z.strictObject({ statement: text(20000, 'Enter the problem statement', 'The problem statement') }),
  who: { kind: 'coOwner' },
  routes: { framing: stay },
  effect: (c, e) => ({
    ...c,
    problem: {
      ...c.problem,
      revisions: [
        ...c.problem.revisions,
        {
          number: c.problem.revisions.length + 1,
          statement: e.statement,
          authorOrganisationId: e.actor.organisationId,
          authorUserId: e.actor.userId,
          carriedForward: false,
          at: e.at,
        },
      ],
    },
  }),
  form: { done: 'The new revision is saved',
    heading: ({ context }) => (context.problem.revisions.length ? `Write revision ${latestRevision(context) + 1} of the problem` : 'Write the problem definition'),
    description: 'A new revision clears every endorsement: each co-owner then endorses it or objects.',
    button: 'Save revision',
    fields: ({ context }) => [{ name: 'statement', kind: 'textarea', label: 'Problem statement', value: context.problem.revisions.at(-1)?.statement }],
  },
});

const revision = z.int({ error: 'Choose the revision' }).min(1, 'Choose the revision');
const revisionField = (context: CycleContext) => ({ name: 'revision', kind: 'hidden' as const, label: 'Revision', value: String(latestRevision(context) || ''), parse: 'number' as const });

export const ENDORSE_PROBLEM = defineEvent({
  type: 'ENDORSE_PROBLEM',
  label: 'Endorsed the problem definition',
  fields: z.strictObject({ revision }),
  who: { kind: 'coOwner' },
  routes: { framing: stay },
  rule: (c, e) => problemResponseRefuses(c, e.revision, e.actor.organisationId),
  offered: (c, actor) => problemResponseRefuses(c, latestRevision(c), actor.organisationId) === undefined,
  effect: (c, e) => ({ ...c, problem: { ...c.problem, endorsements: [...c.problem.endorsements, { revision: e.revision, ...who(e) }] } }),
  form: { done: 'Your organisation’s endorsement is recorded',
    heading: ({ context }) => `Endorse revision ${latestRevision(context)}`,
    description: 'Your organisation agrees this is the problem to solve together.',
    button: ({ context }) => `Endorse revision ${latestRevision(context)}`,
    fields: ({ context }) => [revisionField(context)],
  },
});

export const OBJECT_PROBLEM = defineEvent({
  type: 'OBJECT_PROBLEM',
  label: 'Objected to the problem definition',
  fields: z.strictObject({ revision, reason: reasonField('Enter why your organisation objects') }),
  who: { kind: 'coOwner' },
  routes: { framing: stay },
  rule: (c, e) => problemResponseRefuses(c, e.revision, e.actor.organisationId),
  offered: (c, actor) => problemResponseRefuses(c, latestRevision(c), actor.organisationId) === undefined,
  effect: (c, e) => ({
    ...c,
    problem: { ...c.problem, objections: [...c.problem.objections, { revision: e.revision, reason: e.reason, ...who(e) }] },
  }),
  form: { done: 'Your organisation’s objection is recorded',
    heading: ({ context }) => `Object to revision ${latestRevision(context)}`,
    button: 'Record objection',
    fields: ({ context }) => [revisionField(context), { name: 'reason', kind: 'textarea', label: 'Why does your organisation object?' }],
  },
});

const optionItems = (options: CycleContext['options']) => options.map((o) => ({ value: o.id, text: o.title }));
const authoredOrLive = ({ context, organisationId }: { context: CycleContext; organisationId: string | null }) => {
  const live = liveOptions(context);
  const mine = live.filter((o) => organisationId && o.authorOrganisationIds.includes(organisationId));
  return optionItems(mine.length ? mine : live);
};
const authorsLiveOption = (c: CycleContext, organisationId: string | null) =>
  organisationId !== null && liveOptions(c).some((o) => o.authorOrganisationIds.includes(organisationId));

export const SUBMIT_OPTION = defineEvent<'SUBMIT_OPTION', {
  title: ReturnType<typeof text>;
  summary: ReturnType<typeof text>;
  coAuthorOrganisationIds: z.ZodOptional<z.ZodArray<z.ZodUUID>>;
}, { optionId: string }>({
  type: 'SUBMIT_OPTION',
  label: 'Submitted an option',
  fields: z.strictObject({
    title: text(300, 'Enter a title for the option', 'The title'),
    summary: text(20000, 'Enter a summary of the option', 'The summary'),
    coAuthorOrganisationIds: z.array(z.uuid({ error: 'Choose co-authors from the list' })).max(50).optional(),
  }),
  generates: 'optionId',
  who: { kind: 'coOwner' },
  routes: { options: stay },
  rule: (c, e) => {
    const strangers = (e.coAuthorOrganisationIds ?? []).filter((org) => !c.coOwners.some((o) => o.organisationId === org));
    if (strangers.length) return `Co-authors must be co-owners of the cycle; ${strangers.join(', ')} is not.`;
    if (c.options.some((o) => o.id === e.optionId)) return `Option ${e.optionId} already exists.`;
    return undefined;
  },
  effect: (c, e) => ({
    ...c,
    options: [
      ...c.options,
      {
        id: e.optionId,
        title: e.title,
        summary: e.summary,
        status: 'live',
        authorOrganisationIds: [...new Set([e.actor.organisationId!, ...(e.coAuthorOrganisationIds ?? [])])],
        submittedByUserId: e.actor.userId!,
        amendments: 0,
        at: e.at,
      },
    ],
  }),
  form: { done: 'The option is submitted',
    heading: 'Submit an option',
    button: 'Submit option',
    fields: ({ context, organisationId, orgName }) => [
      { name: 'title', kind: 'text', label: 'Title' },
      { name: 'summary', kind: 'textarea', label: 'Summary' },
      {
        name: 'coAuthorOrganisationIds',
        kind: 'checkboxes',
        label: 'Co-authors (optional)',
        hint: 'Other co-owners writing this option with you',
        items: context.coOwners.filter((o) => o.organisationId !== organisationId).map((o) => ({ value: o.organisationId, text: orgName(o.organisationId) })),
        parse: 'list',
      },
    ],
  },
});

export const AMEND_OPTION = defineEvent({
  type: 'AMEND_OPTION',
  label: 'Amended an option',
  fields: z
    .strictObject({
      optionId: id('Choose an option'),
      title: text(300, 'Enter a new title or a new summary', 'The title').optional(),
      summary: text(20000, 'Enter a new title or a new summary', 'The summary').optional(),
    })
    .refine((e) => e.title !== undefined || e.summary !== undefined, { message: 'Enter a new title or a new summary', path: ['title'] }),
  who: { kind: 'optionAuthor', doing: 'amend it' },
  routes: { options: stay },
  rule: (c, e) => optionRefuses(c, e.optionId, 'amended'),
  offered: (c, actor) => authorsLiveOption(c, actor.organisationId),
  effect: (c, e) => ({
    ...c,
    options: c.options.map((o) => (o.id === e.optionId ? { ...o, title: e.title ?? o.title, summary: e.summary ?? o.summary, amendments: o.amendments + 1 } : o)),
  }),
  form: { done: 'The option is amended',
    heading: 'Amend an option',
    description: 'Leave a box empty to keep what it says.',
    button: 'Save changes',
    fields: (view) => [
      { name: 'optionId', kind: 'select', label: 'Option', items: authoredOrLive(view) },
      { name: 'title', kind: 'text', label: 'New title (optional)', parse: 'optionalText' },
      { name: 'summary', kind: 'textarea', label: 'New summary (optional)', parse: 'optionalText' },
    ],
  },
});

export const WITHDRAW_OPTION = defineEvent({
  type: 'WITHDRAW_OPTION',
  label: 'Withdrew an option',
  fields: z.strictObject({ optionId: id('Choose an option') }),
  who: { kind: 'optionAuthor', doing: 'withdraw it' },
  routes: { options: stay },
  rule: (c, e) => optionRefuses(c, e.optionId, 'withdrawn again'),
  offered: (c, actor) => authorsLiveOption(c, actor.organisationId),
  effect: (c, e) => ({ ...c, options: c.options.map((o) => (o.id === e.optionId ? { ...o, status: 'withdrawn' } : o)) }),
  form: { done: 'The option is withdrawn',
    heading: 'Withdraw an option',
    button: 'Withdraw option',
    warning: true,
    fields: (view) => [{ name: 'optionId', kind: 'select', label: 'Option', items: authoredOrLive(view) }],
  },
});

const noLiveOption = (c: CycleContext) => (liveOptions(c).length ? undefined : 'There is no live option: the window cannot close without one.');

export const CLOSE_OPTIONS = defineEvent({
  type: 'CLOSE_OPTIONS',
  label: 'Closed the options window',
  fields: z.strictObject({}),
  who: { kind: 'commissioner', doing: 'close the options window' },
  routes: { options: { to: 'deciding', effect: 'none' } },
  rule: (c) => noLiveOption(c),
  offered: (c) => noLiveOption(c) === undefined,
  form: { done: 'The options window is closed', heading: 'Close the options window', description: 'Co-owners then appraise the options and decide.', button: 'Close options' },
});

export const APPRAISE_OPTION = defineEvent({
  type: 'APPRAISE_OPTION',
  label: 'Appraised an option',
  fields: z.strictObject({
    optionId: id('Choose an option'),
    scores: z
      .array(z.strictObject({ outcomeId: z.uuid(), score: z.int({ error: 'Choose a score from 0 to 5' }).min(0, 'Choose a score from 0 to 5').max(5, 'Choose a score from 0 to 5') }))
      .max(100),
    comment: text(5000, 'Enter a comment', 'The comment').optional(),
  }),
  who: { kind: 'coOwner' },
  routes: { deciding: stay },
  rule: (c, e) => {
    const refused = optionRefuses(c, e.optionId, 'appraised');
    if (refused) return refused;
    const unknown = e.scores.filter((s) => !c.outcomeIds.includes(s.outcomeId)).map((s) => s.outcomeId);
    if (unknown.length) return `Appraise against the cycle's outcomes; ${unknown.join(', ')} is not one of them.`;
    const outcomes = e.scores.map((s) => s.outcomeId);
    if (new Set(outcomes).size !== outcomes.length) return 'Score each outcome once.';
    return undefined;
  },
  offered: (c) => liveOptions(c).length > 0,
  // A later appraisal by the same organisation of the same option replaces the earlier one.
  effect: (c, e) => ({
    ...c,
    appraisals: [
      ...c.appraisals.filter((a) => !(a.optionId === e.optionId && a.organisationId === e.actor.organisationId)),
      { optionId: e.optionId, scores: e.scores, comment: e.comment ?? null, ...who(e) },
    ],
  }),
  form: { done: 'Your appraisal is saved',
    heading: 'Appraise an option',
    description: 'Score it against each outcome of the cycle, from 0 (no contribution) to 5 (a great contribution).',
    button: 'Save appraisal',
    fields: ({ context, outcomeTitle }) => [
      { name: 'optionId', kind: 'select', label: 'Option', items: optionItems(liveOptions(context)) },
      ...context.outcomeIds.map((outcomeId) => ({
        name: `score_${outcomeId}`,
        kind: 'select' as const,
        label: `Score for “${outcomeTitle(outcomeId)}”`,
        items: [0, 1, 2, 3, 4, 5].map((n) => ({ value: String(n), text: String(n) })),
      })),
      { name: 'comment', kind: 'textarea', label: 'Comment (optional)', parse: 'optionalText' },
    ],
    groups: [{ prefix: 'score_', into: 'scores', key: 'outcomeId', value: 'score' }],
  },
});

export const PROPOSE_DECISION = defineEvent<'PROPOSE_DECISION', {
  optionIds: z.ZodArray<z.ZodUUID>;
  rationale: ReturnType<typeof text>;
}, { proposalId: string }>({
  type: 'PROPOSE_DECISION',
  label: 'Proposed a decision',
  fields: z.strictObject({
    optionIds: z.array(z.uuid({ error: 'Choose options from the list' }), { error: 'Choose at least one option' }).min(1, 'Choose at least one option').max(50),
    rationale: text(20000, 'Enter the rationale for the decision', 'The rationale'),
  }),
  generates: 'proposalId',
  who: { kind: 'coOwner' },
  routes: { deciding: stay },
  rule: (c, e) => {
    if (e.optionIds.length === 0) return 'A proposal chooses at least one option.';
    for (const option of e.optionIds) {
      const refused = optionRefuses(c, option, 'chosen');
      if (refused) return refused;
    }
    return undefined;
  },
  offered: (c) => liveOptions(c).length > 0,
  // A new proposal replaces one still gathering consent.
  effect: (c, e) => ({
    ...c,
    proposals: [
      ...c.proposals.map((p) => (p.status === 'open' ? { ...p, status: 'superseded' as const } : p)),
      {
        id: e.proposalId,
        optionIds: e.optionIds,
        rationale: e.rationale,
        proposedByOrganisationId: e.actor.organisationId!,
        proposedByUserId: e.actor.userId!,
        status: 'open',
        consents: [],
        objections: [],
        at: e.at,
      },
    ],
  }),
  form: { done: 'The decision is proposed',
    heading: 'Propose a decision',
    button: 'Propose decision',
    fields: ({ context }) => [
      { name: 'optionIds', kind: 'checkboxes', label: 'Options to go ahead with', items: optionItems(liveOptions(context)), parse: 'list' },
      { name: 'rationale', kind: 'textarea', label: 'Rationale' },
    ],
  },
});

const proposalField = (context: CycleContext) => ({ name: 'proposalId', kind: 'hidden' as const, label: 'Proposal', value: openProposal(context)?.id });
const canRespond = (c: CycleContext, organisationId: string | null) => {
  const open = openProposal(c);
  return open !== undefined && proposalRefuses(c, open.id, organisationId) === undefined;
};

export const CONSENT = defineEvent({
  type: 'CONSENT',
  label: 'Consented to the proposal',
  fields: z.strictObject({ proposalId: id('Choose the proposal') }),
  who: { kind: 'coOwner' },
  routes: { deciding: stay },
  rule: (c, e) => proposalRefuses(c, e.proposalId, e.actor.organisationId),
  offered: (c, actor) => canRespond(c, actor.organisationId),
  effect: (c, e) => ({ ...c, proposals: c.proposals.map((p) => (p.id === e.proposalId ? { ...p, consents: [...p.consents, who(e)] } : p)) }),
  form: { done: 'Your organisation’s consent is recorded',
    heading: 'Consent to the proposal',
    description: 'When every co-owner consents, the cycle moves to delivery.',
    button: 'Consent',
    fields: ({ context }) => [proposalField(context)],
  },
});

export const OBJECT = defineEvent({
  type: 'OBJECT',
  label: 'Objected to the proposal',
  fields: z.strictObject({ proposalId: id('Choose the proposal'), reason: reasonField('Enter why your organisation objects') }),
  who: { kind: 'coOwner' },
  routes: { deciding: stay },
  rule: (c, e) => proposalRefuses(c, e.proposalId, e.actor.organisationId),
  offered: (c, actor) => canRespond(c, actor.organisationId),
  effect: (c, e) => ({
    ...c,
    proposals: c.proposals.map((p) => (p.id === e.proposalId ? { ...p, status: 'blocked', objections: [...p.objections, { ...who(e), reason: e.reason }] } : p)),
  }),
  form: { done: 'Your organisation’s objection is recorded',
    heading: 'Object to the proposal',
    description: 'An objection blocks this proposal; a new one may follow.',
    button: 'Object',
    warning: true,
    fields: ({ context }) => [proposalField(context), { name: 'reason', kind: 'textarea', label: 'Why does your organisation object?' }],
  },
});

export const RECORD_PROGRESS = defineEvent({
  type: 'RECORD_PROGRESS',
  label: 'Recorded progress',
  fields: z.strictObject({
    note: text(20000, 'Enter what has happened', 'The note'),
    readings: z
      .array(
        z.strictObject({
          metric: text(200, 'Choose the metric', 'The metric'),
          value: z.number({ error: 'Enter the reading as a number, for example 22.5' }),
        }),
      )
      .max(100)
      .optional(),
  }),
  who: { kind: 'coOwner' },
  routes: { delivering: stay },
  rule: (c, e) => {
    const unknown = (e.readings ?? []).filter((r) => !c.metrics.some((m) => m.id === r.metric || m.name === r.metric));
    return unknown.length ? `Readings are of the cycle's outcome metrics; "${unknown[0].metric}" is not one of them.` : undefined;
  },
  // Changes nothing the rules read: its history entry is the record.
  form: { done: 'Progress is recorded',
    heading: 'Record progress',
    button: 'Record progress',
    fields: ({ context }) => [
      { name: 'note', kind: 'textarea', label: 'What has happened?' },
      ...context.metrics.map((m) => ({ name: `reading_${m.id}`, kind: 'number' as const, label: `${m.name} (optional)`, hint: 'The latest reading' })),
    ],
    groups: [{ prefix: 'reading_', into: 'readings', key: 'metric', value: 'value', optional: true }],
  },
});

export const START_REVIEW = defineEvent({
  type: 'START_REVIEW',
  label: 'Started the learning review',
  fields: z.strictObject({}),
  who: { kind: 'commissioner', doing: 'start the review' },
  routes: { delivering: { to: 'reviewing', effect: 'none' } },
  form: { done: 'The learning review has started', heading: 'Start the learning review', description: 'Co-owners and the panel then record what was learned.', button: 'Start review' },
});

export const RECORD_LEARNING = defineEvent({
  type: 'RECORD_LEARNING',
  label: 'Recorded learning',
  fields: z.strictObject({
    insight: text(20000, 'Enter what was learned', 'The insight'),
    evidence: text(20000, 'Enter the evidence', 'The evidence').optional(),
    recommendation: z.enum(['continue', 'adapt', 'stop'], { error: 'Choose a recommendation' }),
  }),
  who: { kind: 'coOwnerOrPanel' },
  routes: { reviewing: stay },
  effect: (c, e) => ({
    ...c,
    learnings: [
      ...c.learnings,
      {
        insight: e.insight,
        evidence: e.evidence ?? null,
        recommendation: e.recommendation,
        // A panel member of a co-owner counts as panel.
        writtenBy: e.actor.userId !== null && c.panelUserIds.includes(e.actor.userId) ? 'panel' : 'co-owner',
        organisationId: e.actor.organisationId,
        userId: e.actor.userId!,
        at: e.at,
      },
    ],
  }),
  form: { done: 'The learning is recorded',
    heading: 'Record learning',
    button: 'Record learning',
    fields: () => [
      { name: 'insight', kind: 'textarea', label: 'What did we learn?' },
      { name: 'evidence', kind: 'textarea', label: 'Evidence (optional)', parse: 'optionalText' },
      {
        name: 'recommendation',
        kind: 'radios',
        label: 'Recommendation',
        items: [
          { value: 'continue', text: 'Continue' },
          { value: 'adapt', text: 'Adapt' },
          { value: 'stop', text: 'Stop' },
        ],
      },
    ],
  },
});

const signedOff = (c: CycleContext, userId: string | null) => c.signOffs.some((s) => s.userId === userId);

export const SIGN_OFF_REVIEW = defineEvent({
  type: 'SIGN_OFF_REVIEW',
  label: 'Signed off the learning review',
  fields: z.strictObject({ outcome: z.enum(['close', 'iterate'], { error: 'Choose whether to iterate or close' }) }),
  who: { kind: 'panelMember' },
  routes: { reviewing: stay },
  rule: (c, e) => (signedOff(c, e.actor.userId) ? 'You have already signed off this review.' : undefined),
  offered: (c, actor) => !signedOff(c, actor.userId),
  effect: (c, e) => ({ ...c, signOffs: [...c.signOffs, { userId: e.actor.userId!, outcome: e.outcome, at: e.at }] }),
  form: { done: 'Your sign-off is recorded',
    heading: 'Sign off the learning review',
    description: 'When every panel member has signed off, the cycle closes; if most chose to iterate, the next iteration opens.',
    button: 'Sign off',
    fields: () => [
      {
        name: 'outcome',
        kind: 'radios',
        label: 'What should happen next?',
        items: [
          { value: 'iterate', text: 'Iterate: start the next cycle with this learning' },
          { value: 'close', text: 'Close: the work is done' },
        ],
      },
    ],
  },
});

export const ESCALATE = defineEvent({
  type: 'ESCALATE',
  label: 'Escalated a disagreement',
  fields: z.strictObject({ reason: reasonField('Enter what the disagreement is') }),
  who: { kind: 'coOwner' },
  routes: fromEvery(WORKING_STATES, () => ({ to: 'escalated', effect: 'escalate' })),
  form: { done: 'The disagreement is escalated to a facilitator',
    heading: 'Escalate a disagreement',
    description: 'A facilitator resolves it; the cycle then returns to where it was.',
    button: 'Escalate',
    warning: true,
    fields: () => [{ name: 'reason', kind: 'textarea', label: 'What is the disagreement?' }],
  },
});

export const RESOLVE_ESCALATION = defineEvent({
  type: 'RESOLVE_ESCALATION',
  label: 'Resolved the escalation',
  fields: z.strictObject({ resolution: text(20000, 'Enter the resolution', 'The resolution') }),
  who: { kind: 'facilitator' },
  // Back to the state the escalation came from: one route per working state, guarded by `returnsTo`.
  routes: { escalated: WORKING_STATES.map((state) => ({ to: state, when: [`returnsTo.${state}`], effect: 'record' as const })) },
  effect: (c, e) => ({
    ...c,
    escalations: c.escalations.map((x, i) => (i === c.escalations.length - 1 ? { ...x, resolution: e.resolution, resolvedByUserId: e.actor.userId, resolvedAt: e.at } : x)),
  }),
  form: { done: 'The escalation is resolved', heading: 'Resolve the escalation', button: 'Resolve', fields: () => [{ name: 'resolution', kind: 'textarea', label: 'Resolution' }] },
});

export const CANCEL = defineEvent({
  type: 'CANCEL',
  label: 'Cancelled the cycle',
  fields: z.strictObject({ reason: reasonField('Enter why the cycle is cancelled') }),
  who: { kind: 'commissioner', doing: 'cancel it' },
  routes: fromEvery([...WORKING_STATES, 'escalated'], () => ({ to: 'cancelled', effect: 'record' })),
  effect: (c, e) => ({ ...c, cancellation: { reason: e.reason, userId: e.actor.userId, organisationId: e.actor.organisationId, at: e.at } }),
  form: { done: 'The cycle is cancelled', heading: 'Cancel the cycle', description: 'A cancelled cycle cannot be reopened.', button: 'Cancel cycle', warning: true, fields: () => [{ name: 'reason', kind: 'textarea', label: 'Why cancel?' }] },
});

// ----- milestones: the system sends these -----------------------------------------------------

const milestoneFields = z.strictObject({ milestoneId: z.uuid().optional() });
const milestone = <T extends MilestoneEventType>(type: T, label: string, routes: EventDefinition['routes']) =>
  defineEvent({ type, label, fields: milestoneFields, who: { kind: 'milestone' }, routes });
const escalates = { to: 'escalated', effect: 'escalate' } as const;

export const FRAMING_DUE = milestone('FRAMING_DUE', 'The framingDue milestone came', { framing: escalates });
export const OPTIONS_DUE = milestone('OPTIONS_DUE', 'The optionsClose milestone came', {
  options: [{ to: 'deciding', when: ['hasLiveOption'], effect: 'none' }, escalates],
});
export const DECISION_DUE = milestone('DECISION_DUE', 'The decisionDue milestone came', { deciding: escalates });
export const REVIEW_START = milestone('REVIEW_START', 'The reviewStart milestone came', { delivering: { to: 'reviewing', effect: 'none' } });
export const REVIEW_DUE = milestone('REVIEW_DUE', 'The reviewDue milestone came', {
  reviewing: { to: 'escalated', unless: ['everyPanelMemberSignedOff'], effect: 'escalate' },
});

/** People's events, in the order forms and `nextEvents` list them. */
export const USER_EVENTS = [
  LAUNCH,
  REVISE_PROBLEM,
  ENDORSE_PROBLEM,
  OBJECT_PROBLEM,
  SUBMIT_OPTION,
  AMEND_OPTION,
  WITHDRAW_OPTION,
  CLOSE_OPTIONS,
  APPRAISE_OPTION,
  PROPOSE_DECISION,
  CONSENT,
  OBJECT,
  RECORD_PROGRESS,
  START_REVIEW,
  RECORD_LEARNING,
  SIGN_OFF_REVIEW,
  ESCALATE,
  RESOLVE_ESCALATION,
  CANCEL,
] as const;
export const MILESTONE_EVENTS = [FRAMING_DUE, OPTIONS_DUE, DECISION_DUE, REVIEW_START, REVIEW_DUE] as const;

type Entry = (typeof USER_EVENTS)[number] | (typeof MILESTONE_EVENTS)[number];
type EventOfEntry<E> = E extends EventDefinition<infer T, infer F, infer G> ? EventOf<T, F, G> : never;

export type UserEvent = EventOfEntry<(typeof USER_EVENTS)[number]>;
export type MilestoneEvent = EventOfEntry<(typeof MILESTONE_EVENTS)[number]>;
export type CycleEvent = UserEvent | MilestoneEvent;
export type CycleEventType = CycleEvent['type'];
export type UserEventType = UserEvent['type'];
/** The fields a client sends for an event type (without the ids the service generates). */
export type EventFields<T extends CycleEventType> = z.infer<Extract<Entry, { type: T }>['fields']>;

export const USER_EVENT_TYPES: readonly UserEventType[] = USER_EVENTS.map((e) => e.type);

/** Every entry by type; a Map, so that `toString` or `__proto__` is not an event type. */
export const CATALOGUE: ReadonlyMap<string, EventDefinition> = new Map(
  [...USER_EVENTS, ...MILESTONE_EVENTS].map((entry) => [entry.type, entry as unknown as EventDefinition]),
);

export const definitionOf = (type: string): EventDefinition | undefined => CATALOGUE.get(type);

export const isMilestoneEventType = (type: string): type is MilestoneEventType => (MILESTONE_EVENT_TYPES as readonly string[]).includes(type);
