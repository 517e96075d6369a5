/** The learning review’s forms. */
import type { StageForms } from './form-spec';

export const REVIEWING_FORMS = {
  RECORD_LEARNING: {
    done: 'The learning is recorded',
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
  SIGN_OFF_REVIEW: {
    done: 'Your sign-off is recorded',
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
} satisfies StageForms;
