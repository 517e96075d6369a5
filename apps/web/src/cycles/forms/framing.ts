/** Framing the problem’s forms. */
import { CycleContext, latestRevision } from '@app/domain';
import type { StageForms } from './form-spec';

const revisionField = (context: CycleContext) => ({ name: 'revision', kind: 'hidden' as const, label: 'Revision', value: String(latestRevision(context) || ''), parse: 'number' as const });

export const FRAMING_FORMS = {
  REVISE_PROBLEM: {
    done: 'The new revision is saved',
    heading: ({ context }) => (context.problem.revisions.length ? `Write revision ${latestRevision(context) + 1} of the problem` : 'Write the problem definition'),
    description: 'A new revision clears every endorsement: each co-owner then endorses it or objects.',
    button: 'Save revision',
    fields: ({ context }) => [{ name: 'statement', kind: 'textarea', label: 'Problem statement', value: context.problem.revisions.at(-1)?.statement }],
  },
  ENDORSE_PROBLEM: {
    done: 'Your organisation’s endorsement is recorded',
    heading: ({ context }) => `Endorse revision ${latestRevision(context)}`,
    description: 'Your organisation agrees this is the problem to solve together.',
    button: ({ context }) => `Endorse revision ${latestRevision(context)}`,
    fields: ({ context }) => [revisionField(context)],
  },
  OBJECT_PROBLEM: {
    done: 'Your organisation’s objection is recorded',
    heading: ({ context }) => `Object to revision ${latestRevision(context)}`,
    button: 'Record objection',
    fields: ({ context }) => [revisionField(context), { name: 'reason', kind: 'textarea', label: 'Why does your organisation object?' }],
  },
} satisfies StageForms;
