/** The draft’s forms: launching it and editing it. */
import { coOwnerIds } from '@app/domain';
import type { StageForms } from './form-spec';
import { organisationChoices, peopleField } from './shared';

export const DRAFT_FORMS = {
  LAUNCH: { done: 'The cycle is launched', heading: 'Launch the cycle', description: 'Co-owners can then write and agree the problem definition.', button: 'Launch' },
  EDIT_DRAFT: {
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
} satisfies StageForms;
