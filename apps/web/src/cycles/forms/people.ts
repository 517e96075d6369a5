/** The forms that change a launched cycle’s people. */
import { CO_OWNER_ROLES, coOwnerIds } from '@app/domain';
import type { StageForms } from './form-spec';
import { peopleField } from './shared';

export const PEOPLE_FORMS = {
  INVITE_CO_OWNER: {
    done: 'The organisation is invited to co-own the cycle',
    heading: 'Invite a co-owner',
    description: 'Its endorsement of the problem, or consent to the open proposal, is then needed like everyone else’s.',
    button: 'Invite',
    fields: (view) => [
      {
        name: 'organisationId',
        kind: 'select',
        label: 'Organisation',
        items: (view.choices?.organisations ?? []).filter((o) => o.kind !== 'facilitator' && !coOwnerIds(view.context).includes(o.id)).map((o) => ({ value: o.id, text: o.name })),
      },
      {
        name: 'role',
        kind: 'radios',
        label: 'Role',
        items: CO_OWNER_ROLES.map((role) => ({ value: role, text: role.charAt(0).toUpperCase() + role.slice(1) })),
      },
    ],
  },
  CHANGE_PANEL: {
    done: 'The review panel is changed',
    heading: 'Change the review panel',
    description: 'A removed member’s sign-off no longer counts: when everyone left on the panel has signed off, the review closes.',
    button: 'Save panel',
    fields: (view) => [peopleField('panelUserIds', 'Review panel', 'They record learning and sign off the review', view)],
  },
  CHANGE_FACILITATORS: {
    done: 'The facilitators are changed',
    heading: 'Change the facilitators',
    description: 'Facilitators resolve escalations. With none, a platform admin does.',
    button: 'Save facilitators',
    fields: (view) => [peopleField('facilitatorUserIds', 'Facilitators', 'Neutral: not of an organisation that co-owns the cycle', view)],
  },
  LEAVE_CYCLE: {
    done: 'Your organisation has left the cycle',
    heading: 'Leave the cycle',
    description: 'Your organisation stops co-owning the cycle; its history keeps what it did.',
    button: 'Leave the cycle',
    warning: true,
    fields: () => [{ name: 'reason', kind: 'textarea', label: 'Why does your organisation leave?' }],
  },
  REMOVE_CO_OWNER: {
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
} satisfies StageForms;
