/** A cycle's people once it is launched: the panel, the facilitators, co-owners invited, leaving and removed. */
import { z } from 'zod';
import { CO_OWNER_ROLES, CycleContext, CycleState } from '../cycle.types';
import { Directory, coOwnersRefuse, roleRefuses } from '../cycle.people';
import { succeededRefuses } from '../cycle.rules';
import { WORKING_STATES, defineEvent, fromEvery, id, ids } from '../event-definition';
import { capitalised, directoryOf, reasonField, refusalOf, stay } from './shared';

const AFTER_LAUNCH: CycleState[] = ['framing', 'options', 'deciding', 'delivering', 'reviewing', 'escalated'];
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
/** A new panel or set of facilitators: refused when unchanged, or when someone it adds may not be there. */
function peopleChangeRefuses(
  c: CycleContext,
  e: { directory?: Directory; type: string } & Partial<Record<'panelUserIds' | 'facilitatorUserIds', string[]>>,
  field: 'panelUserIds' | 'facilitatorUserIds',
  unchanged: string,
) {
  const next = [...new Set(e[field] ?? [])];
  if (sameSet(next, c[field])) return unchanged;
  // Only those it adds are checked: taking someone off never depends on the others' standing.
  return refusalOf({ ...c, [field]: next.filter((id) => !c[field].includes(id)) }, directoryOf(e), [field]);
}

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
});

export const CHANGE_FACILITATORS = defineEvent({
  type: 'CHANGE_FACILITATORS',
  label: 'Changed the facilitators',
  fields: z.strictObject({ facilitatorUserIds: ids('facilitators') }),
  who: { kind: 'commissioner', doing: 'change the facilitators' },
  // Not while escalated: one side of a dispute may not replace the neutral voice resolving it.
  routes: fromEvery(
    AFTER_LAUNCH.filter((s) => s !== 'escalated'),
    () => stay,
  ),
  directory: true,
  rule: (c, e) => peopleChangeRefuses(c, e, 'facilitatorUserIds', 'The facilitators are unchanged.'),
  effect: (c, e) => ({ ...c, facilitatorUserIds: [...new Set(e.facilitatorUserIds)] }),
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
    const succeeded = succeededRefuses(c, [e.organisationId], (id) => directory.organisationNames?.[id] ?? id);
    if (succeeded) return succeeded;
    const refused = roleRefuses(e.organisationId, e.role, directory);
    if (refused) return `${capitalised(refused)}.`;
    return refusalOf({ ...c, coOwners: [...c.coOwners, { organisationId: e.organisationId, role: e.role }] }, directory, ['facilitatorUserIds']);
  },
  // The invited organisation's endorsement of the latest revision, or consent to the open proposal, is now needed.
  effect: (c, e) => ({ ...c, coOwners: [...c.coOwners, { organisationId: e.organisationId, role: e.role }] }),
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
});
