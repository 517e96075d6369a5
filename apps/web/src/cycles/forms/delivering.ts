/** Delivery’s forms: progress, the plan’s actions, starting the review. */
import { openActionsOf } from '@app/domain';
import type { StageForms } from './form-spec';

export const DELIVERING_FORMS = {
  RECORD_PROGRESS: {
    done: 'Progress is recorded',
    heading: 'Record progress',
    button: 'Record progress',
    fields: ({ context }) => [
      { name: 'note', kind: 'textarea', label: 'What has happened?' },
      ...context.metrics.map((m) => ({ name: `reading_${m.id}`, kind: 'number' as const, label: `${m.name} (optional)`, hint: 'The latest reading' })),
    ],
    groups: [{ prefix: 'reading_', into: 'readings', key: 'metric', value: 'value', optional: true }],
  },
  ADD_ACTION: {
    done: 'The action is added to the delivery plan',
    heading: 'Add an action to the delivery plan',
    button: 'Add action',
    fields: ({ context, orgName }) => [
      { name: 'title', kind: 'text', label: 'What is to be done?' },
      { name: 'ownerOrganisationId', kind: 'select', label: 'Owned by', items: context.coOwners.map((o) => ({ value: o.organisationId, text: orgName(o.organisationId) })) },
      { name: 'dueAt', kind: 'text', label: 'Due date', hint: 'For example, 2027-03-31 (due by 5pm that day)', parse: 'date' },
    ],
  },
  COMPLETE_ACTION: {
    done: 'The action is done',
    heading: 'Complete an action',
    button: 'Mark as done',
    fields: ({ context, organisationId }) => [
      { name: 'actionId', kind: 'select', label: 'Action', items: openActionsOf(context, organisationId).map((a) => ({ value: a.id, text: a.title })) },
      { name: 'note', kind: 'textarea', label: 'Note (optional)', parse: 'optionalText' },
    ],
  },
  START_REVIEW: { done: 'The learning review has started', heading: 'Start the learning review', description: 'Co-owners and the panel then record what was learned.', button: 'Start review' },
} satisfies StageForms;
