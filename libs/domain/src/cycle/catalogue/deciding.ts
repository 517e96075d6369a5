/** Deciding: pledges, appraisals, a proposal and each co-owner's consent or objection. */
import { z } from 'zod';
import { givenBy, liveOptions, openProposal, optionRefuses, proposalRefuses } from '../cycle.rules';
import { CycleContext, PLEDGE_KINDS } from '../cycle.types';
import { allocationsRefuse, commitmentOf, committed, pledgesOf, proposalUnfunded } from '../cycle.funding';
import { formatPence } from '../../money';
import { defineEvent, fromEvery, id, prose, text } from '../event-definition';
import { pence, reasonField, stay, who } from './shared';

export const APPRAISE_OPTION = defineEvent({
  type: 'APPRAISE_OPTION',
  label: 'Appraised an option',
  fields: z.strictObject({
    optionId: id('Choose an option'),
    scores: z.array(z.strictObject({ outcomeId: z.uuid(), score: z.int({ error: 'Choose a score from 0 to 5' }).min(0, 'Choose a score from 0 to 5').max(5, 'Choose a score from 0 to 5') })).max(100),
    comment: prose(5000, 'Enter a comment', 'The comment').optional(),
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
      ...c.appraisals.filter((a) => !(a.optionId === e.optionId && givenBy(c, a, e.actor.organisationId))),
      { optionId: e.optionId, scores: e.scores, comment: e.comment ?? null, ...who(e) },
    ],
  }),
});

const allocationsField = z
  .array(z.strictObject({ optionId: z.uuid(), organisationId: z.uuid(), amountPence: pence('Enter each allocation in pounds').min(1, 'Enter each allocation as £0.01 or more, or leave it empty') }))
  .max(500);

export const PROPOSE_DECISION = defineEvent<
  'PROPOSE_DECISION',
  {
    optionIds: z.ZodArray<z.ZodUUID>;
    rationale: ReturnType<typeof text>;
    allocations: z.ZodOptional<typeof allocationsField>;
  },
  { proposalId: string }
>({
  type: 'PROPOSE_DECISION',
  label: 'Proposed a decision',
  fields: z.strictObject({
    optionIds: z
      .array(z.uuid({ error: 'Choose options from the list' }), { error: 'Choose at least one option' })
      .min(1, 'Choose at least one option')
      .max(50),
    rationale: prose(20000, 'Enter the rationale for the decision', 'The rationale'),
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
});

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
  rule: (c, e) =>
    proposalRefuses(c, e.proposalId, e.actor.organisationId) ??
    proposalUnfunded(
      c,
      c.proposals.find((p) => p.id === e.proposalId),
    ),
  offered: (c, actor) => canRespond(c, actor.organisationId) && proposalUnfunded(c) === undefined,
  // Consent commits the organisation's allocations (the history keeps it).
  effect: (c, e) => ({
    ...c,
    proposals: c.proposals.map((p) => (p.id === e.proposalId ? { ...p, consents: [...p.consents, { ...who(e), committedPence: commitmentOf(p, e.actor.organisationId) }] } : p)),
  }),
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
});

export const PLEDGE = defineEvent({
  type: 'PLEDGE',
  label: 'Pledged to the cycle',
  fields: z
    .strictObject({
      kind: z.enum(PLEDGE_KINDS, { error: 'Choose what your organisation puts in' }),
      amountPence: pence('Enter the amount in pounds, for example 40,000').optional(),
      description: prose(2000, 'Describe what your organisation puts in', 'The description'),
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
});
