/**
 * Reorganisation (seed 001): an organisation succeeded by another on a vesting date, a person
 * handing their seats over to a colleague. The service records these on an admin's or a lead's
 * behalf (or from the succession's job), never a client: who `service`.
 */
import { z } from 'zod';
import { coOwnersRefuse } from '../cycle.people';
import { succeededRefuses } from '../cycle.rules';
import { CycleContext, CycleState } from '../cycle.types';
import { WORKING_STATES, defineEvent, fromEvery, id } from '../event-definition';
import { capitalised, directoryOf, refusalOf, stay } from './shared';

/** Every state a cycle is unfinished in: a succession or a handover reaches it there. */
const UNFINISHED: CycleState[] = [...WORKING_STATES, 'escalated'];

const replaced = (ids: string[], from: string, to: string) => [...new Set(ids.map((x) => (x === from ? to : x)))];

/**
 * The cycle once `successor` has taken `predecessor`'s place: its co-ownership (or, when the
 * successor already co-owns, its own role kept), the options it authors, the actions it owns, its
 * pledge and the allocations of its cash. Endorsements, consents, objections, appraisals and
 * learning stay as given, in the predecessor's name; `successions` makes them count for the successor.
 */
export function succeeded(c: CycleContext, predecessor: string, successor: string, at: string): CycleContext {
  const existing = c.coOwners.find((o) => o.organisationId === successor);
  const coOwners = existing ? c.coOwners.filter((o) => o.organisationId !== predecessor) : c.coOwners.map((o) => (o.organisationId === predecessor ? { ...o, organisationId: successor } : o));
  const mergeAllocations = (allocations: { optionId: string; organisationId: string; amountPence: number }[]) => {
    const merged = new Map<string, { optionId: string; organisationId: string; amountPence: number }>();
    for (const a of allocations) {
      const organisationId = a.organisationId === predecessor ? successor : a.organisationId;
      const key = `${a.optionId}.${organisationId}`;
      const before = merged.get(key);
      merged.set(key, { optionId: a.optionId, organisationId, amountPence: (before?.amountPence ?? 0) + a.amountPence });
    }
    return [...merged.values()];
  };
  return {
    ...c,
    coOwners,
    options: c.options.map((o) => (o.authorOrganisationIds.includes(predecessor) ? { ...o, authorOrganisationIds: replaced(o.authorOrganisationIds, predecessor, successor) } : o)),
    proposals: c.proposals.map((p) => (p.allocations?.some((a) => a.organisationId === predecessor) ? { ...p, allocations: mergeAllocations(p.allocations) } : p)),
    ...(c.pledges && { pledges: c.pledges.map((p) => (p.organisationId === predecessor ? { ...p, organisationId: successor, formerOrganisationId: p.formerOrganisationId ?? predecessor } : p)) }),
    ...(c.actions && { actions: c.actions.map((a) => (a.ownerOrganisationId === predecessor ? { ...a, ownerOrganisationId: successor } : a)) }),
    successions: [...(c.successions ?? []), { predecessorOrganisationId: predecessor, successorOrganisationId: successor, at, ...(existing && { keptRole: existing.role }) }],
  };
}

export const ORGANISATION_SUCCEEDED = defineEvent({
  type: 'ORGANISATION_SUCCEEDED',
  label: 'An organisation was succeeded by another',
  fields: z.strictObject({
    predecessorOrganisationId: id('Choose the organisation succeeded'),
    successorOrganisationId: id('Choose its successor'),
  }),
  who: { kind: 'service' },
  routes: fromEvery(UNFINISHED, () => stay),
  // The directory is the partnership as it will be: the successor a member, the predecessor's people its people.
  directory: true,
  rule: (c, e) => {
    const directory = directoryOf(e);
    const name = (organisationId: string) => directory.organisationNames?.[organisationId] ?? organisationId;
    if (e.predecessorOrganisationId === e.successorOrganisationId) return 'An organisation cannot succeed itself.';
    const role = c.coOwners.find((o) => o.organisationId === e.predecessorOrganisationId)?.role;
    if (!role) return `${name(e.predecessorOrganisationId)} does not co-own the cycle.`;
    const gone = succeededRefuses(c, [e.successorOrganisationId], name);
    if (gone) return gone;
    const next = succeeded(c, e.predecessorOrganisationId, e.successorOrganisationId, e.at);
    const broken = coOwnersRefuse(next.coOwners);
    if (broken) return `${name(e.successorOrganisationId)} already co-owns the cycle, so ${name(e.predecessorOrganisationId)}'s place would go: ${broken.charAt(0).toLowerCase()}${broken.slice(1)}`;
    // Its role, where it takes the predecessor's; a facilitator who would now belong to a co-owner.
    return refusalOf(next, directory, ['commissionerOrganisationIds', 'providerOrganisationIds', 'communityOrganisationIds', 'facilitatorUserIds']);
  },
  effect: (c, e) => succeeded(c, e.predecessorOrganisationId, e.successorOrganisationId, e.at),
});

/** What a handover moves in this cycle: the leaver's panel seat (unless they have signed off: it stands) and facilitator role. */
export function handedOver(c: CycleContext, from: string, to: string): CycleContext {
  const signed = c.signOffs.some((s) => s.userId === from);
  return {
    ...c,
    panelUserIds: signed ? c.panelUserIds : replaced(c.panelUserIds, from, to),
    facilitatorUserIds: replaced(c.facilitatorUserIds, from, to),
  };
}

export const HANDED_OVER = defineEvent({
  type: 'HANDED_OVER',
  label: 'Handed a person’s seats over to a colleague',
  fields: z.strictObject({ fromUserId: id('Choose the person who hands over'), toUserId: id('Choose the colleague who takes over') }),
  who: { kind: 'service' },
  routes: fromEvery(UNFINISHED, () => stay),
  directory: true,
  rule: (c, e) => {
    const directory = directoryOf(e);
    const name = (userId: string) => directory.users[userId]?.name ?? userId;
    if (e.fromUserId === e.toUserId) return 'A person cannot hand over to themselves.';
    const next = handedOver(c, e.fromUserId, e.toUserId);
    const seated = c.panelUserIds.includes(e.fromUserId);
    if ((!seated || c.signOffs.some((s) => s.userId === e.fromUserId)) && !c.facilitatorUserIds.includes(e.fromUserId)) {
      return seated
        ? `${name(e.fromUserId)} has signed off this cycle's review: their sign-off stands, so their seat stays theirs.`
        : `${name(e.fromUserId)} holds no panel seat or facilitator role in this cycle.`;
    }
    // Only the colleague is checked: may they sit there (an active user, a facilitator still neutral)?
    const added = { ...next, panelUserIds: next.panelUserIds.filter((x) => !c.panelUserIds.includes(x)), facilitatorUserIds: next.facilitatorUserIds.filter((x) => !c.facilitatorUserIds.includes(x)) };
    const refused = refusalOf(added, directory, ['panelUserIds', 'facilitatorUserIds']);
    return refused && `${capitalised(name(e.toUserId))} cannot take over: ${refused.charAt(0).toLowerCase()}${refused.slice(1)}`;
  },
  effect: (c, e) => handedOver(c, e.fromUserId, e.toUserId),
});
