/**
 * The predicates the catalogue's entries are written with: who someone is to the cycle, and
 * whether a revision, option or proposal may be answered now. Each refusal returns the reason in
 * words a commissioner understands, or undefined when allowed.
 */
import type { Reason, Who } from './event-definition';
import { Actor, CoOwnerRole, CycleContext, Proposal } from './cycle.types';

export type { Reason };

// ----- who ----------------------------------------------------------------------------------

export const roleOf = (context: CycleContext, actor: Actor): CoOwnerRole | undefined =>
  actor.organisationId ? context.coOwners.find((c) => c.organisationId === actor.organisationId)?.role : undefined;

const isCoOwner = (context: CycleContext, actor: Actor) => roleOf(context, actor) !== undefined;
const isPanel = (context: CycleContext, actor: Actor) => actor.userId !== null && context.panelUserIds.includes(actor.userId);

function notCoOwner(context: CycleContext, actor: Actor, what: string): Reason {
  if (isCoOwner(context, actor)) return undefined;
  return `Only co-owners of the cycle ${what}; your organisation is not one of them.`;
}

function notCommissioner(context: CycleContext, actor: Actor, what: string): Reason {
  const role = roleOf(context, actor);
  if (role === 'commissioner') return undefined;
  return role ? `Only the cycle's commissioners ${what}; your organisation is a ${role} co-owner.` : `Only the cycle's commissioners ${what}; your organisation is not a co-owner.`;
}

function notAuthor(context: CycleContext, actor: Actor, optionId: unknown, what: string): Reason {
  const option = context.options.find((o) => o.id === optionId);
  if (!option || !actor.organisationId) return notCoOwner(context, actor, what);
  if (option.authorOrganisationIds.includes(actor.organisationId)) return undefined;
  return `Only the authors of option "${option.title}" ${what}; your organisation is not one of them.`;
}

/** Where an organisation names representatives, only they commit it (seed 004: a mandate). */
function notRepresentative(actor: Actor, what: string): Reason {
  const names = actor.representatives ?? [];
  if (!names.length || actor.representative) return undefined;
  return `Your organisation names representatives: only ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`} may ${what} for it.`;
}

function notActionOwner(context: CycleContext, actor: Actor, actionId: unknown, what: string): Reason {
  const action = (context.actions ?? []).find((a) => a.id === actionId);
  if (!action || !actor.organisationId) return notCoOwner(context, actor, what);
  if (action.ownerOrganisationId === actor.organisationId) return undefined;
  return `Only the organisation that owns “${action.title}” may ${what}.`;
}

/**
 * Whether the actor is who may send an event of this type (403 when not). The event is needed
 * only for `optionAuthor` (which option); without it, any live option of theirs will do.
 */
export function whoRefuses(who: Who, type: string, context: CycleContext, actor: Actor, event?: { optionId?: unknown; actionId?: unknown }): Reason {
  if (who.kind === 'milestone') return actor.system ? undefined : `${type} is sent by the cycle's milestones, not by people.`;
  if (who.kind === 'service') return actor.system ? undefined : `${type} is recorded by the service (a succession or a handover), not sent by people.`;
  if (actor.system) return `The system does not send ${type}.`;
  switch (who.kind) {
    case 'commissioner':
      return notCommissioner(context, actor, who.doing);
    case 'optionAuthor':
      return notAuthor(context, actor, event?.optionId, who.doing);
    case 'actionOwner':
      return notActionOwner(context, actor, event?.actionId, who.doing);
    case 'coOwnerOrPanel':
      return isCoOwner(context, actor) || isPanel(context, actor) ? undefined : 'Only co-owners and review panel members record learning.';
    case 'panelMember':
      return isPanel(context, actor) ? undefined : 'Only members of the review panel sign off the review.';
    case 'facilitator':
      if (context.facilitatorUserIds.length === 0) {
        return actor.organisationId === null && actor.userId !== null ? undefined : 'This cycle names no facilitator, so only a platform admin may resolve its escalation.';
      }
      return actor.userId !== null && context.facilitatorUserIds.includes(actor.userId) ? undefined : "Only the cycle's facilitators resolve escalations.";
    case 'coOwner':
      return notCoOwner(context, actor, `send ${type}`);
    case 'representative':
      return notCoOwner(context, actor, `send ${type}`) ?? notRepresentative(actor, who.doing);
  }
}

// ----- reorganisation -----------------------------------------------------------------------

/**
 * The organisation that stands for this one in the cycle now: itself, or its successor (after
 * every succession in order). What a predecessor gave counts for the organisation it became.
 */
export function standingFor(context: CycleContext, organisationId: string): string {
  let current = organisationId;
  for (const s of context.successions ?? []) if (s.predecessorOrganisationId === current) current = s.successorOrganisationId;
  return current;
}

/** An organisation another succeeded in this cycle takes no part in it again (its successor stands for it); the refusal when one of these is such. */
export function succeededRefuses(context: CycleContext, organisationIds: string[], name: (organisationId: string) => string = (id) => id): Reason {
  const gone = organisationIds.find((id) => standingFor(context, id) !== id);
  return gone && `${name(gone)} was succeeded by ${name(standingFor(context, gone))}, which stands for it in this cycle.`;
}

/** Whether what `given` by an organisation (an endorsement, a consent) was given by `organisationId` or by one it succeeded. */
export const givenBy = (context: CycleContext, given: { organisationId: string }, organisationId: string | null): boolean =>
  organisationId !== null && standingFor(context, given.organisationId) === organisationId;

// ----- what -----------------------------------------------------------------------------------

export const latestRevision = (context: CycleContext): number => context.problem.revisions.length;

export const liveOptions = (context: CycleContext) => context.options.filter((o) => o.status === 'live');

export const openProposal = (context: CycleContext): Proposal | undefined => context.proposals.find((p) => p.status === 'open');

/** Whether an organisation may endorse or object to this revision now. */
export function problemResponseRefuses(context: CycleContext, revision: number, organisationId: string | null): Reason {
  const latest = latestRevision(context);
  if (latest === 0) return 'No problem statement has been written yet: a co-owner writes revision 1 first.';
  if (revision !== latest) {
    return revision < latest && revision >= 1 ? `Revision ${revision} is no longer the latest; revision ${latest} is.` : `There is no revision ${revision}; the latest is revision ${latest}.`;
  }
  if (context.problem.endorsements.some((e) => e.revision === latest && givenBy(context, e, organisationId))) {
    return `Your organisation has already endorsed revision ${latest}.`;
  }
  if (context.problem.objections.some((o) => o.revision === latest && givenBy(context, o, organisationId))) {
    return `Your organisation has already objected to revision ${latest}; a new revision is needed before it can respond again.`;
  }
  return undefined;
}

export function optionRefuses(context: CycleContext, optionId: string, action: string): Reason {
  const option = context.options.find((o) => o.id === optionId);
  if (!option) return `There is no option ${optionId} in this cycle.`;
  if (option.status !== 'live') return `Option "${option.title}" has been withdrawn and cannot be ${action}.`;
  return undefined;
}

/** Whether an organisation may consent or object to this proposal now. */
export function proposalRefuses(context: CycleContext, proposalId: string, organisationId: string | null): Reason {
  const proposal = context.proposals.find((p) => p.id === proposalId);
  if (!proposal) return `There is no proposal ${proposalId} in this cycle.`;
  if (proposal.status === 'blocked') return 'That proposal was blocked by an objection; a new proposal is needed.';
  if (proposal.status === 'superseded') return 'That proposal was replaced by a newer one; respond to the latest proposal.';
  if (proposal.status === 'accepted') return 'That proposal has already been agreed.';
  if (proposal.consents.some((c) => givenBy(context, c, organisationId))) return 'Your organisation has already consented to this proposal.';
  if (proposal.objections.some((o) => givenBy(context, o, organisationId))) return 'Your organisation has already objected to this proposal.';
  return undefined;
}

// ----- when the cycle moves on its own --------------------------------------------------------

export function everyCoOwnerEndorsed(context: CycleContext): boolean {
  const latest = latestRevision(context);
  if (latest === 0) return false;
  const endorsed = new Set(context.problem.endorsements.filter((e) => e.revision === latest).map((e) => standingFor(context, e.organisationId)));
  const objected = context.problem.objections.some((o) => o.revision === latest);
  return !objected && context.coOwners.every((c) => endorsed.has(c.organisationId));
}

export function everyCoOwnerConsented(proposal: Proposal | undefined, context: CycleContext): boolean {
  if (!proposal || proposal.status !== 'open' || proposal.objections.length) return false;
  const consented = new Set(proposal.consents.map((c) => standingFor(context, c.organisationId)));
  return context.coOwners.every((c) => consented.has(c.organisationId));
}

export const everyPanelMemberSignedOff = (context: CycleContext): boolean => context.panelUserIds.length > 0 && context.panelUserIds.every((id) => context.signOffs.some((s) => s.userId === id));

/** Iterate only when more than half of the panel chose it. */
export function reviewOutcome(context: CycleContext): { outcome: 'close' | 'iterate'; close: number; iterate: number } {
  const iterate = context.signOffs.filter((s) => s.outcome === 'iterate').length;
  const close = context.signOffs.length - iterate;
  return { outcome: iterate * 2 > context.signOffs.length ? 'iterate' : 'close', close, iterate };
}
