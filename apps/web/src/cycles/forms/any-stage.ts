/** Forms of any working state: escalating, resolving, cancelling. */
import type { StageForms } from './form-spec';

export const ANY_STAGE_FORMS = {
  ESCALATE: {
    done: 'The disagreement is escalated to a facilitator',
    heading: 'Escalate a disagreement',
    description: 'A facilitator resolves it; the cycle then returns to where it was.',
    button: 'Escalate',
    warning: true,
    fields: () => [{ name: 'reason', kind: 'textarea', label: 'What is the disagreement?' }],
  },
  RESOLVE_ESCALATION: { done: 'The escalation is resolved', heading: 'Resolve the escalation', button: 'Resolve', fields: () => [{ name: 'resolution', kind: 'textarea', label: 'Resolution' }] },
  CANCEL: {
    done: 'The cycle is cancelled',
    heading: 'Cancel the cycle',
    description: 'A cancelled cycle cannot be reopened.',
    button: 'Cancel cycle',
    warning: true,
    fields: () => [{ name: 'reason', kind: 'textarea', label: 'Why cancel?' }],
  },
} satisfies StageForms;
