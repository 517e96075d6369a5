/** Deciding’s forms: pledges, appraisals, proposals, consent and objections. */
import { CycleContext, PLEDGE_KINDS, formatPence, liveOptions, openProposal, pledgesOf } from '@app/domain';
import type { StageForms } from './form-spec';
import { optionItems } from './shared';

const pledgeLabel = { cash: 'Cash', in_kind: 'In kind', staff_time: 'Staff time' } as const;
const proposalField = (context: CycleContext) => ({ name: 'proposalId', kind: 'hidden' as const, label: 'Proposal', value: openProposal(context)?.id });

export const DECIDING_FORMS = {
  PLEDGE: {
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
  APPRAISE_OPTION: {
    done: 'Your appraisal is saved',
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
  PROPOSE_DECISION: {
    done: 'The decision is proposed',
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
  CONSENT: {
    done: 'Your organisation’s consent is recorded',
    heading: 'Consent to the proposal',
    description: 'When every co-owner consents, the cycle moves to delivery.',
    button: 'Consent',
    fields: ({ context }) => [proposalField(context)],
  },
  OBJECT: {
    done: 'Your organisation’s objection is recorded',
    heading: 'Object to the proposal',
    description: 'An objection blocks this proposal; a new one may follow.',
    button: 'Object',
    warning: true,
    fields: ({ context }) => [proposalField(context), { name: 'reason', kind: 'textarea', label: 'Why does your organisation object?' }],
  },
} satisfies StageForms;
