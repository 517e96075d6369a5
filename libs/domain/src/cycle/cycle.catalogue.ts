/**
 * The cycle's event catalogue: one entry per event type, holding its fields (validation, OpenAPI
 * schema and TypeScript type from one zod schema), who may send it, its rule, its effect on what
 * the cycle remembers, where it takes the machine, and its form. The machine (cycle.machine.ts),
 * `nextEvents`, the API and the web app's forms are derived from it: adding an event is adding
 * an entry here, and its test.
 */
import { z } from 'zod';
import { openProposal, latestRevision, liveOptions, problemResponseRefuses, proposalRefuses, optionRefuses } from './cycle.rules';
import { CO_OWNER_ROLES, CoOwner, CoOwnerRole, CycleContext, CycleState, MILESTONE_EVENT_TYPES, MilestoneEventType, PLEDGE_KINDS } from './cycle.types';
import { actionsOf, allocationsRefuse, commitmentOf, committed, pledgesOf, proposalUnfunded } from './cycle.funding';
import { formatPence } from '../money';
import { Directory, ROLE_FIELDS, Team, coOwnersRefuse, roleRefuses, teamProblems } from './cycle.people';
import { EventDefinition, EventOf, FormFieldSpec, FormView, WORKING_STATES, defineEvent, fromEvery, id, ids, text } from './event-definition';

const who = (event: { actor: { organisationId: string | null; userId: string | null }; at: string }) => ({
  organisationId: event.actor.organisationId!,
  userId: event.actor.userId!,
  at: event.at,
});
const reasonField = (missing = 'Enter the reason') => text(5000, missing, 'The reason');
/** An amount of money in whole pence (never floats), up to £100 billion. */
const pence = (missing: string) =>
  z.int({ error: missing }).min(0, 'Enter an amount of £0 or more').max(10_000_000_000_000, 'Enter an amount below £100,000,000,000');
/** On-the-table items of members' declarations an option uses. */
const tableItemsField = z.array(z.strictObject({ organisationId: z.uuid({ error: 'Choose the organisation' }), item: text(500, 'Choose the item', 'The item') })).max(100);
function tableItemsRefuse(items: { organisationId: string; item: string }[] | undefined, directory: Directory | undefined): string | undefined {
  const names = directory?.organisationNames ?? {};
  const missing = (items ?? []).find((t) => !(directory?.onTheTable?.[t.organisationId] ?? []).includes(t.item));
  return missing ? `“${missing.item}” is not on the table of ${names[missing.organisationId] ?? missing.organisationId}: an option uses what members have declared.` : undefined;
}
const tableItemsFormField = (view: FormView) => ({
  name: 'tableItems',
  kind: 'checkboxes' as const,
  label: 'What on the table does it use? (optional)',
  hint: 'Items members have declared they put on the table',
  items: Object.entries(view.choices?.onTheTable ?? {}).flatMap(([organisationId, items]) =>
    items.map((item) => ({ value: JSON.stringify({ organisationId, item }), text: `${item} (${view.orgName(organisationId)})` })),
  ),
  parse: 'json-list' as const,
});
const costField = { name: 'estimatedCostPence', kind: 'text' as const, label: 'Estimated cost in pounds (optional)', hint: 'For example, 55,000 or 1,234.50', parse: 'pence' as const };
const stay = { effect: 'record' } as const;

/**
 * The most revisions of its problem and options one cycle may hold: far more than people write
 * (the bench's oldest cycle has 200 and 300), and a bound on what every read of the cycle carries.
 * Beyond, the next iteration starts afresh.
 */
export const CYCLE_CAPS = { revisions: 500, options: 1000 } as const;

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
  rule: (c) =>
    c.problem.revisions.length >= CYCLE_CAPS.revisions
      ? `A cycle holds at most ${CYCLE_CAPS.revisions} revisions of its problem, and this one has them all: endorse or object to the latest, or go on in the next iteration.`
      : undefined,
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
  who: { kind: 'representative', doing: 'endorse the problem' },
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
  who: { kind: 'representative', doing: 'object to the problem' },
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
  estimatedCostPence: z.ZodOptional<ReturnType<typeof pence>>;
  tableItems: z.ZodOptional<typeof tableItemsField>;
}, { optionId: string }>({
  type: 'SUBMIT_OPTION',
  label: 'Submitted an option',
  fields: z.strictObject({
    title: text(300, 'Enter a title for the option', 'The title'),
    summary: text(20000, 'Enter a summary of the option', 'The summary'),
    coAuthorOrganisationIds: z.array(z.uuid({ error: 'Choose co-authors from the list' })).max(50).optional(),
    estimatedCostPence: pence('Enter the estimated cost in pounds, for example 55,000').optional(),
    tableItems: tableItemsField.optional(),
  }),
  generates: 'optionId',
  directory: true,
  who: { kind: 'coOwner' },
  routes: { options: stay },
  rule: (c, e) => {
    const strangers = (e.coAuthorOrganisationIds ?? []).filter((org) => !c.coOwners.some((o) => o.organisationId === org));
    if (strangers.length) return `Co-authors must be co-owners of the cycle; ${strangers.join(', ')} is not.`;
    if (c.options.some((o) => o.id === e.optionId)) return `Option ${e.optionId} already exists.`;
    if (c.options.length >= CYCLE_CAPS.options) return `A cycle holds at most ${CYCLE_CAPS.options} options, and this one has them all: amend one, or go on in the next iteration.`;
    return tableItemsRefuse(e.tableItems, e.directory);
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
        estimatedCostPence: e.estimatedCostPence ?? null,
        ...(e.tableItems?.length && { tableItems: e.tableItems }),
        at: e.at,
      },
    ],
  }),
  form: { done: 'The option is submitted',
    heading: 'Submit an option',
    button: 'Submit option',
    fields: (view) => [
      { name: 'title', kind: 'text', label: 'Title' },
      { name: 'summary', kind: 'textarea', label: 'Summary' },
      {
        name: 'coAuthorOrganisationIds',
        kind: 'checkboxes',
        label: 'Co-authors (optional)',
        hint: 'Other co-owners writing this option with you',
        items: view.context.coOwners.filter((o) => o.organisationId !== view.organisationId).map((o) => ({ value: o.organisationId, text: view.orgName(o.organisationId) })),
        parse: 'list',
      },
      costField,
      tableItemsFormField(view),
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
      estimatedCostPence: pence('Enter the estimated cost in pounds, for example 55,000').optional(),
      tableItems: tableItemsField.optional(),
    })
    .refine((e) => e.title !== undefined || e.summary !== undefined || e.estimatedCostPence !== undefined || e.tableItems !== undefined, {
      message: 'Enter a new title, summary, cost or the items on the table it uses',
      path: ['title'],
    }),
  directory: true,
  who: { kind: 'optionAuthor', doing: 'amend it' },
  routes: { options: stay },
  rule: (c, e) => optionRefuses(c, e.optionId, 'amended') ?? tableItemsRefuse(e.tableItems, e.directory),
  offered: (c, actor) => authorsLiveOption(c, actor.organisationId),
  effect: (c, e) => ({
    ...c,
    options: c.options.map((o) => {
      if (o.id !== e.optionId) return o;
      const { tableItems: _earlier, ...rest } = o;
      // An empty list says the option no longer uses anything on the table; no list keeps what it used.
      const tableItems = e.tableItems ?? o.tableItems ?? [];
      return {
        ...rest,
        title: e.title ?? o.title,
        summary: e.summary ?? o.summary,
        estimatedCostPence: e.estimatedCostPence ?? o.estimatedCostPence ?? null,
        amendments: o.amendments + 1,
        ...(tableItems.length && { tableItems }),
      };
    }),
  }),
  form: { done: 'The option is amended',
    heading: 'Amend an option',
    description: 'Leave a box empty to keep what it says.',
    button: 'Save changes',
    fields: (view) => [
      { name: 'optionId', kind: 'select', label: 'Option', items: authoredOrLive(view) },
      { name: 'title', kind: 'text', label: 'New title (optional)', parse: 'optionalText' },
      { name: 'summary', kind: 'textarea', label: 'New summary (optional)', parse: 'optionalText' },
      { ...costField, label: 'New estimated cost in pounds (optional)' },
      { ...tableItemsFormField(view), label: 'What on the table does it use now? (optional)', hint: 'Leave every box unticked to keep what it uses', parse: 'json-list-optional' as const },
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

const allocationsField = z
  .array(z.strictObject({ optionId: z.uuid(), organisationId: z.uuid(), amountPence: pence('Enter each allocation in pounds').min(1, 'Enter each allocation as £0.01 or more, or leave it empty') }))
  .max(500);

export const PROPOSE_DECISION = defineEvent<'PROPOSE_DECISION', {
  optionIds: z.ZodArray<z.ZodUUID>;
  rationale: ReturnType<typeof text>;
  allocations: z.ZodOptional<typeof allocationsField>;
}, { proposalId: string }>({
  type: 'PROPOSE_DECISION',
  label: 'Proposed a decision',
  fields: z.strictObject({
    optionIds: z.array(z.uuid({ error: 'Choose options from the list' }), { error: 'Choose at least one option' }).min(1, 'Choose at least one option').max(50),
    rationale: text(20000, 'Enter the rationale for the decision', 'The rationale'),
    allocations: allocationsField.optional(),
  }),
  generates: 'proposalId',
  who: { kind: 'coOwner' },
  routes: { deciding: stay },
  directory: true,
  rule: (c, e) => {
    if (e.optionIds.length === 0) return 'A proposal chooses at least one option.';
    for (const option of e.optionIds) {
      const refused = optionRefuses(c, option, 'chosen');
      if (refused) return refused;
    }
    const names = e.directory?.organisationNames ?? {};
    return allocationsRefuse(c, e.optionIds, e.allocations ?? [], (id) => names[id] ?? id);
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
        ...(e.allocations?.length && { allocations: e.allocations }),
        consents: [],
        objections: [],
        at: e.at,
      },
    ],
  }),
  form: { done: 'The decision is proposed',
    heading: 'Propose a decision',
    button: 'Propose decision',
    fields: ({ context, orgName }) => [
      { name: 'optionIds', kind: 'checkboxes', label: 'Options to go ahead with', items: optionItems(liveOptions(context)), parse: 'list' },
      { name: 'rationale', kind: 'textarea', label: 'Rationale' },
      // Pledged cash towards each option, organisation by organisation (leave empty for none).
      ...liveOptions(context).flatMap((o) =>
        pledgesOf(context)
          .filter((p) => p.kind === 'cash')
          .map((p) => ({
            name: `alloc_${o.id}_${p.organisationId}`,
            kind: 'text' as const,
            label: `From ${orgName(p.organisationId)} to “${o.title}”, in pounds (optional)`,
            hint: `It pledged ${formatPence(p.amountPence ?? 0)}`,
          })),
      ),
    ],
    groups: [{ prefix: 'alloc_', into: 'allocations', key: 'optionId', secondKey: 'organisationId', value: 'amountPence', parse: 'pence', optional: true }],
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
  who: { kind: 'representative', doing: 'consent to a proposal' },
  routes: { deciding: stay },
  rule: (c, e) => proposalRefuses(c, e.proposalId, e.actor.organisationId) ?? proposalUnfunded(c, c.proposals.find((p) => p.id === e.proposalId)),
  offered: (c, actor) => canRespond(c, actor.organisationId) && proposalUnfunded(c) === undefined,
  // Consent commits the organisation's allocations (the history keeps it).
  effect: (c, e) => ({
    ...c,
    proposals: c.proposals.map((p) => (p.id === e.proposalId ? { ...p, consents: [...p.consents, { ...who(e), committedPence: commitmentOf(p, e.actor.organisationId) }] } : p)),
  }),
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
  who: { kind: 'representative', doing: 'object to a proposal' },
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

// ----- a cycle's people ---------------------------------------------------------------------

/** The directory the service looked up for an entry that asks for one (`directory: true`). */
function directoryOf(event: { type: string; directory?: Directory }): Directory {
  if (!event.directory) throw new Error(`${event.type} is decided with the partnership's directory, which the service did not give`);
  return event.directory;
}
/** Field problems as sentences (a message that starts with an id keeps it as it is). */
const sentences = (problems: { message: string }[]) => problems.map((p) => `${capitalised(p.message)}.`).join(' ');
const capitalised = (message: string) => (/^[a-z]+ /.test(message) ? message.charAt(0).toUpperCase() + message.slice(1) : message);
/** Only the problems of these fields, as one refusal. */
const refusalOf = (team: Team, directory: Directory, fields: string[]) =>
  sentences(teamProblems(team, directory).filter((p) => fields.includes(p.field))) || undefined;

const AFTER_LAUNCH: CycleState[] = ['framing', 'options', 'deciding', 'delivering', 'reviewing', 'escalated'];
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
/** A new panel or set of facilitators: refused when unchanged, or when someone it adds may not be there. */
function peopleChangeRefuses(c: CycleContext, e: { directory?: Directory; type: string } & Partial<Record<'panelUserIds' | 'facilitatorUserIds', string[]>>, field: 'panelUserIds' | 'facilitatorUserIds', unchanged: string) {
  const next = [...new Set(e[field] ?? [])];
  if (sameSet(next, c[field])) return unchanged;
  // Only those it adds are checked: taking someone off never depends on the others' standing.
  return refusalOf({ ...c, [field]: next.filter((id) => !c[field].includes(id)) }, directoryOf(e), [field]);
}

const userChoices = (view: FormView, fits: (u: { organisationId: string | null }) => boolean = () => true) =>
  (view.choices?.users ?? []).filter(fits).map((u) => ({ value: u.id, text: u.name, hint: { text: u.organisationName } }));
const organisationChoices = (view: FormView, kinds: string[]) =>
  (view.choices?.organisations ?? []).filter((o) => kinds.includes(o.kind)).map((o) => ({ value: o.id, text: o.name }));
const coOwnerIds = (c: CycleContext, role?: CoOwnerRole) => c.coOwners.filter((o) => !role || o.role === role).map((o) => o.organisationId);
const peopleField = (name: 'panelUserIds' | 'facilitatorUserIds', label: string, hint: string, view: FormView): FormFieldSpec => ({
  name,
  kind: 'checkboxes',
  label,
  hint,
  values: view.context[name],
  items:
    name === 'panelUserIds'
      ? userChoices(view, (u) => view.choices?.organisations.some((o) => o.id === u.organisationId && o.kind !== 'facilitator') ?? false)
      : userChoices(view, (u) => !coOwnerIds(view.context).includes(u.organisationId ?? '')),
  parse: 'list',
});

const draftFields = {
  title: text(300, 'Enter a title for the cycle', 'The title').optional(),
  commissionerOrganisationIds: ids('commissioners').optional(),
  providerOrganisationIds: ids('providers').optional(),
  communityOrganisationIds: ids('community organisations').optional(),
  panelUserIds: ids('panel members').optional(),
  facilitatorUserIds: ids('facilitators').optional(),
  outcomeIds: ids('outcomes').optional(),
};
type DraftEdit = { [K in keyof typeof draftFields]?: K extends 'title' ? string : string[] };

/** The team a draft's edit leaves: each list sent replaces the one it names; the rest stay. */
function editedTeam(c: CycleContext, e: DraftEdit): Team {
  const coOwners: CoOwner[] = CO_OWNER_ROLES.flatMap((role) =>
    [...new Set(e[ROLE_FIELDS[role]] ?? coOwnerIds(c, role))].map((organisationId) => ({ organisationId, role })),
  );
  return {
    coOwners,
    panelUserIds: [...new Set(e.panelUserIds ?? c.panelUserIds)],
    facilitatorUserIds: [...new Set(e.facilitatorUserIds ?? c.facilitatorUserIds)],
  };
}

export const EDIT_DRAFT = defineEvent({
  type: 'EDIT_DRAFT',
  label: 'Edited the draft',
  fields: z
    .strictObject(draftFields)
    .refine((e) => Object.values(e).some((v) => v !== undefined), { message: 'Change at least one thing', path: ['title'] }),
  who: { kind: 'commissioner', doing: 'edit the draft' },
  routes: { draft: stay },
  directory: true,
  // The parts sent are checked (a title alone always saves), and neutrality whenever co-owners or facilitators change.
  rule: (c, e) => {
    const directory = directoryOf(e);
    const team = editedTeam(c, e);
    const sent = (Object.keys(draftFields) as (keyof typeof draftFields)[]).filter((field) => e[field] !== undefined);
    const checked = new Set<string>(sent);
    if (sent.some((field) => field.endsWith('OrganisationIds'))) [...Object.values(ROLE_FIELDS), 'facilitatorUserIds'].forEach((f) => checked.add(f));
    const problems = teamProblems(team, directory).filter((p) => checked.has(p.field));
    const unknown = (e.outcomeIds ?? []).filter((o) => !directory.outcomes[o]);
    if (unknown.length) problems.push({ field: 'outcomeIds', message: `not outcomes of this partnership: ${unknown.join(', ')}` });
    if (!problems.length && !team.coOwners.some((o) => o.organisationId === e.actor.organisationId && o.role === 'commissioner')) {
      return 'Your organisation would no longer be a commissioner of the cycle: another of its commissioners may take it out.';
    }
    return sentences(problems) || undefined;
  },
  effect: (c, e) => {
    const outcomeIds = e.outcomeIds ? [...new Set(e.outcomeIds)] : c.outcomeIds;
    const metrics = e.outcomeIds
      ? outcomeIds.flatMap((outcomeId) => (directoryOf(e).outcomes[outcomeId] ?? []).map((m) => ({ id: m.id, name: m.name, outcomeId })))
      : c.metrics;
    return { ...c, ...editedTeam(c, e), outcomeIds, metrics };
  },
  title: (e) => e.title?.trim(),
  form: {
    done: 'The draft is saved',
    heading: 'Edit the draft',
    description: 'Change the cycle’s title, co-owners, review panel, facilitators and outcomes before it is launched.',
    button: 'Save draft',
    fields: (view) => [
      { name: 'title', kind: 'text', label: 'New title (optional)', hint: 'Leave it empty to keep the title', parse: 'optionalText' },
      {
        name: 'commissionerOrganisationIds',
        kind: 'checkboxes',
        label: 'Commissioners',
        values: coOwnerIds(view.context, 'commissioner'),
        items: organisationChoices(view, ['commissioner']),
        parse: 'list',
      },
      { name: 'providerOrganisationIds', kind: 'checkboxes', label: 'Providers', values: coOwnerIds(view.context, 'provider'), items: organisationChoices(view, ['provider']), parse: 'list' },
      {
        name: 'communityOrganisationIds',
        kind: 'checkboxes',
        label: 'Community organisations',
        values: coOwnerIds(view.context, 'community'),
        items: organisationChoices(view, ['community']),
        parse: 'list',
      },
      peopleField('panelUserIds', 'Review panel', 'They record learning and sign off the review', view),
      peopleField('facilitatorUserIds', 'Facilitators (optional)', 'Neutral: not of an organisation that co-owns the cycle', view),
      {
        name: 'outcomeIds',
        kind: 'checkboxes',
        label: 'Outcomes',
        values: view.context.outcomeIds,
        items: (view.choices?.outcomes ?? []).map((o) => ({ value: o.id, text: o.title })),
        parse: 'list',
      },
    ],
  },
});

export const CHANGE_PANEL = defineEvent({
  type: 'CHANGE_PANEL',
  label: 'Changed the review panel',
  fields: z.strictObject({ panelUserIds: ids('panel members').min(1, 'Choose at least one panel member') }),
  who: { kind: 'commissioner', doing: 'change the review panel' },
  routes: fromEvery(AFTER_LAUNCH, () => stay),
  directory: true,
  // A member who has signed off stays: their sign-off stands (removing them would change the review's outcome).
  rule: (c, e) => {
    const signed = c.signOffs.filter((s) => !e.panelUserIds.includes(s.userId));
    if (signed.length) return `${signed.length === 1 ? 'A panel member has' : `${signed.length} panel members have`} already signed off this review: their sign-off stands, so they stay on the panel.`;
    return peopleChangeRefuses(c, e, 'panelUserIds', 'The review panel is unchanged.');
  },
  // A removed member's sign-off no longer counts; if everyone left has signed off, the review closes.
  effect: (c, e) => {
    const panelUserIds = [...new Set(e.panelUserIds)];
    return { ...c, panelUserIds, signOffs: c.signOffs.filter((s) => panelUserIds.includes(s.userId)) };
  },
  form: {
    done: 'The review panel is changed',
    heading: 'Change the review panel',
    description: 'A removed member’s sign-off no longer counts: when everyone left on the panel has signed off, the review closes.',
    button: 'Save panel',
    fields: (view) => [peopleField('panelUserIds', 'Review panel', 'They record learning and sign off the review', view)],
  },
});

export const CHANGE_FACILITATORS = defineEvent({
  type: 'CHANGE_FACILITATORS',
  label: 'Changed the facilitators',
  fields: z.strictObject({ facilitatorUserIds: ids('facilitators') }),
  who: { kind: 'commissioner', doing: 'change the facilitators' },
  // Not while escalated: one side of a dispute may not replace the neutral voice resolving it.
  routes: fromEvery(AFTER_LAUNCH.filter((s) => s !== 'escalated'), () => stay),
  directory: true,
  rule: (c, e) => peopleChangeRefuses(c, e, 'facilitatorUserIds', 'The facilitators are unchanged.'),
  effect: (c, e) => ({ ...c, facilitatorUserIds: [...new Set(e.facilitatorUserIds)] }),
  form: {
    done: 'The facilitators are changed',
    heading: 'Change the facilitators',
    description: 'Facilitators resolve escalations. With none, a platform admin does.',
    button: 'Save facilitators',
    fields: (view) => [peopleField('facilitatorUserIds', 'Facilitators', 'Neutral: not of an organisation that co-owns the cycle', view)],
  },
});

export const INVITE_CO_OWNER = defineEvent({
  type: 'INVITE_CO_OWNER',
  label: 'Invited a co-owner',
  fields: z.strictObject({
    organisationId: id('Choose the organisation to invite'),
    role: z.enum(CO_OWNER_ROLES, { error: 'Choose the role it takes' }),
  }),
  who: { kind: 'commissioner', doing: 'invite co-owners' },
  routes: fromEvery(['framing', 'options', 'deciding', 'delivering'], () => stay),
  directory: true,
  rule: (c, e) => {
    const directory = directoryOf(e);
    if (c.coOwners.some((o) => o.organisationId === e.organisationId)) return `${e.organisationId} already co-owns the cycle.`;
    const refused = roleRefuses(e.organisationId, e.role, directory);
    if (refused) return `${capitalised(refused)}.`;
    return refusalOf({ ...c, coOwners: [...c.coOwners, { organisationId: e.organisationId, role: e.role }] }, directory, ['facilitatorUserIds']);
  },
  // The invited organisation's endorsement of the latest revision, or consent to the open proposal, is now needed.
  effect: (c, e) => ({ ...c, coOwners: [...c.coOwners, { organisationId: e.organisationId, role: e.role }] }),
  form: {
    done: 'The organisation is invited to co-own the cycle',
    heading: 'Invite a co-owner',
    description: 'Its endorsement of the problem, or consent to the open proposal, is then needed like everyone else’s.',
    button: 'Invite',
    fields: (view) => [
      {
        name: 'organisationId',
        kind: 'select',
        label: 'Organisation',
        items: (view.choices?.organisations ?? [])
          .filter((o) => o.kind !== 'facilitator' && !coOwnerIds(view.context).includes(o.id))
          .map((o) => ({ value: o.id, text: o.name })),
      },
      {
        name: 'role',
        kind: 'radios',
        label: 'Role',
        items: CO_OWNER_ROLES.map((role) => ({ value: role, text: role.charAt(0).toUpperCase() + role.slice(1) })),
      },
    ],
  },
});

const withoutCoOwner = (c: CycleContext, organisationId: string | null) => c.coOwners.filter((o) => o.organisationId !== organisationId);

export const LEAVE_CYCLE = defineEvent({
  type: 'LEAVE_CYCLE',
  label: 'Left the cycle',
  fields: z.strictObject({ reason: reasonField('Enter why your organisation leaves') }),
  who: { kind: 'representative', doing: 'leave the cycle' },
  // While escalated, the facilitator resolves (and may remove a co-owner).
  routes: fromEvery(WORKING_STATES, () => stay),
  rule: (c, e) => {
    const refused = coOwnersRefuse(withoutCoOwner(c, e.actor.organisationId));
    return refused && `Your organisation cannot leave: ${refused.charAt(0).toLowerCase()}${refused.slice(1)}`;
  },
  offered: (c, actor) => coOwnersRefuse(withoutCoOwner(c, actor.organisationId)) === undefined,
  // What the cycle waits for is then asked of the others only.
  effect: (c, e) => ({ ...c, coOwners: withoutCoOwner(c, e.actor.organisationId) }),
  form: {
    done: 'Your organisation has left the cycle',
    heading: 'Leave the cycle',
    description: 'Your organisation stops co-owning the cycle; its history keeps what it did.',
    button: 'Leave the cycle',
    warning: true,
    fields: () => [{ name: 'reason', kind: 'textarea', label: 'Why does your organisation leave?' }],
  },
});

export const REMOVE_CO_OWNER = defineEvent({
  type: 'REMOVE_CO_OWNER',
  label: 'Removed a co-owner',
  fields: z.strictObject({ organisationId: id('Choose the organisation to remove'), reason: reasonField('Enter why it is removed') }),
  who: { kind: 'facilitator' },
  routes: { escalated: stay },
  rule: (c, e) => {
    if (!c.coOwners.some((o) => o.organisationId === e.organisationId)) return `${e.organisationId} does not co-own the cycle.`;
    const refused = coOwnersRefuse(withoutCoOwner(c, e.organisationId));
    return refused && `It cannot be removed: ${refused.charAt(0).toLowerCase()}${refused.slice(1)}`;
  },
  offered: (c) => c.coOwners.some((o) => coOwnersRefuse(withoutCoOwner(c, o.organisationId)) === undefined),
  effect: (c, e) => ({ ...c, coOwners: withoutCoOwner(c, e.organisationId) }),
  form: {
    done: 'The organisation is removed from the cycle',
    heading: 'Remove a co-owner',
    description: 'Only while resolving an escalation. The cycle keeps at least one commissioner and one provider or community co-owner.',
    button: 'Remove co-owner',
    warning: true,
    fields: (view) => [
      { name: 'organisationId', kind: 'select', label: 'Organisation', items: view.context.coOwners.map((o) => ({ value: o.organisationId, text: view.orgName(o.organisationId) })) },
      { name: 'reason', kind: 'textarea', label: 'Why is it removed?' },
    ],
  },
});

// ----- money and the delivery plan --------------------------------------------------------------

const pledgeLabel = { cash: 'Cash', in_kind: 'In kind', staff_time: 'Staff time' } as const;

export const PLEDGE = defineEvent({
  type: 'PLEDGE',
  label: 'Pledged to the cycle',
  fields: z
    .strictObject({
      kind: z.enum(PLEDGE_KINDS, { error: 'Choose what your organisation puts in' }),
      amountPence: pence('Enter the amount in pounds, for example 40,000').optional(),
      description: text(2000, 'Describe what your organisation puts in', 'The description'),
    })
    .refine((e) => e.kind !== 'cash' || (e.amountPence !== undefined && e.amountPence > 0), { message: 'Enter the cash amount in pounds, for example 40,000', path: ['amountPence'] })
    .refine((e) => e.kind === 'cash' || e.amountPence === undefined, { message: 'Give an amount for cash only; describe in-kind and staff time', path: ['amountPence'] }),
  who: { kind: 'representative', doing: 'pledge' },
  routes: fromEvery(['draft', 'framing', 'options', 'deciding'], () => stay),
  // A pledge may not go below what its organisation has already committed by consenting.
  rule: (c, e) => {
    const already = committed(c, e.actor.organisationId!);
    const cash = e.kind === 'cash' ? (e.amountPence ?? 0) : 0;
    return cash < already ? `Your organisation has committed ${formatPence(already)} by consenting: it cannot pledge less now.` : undefined;
  },
  effect: (c, e) => ({
    ...c,
    pledges: [
      ...pledgesOf(c).filter((p) => p.organisationId !== e.actor.organisationId),
      { organisationId: e.actor.organisationId!, kind: e.kind, amountPence: e.kind === 'cash' ? (e.amountPence ?? null) : null, description: e.description, userId: e.actor.userId!, at: e.at },
    ],
  }),
  form: {
    done: 'Your organisation’s pledge is recorded',
    heading: ({ context, organisationId }) => (pledgesOf(context).some((p) => p.organisationId === organisationId) ? 'Change your organisation’s pledge' : 'Pledge to the cycle'),
    description: 'What your organisation puts in: cash, in kind or staff time. A new pledge replaces the earlier one; the history keeps both.',
    button: 'Save pledge',
    fields: () => [
      { name: 'kind', kind: 'radios', label: 'What does your organisation put in?', items: PLEDGE_KINDS.map((k) => ({ value: k, text: pledgeLabel[k] })) },
      { name: 'amountPence', kind: 'text', label: 'Cash amount in pounds (for cash)', hint: 'For example, 40,000', parse: 'pence' },
      { name: 'description', kind: 'textarea', label: 'Description', hint: 'For example, “Two community nurses one day a week”' },
    ],
  },
});

export const ADD_ACTION = defineEvent<'ADD_ACTION', {
  title: ReturnType<typeof text>;
  ownerOrganisationId: z.ZodUUID;
  dueAt: z.ZodISODateTime;
}, { actionId: string }>({
  type: 'ADD_ACTION',
  label: 'Added an action to the delivery plan',
  fields: z.strictObject({
    title: text(300, 'Enter what is to be done', 'The action'),
    ownerOrganisationId: z.uuid({ error: 'Choose the organisation that owns it' }),
    dueAt: z.iso.datetime({ offset: true, error: 'Enter the date it is due, for example 2027-03-31' }),
  }),
  generates: 'actionId',
  who: { kind: 'coOwner' },
  routes: { delivering: stay },
  rule: (c, e) => {
    if (!c.coOwners.some((o) => o.organisationId === e.ownerOrganisationId)) return 'An action is owned by one of the cycle’s co-owners.';
    if (actionsOf(c).some((a) => a.id === e.actionId)) return `Action ${e.actionId} already exists.`;
    return undefined;
  },
  effect: (c, e) => ({
    ...c,
    actions: [
      ...actionsOf(c),
      { id: e.actionId, title: e.title, ownerOrganisationId: e.ownerOrganisationId, dueAt: new Date(e.dueAt).toISOString(), addedByOrganisationId: e.actor.organisationId!, at: e.at, doneAt: null, doneByUserId: null, note: null },
    ],
  }),
  form: {
    done: 'The action is added to the delivery plan',
    heading: 'Add an action to the delivery plan',
    button: 'Add action',
    fields: ({ context, orgName }) => [
      { name: 'title', kind: 'text', label: 'What is to be done?' },
      { name: 'ownerOrganisationId', kind: 'select', label: 'Owned by', items: context.coOwners.map((o) => ({ value: o.organisationId, text: orgName(o.organisationId) })) },
      { name: 'dueAt', kind: 'text', label: 'Due date', hint: 'For example, 2027-03-31 (due by 5pm that day)', parse: 'date' },
    ],
  },
});

const openActionsOf = (c: CycleContext, organisationId: string | null) => actionsOf(c).filter((a) => !a.doneAt && a.ownerOrganisationId === organisationId);

export const COMPLETE_ACTION = defineEvent({
  type: 'COMPLETE_ACTION',
  label: 'Completed an action',
  fields: z.strictObject({ actionId: id('Choose the action'), note: text(5000, 'Enter a note', 'The note').optional() }),
  who: { kind: 'actionOwner', doing: 'complete it' },
  routes: { delivering: stay },
  rule: (c, e) => {
    const action = actionsOf(c).find((a) => a.id === e.actionId);
    if (!action) return `There is no action ${e.actionId} in this cycle.`;
    return action.doneAt ? `“${action.title}” is already done.` : undefined;
  },
  offered: (c, actor) => openActionsOf(c, actor.organisationId).length > 0,
  effect: (c, e) => ({
    ...c,
    actions: actionsOf(c).map((a) => (a.id === e.actionId ? { ...a, doneAt: e.at, doneByUserId: e.actor.userId, note: e.note ?? null } : a)),
  }),
  form: {
    done: 'The action is done',
    heading: 'Complete an action',
    button: 'Mark as done',
    fields: ({ context, organisationId }) => [
      { name: 'actionId', kind: 'select', label: 'Action', items: openActionsOf(context, organisationId).map((a) => ({ value: a.id, text: a.title })) },
      { name: 'note', kind: 'textarea', label: 'Note (optional)', parse: 'optionalText' },
    ],
  },
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
  PLEDGE,
  PROPOSE_DECISION,
  CONSENT,
  OBJECT,
  RECORD_PROGRESS,
  ADD_ACTION,
  COMPLETE_ACTION,
  START_REVIEW,
  RECORD_LEARNING,
  SIGN_OFF_REVIEW,
  ESCALATE,
  RESOLVE_ESCALATION,
  EDIT_DRAFT,
  INVITE_CO_OWNER,
  CHANGE_PANEL,
  CHANGE_FACILITATORS,
  LEAVE_CYCLE,
  REMOVE_CO_OWNER,
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
