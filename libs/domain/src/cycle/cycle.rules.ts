/**
 * The cycle's rules as plain functions: who may send an event, and whether its fields make
 * sense now. The machine's guards call them; the engine calls them again to say why a refused
 * event was refused. Each returns undefined when the event is allowed, or the reason in words a
 * commissioner understands.
 */
import {
  Actor,
  CoOwnerRole,
  CycleContext,
  CycleEvent,
  CycleEventType,
  EventOf,
  MILESTONE_EVENT_TYPES,
  Proposal,
} from './cycle.types';

export type Reason = string | undefined;

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
  return role
    ? `Only the cycle's commissioners ${what}; your organisation is a ${role} co-owner.`
    : `Only the cycle's commissioners ${what}; your organisation is not a co-owner.`;
}

function notAuthor(context: CycleContext, actor: Actor, optionId: string, what: string): Reason {
  const option = context.options.find((o) => o.id === optionId);
  if (!option || !actor.organisationId) return notCoOwner(context, actor, what);
  if (option.authorOrganisationIds.includes(actor.organisationId)) return undefined;
  return `Only the authors of option "${option.title}" ${what}; your organisation is not one of them.`;
}

const isMilestone = (type: CycleEventType): boolean => (MILESTONE_EVENT_TYPES as readonly string[]).includes(type);

/** Whether the actor may send this kind of event at all (403 when not). */
export function whoRefuses(context: CycleContext, event: CycleEvent): Reason {
  const { actor } = event;
  if (isMilestone(event.type)) {
    return actor.system ? undefined : `${event.type} is sent by the cycle's milestones, not by people.`;
  }
  if (actor.system) return `The system does not send ${event.type}.`;
  switch (event.type) {
    case 'LAUNCH':
      return notCommissioner(context, actor, 'launch it');
    case 'CLOSE_OPTIONS':
      return notCommissioner(context, actor, 'close the options window');
    case 'START_REVIEW':
      return notCommissioner(context, actor, 'start the review');
    case 'CANCEL':
      return notCommissioner(context, actor, 'cancel it');
    case 'AMEND_OPTION':
      return notAuthor(context, actor, event.optionId, 'amend it');
    case 'WITHDRAW_OPTION':
      return notAuthor(context, actor, event.optionId, 'withdraw it');
    case 'RECORD_LEARNING':
      return isCoOwner(context, actor) || isPanel(context, actor)
        ? undefined
        : 'Only co-owners and review panel members record learning.';
    case 'SIGN_OFF_REVIEW':
      return isPanel(context, actor) ? undefined : 'Only members of the review panel sign off the review.';
    case 'RESOLVE_ESCALATION':
      if (context.facilitatorUserIds.length === 0) {
        return actor.organisationId === null && actor.userId !== null
          ? undefined
          : 'This cycle names no facilitator, so only a platform admin may resolve its escalation.';
      }
      return actor.userId !== null && context.facilitatorUserIds.includes(actor.userId)
        ? undefined
        : "Only the cycle's facilitators resolve escalations.";
    default:
      return notCoOwner(context, actor, `send ${event.type}`);
  }
}

// ----- what -----------------------------------------------------------------------------------

export const latestRevision = (context: CycleContext): number => context.problem.revisions.length;

export const liveOptions = (context: CycleContext) => context.options.filter((o) => o.status === 'live');

export const openProposal = (context: CycleContext): Proposal | undefined =>
  context.proposals.find((p) => p.status === 'open');

function revisionRefuses(context: CycleContext, event: EventOf<'ENDORSE_PROBLEM' | 'OBJECT_PROBLEM'>): Reason {
  const latest = latestRevision(context);
  if (latest === 0) return 'No problem statement has been written yet: a co-owner writes revision 1 first.';
  if (event.revision !== latest) {
    return event.revision < latest && event.revision >= 1
      ? `Revision ${event.revision} is no longer the latest; revision ${latest} is.`
      : `There is no revision ${event.revision}; the latest is revision ${latest}.`;
  }
  const org = event.actor.organisationId;
  if (context.problem.endorsements.some((e) => e.revision === latest && e.organisationId === org)) {
    return `Your organisation has already endorsed revision ${latest}.`;
  }
  if (context.problem.objections.some((o) => o.revision === latest && o.organisationId === org)) {
    return `Your organisation has already objected to revision ${latest}; a new revision is needed before it can respond again.`;
  }
  return undefined;
}

function optionRefuses(context: CycleContext, optionId: string, action: string): Reason {
  const option = context.options.find((o) => o.id === optionId);
  if (!option) return `There is no option ${optionId} in this cycle.`;
  if (option.status !== 'live') return `Option "${option.title}" has been withdrawn and cannot be ${action}.`;
  return undefined;
}

function proposalRefuses(context: CycleContext, event: EventOf<'CONSENT' | 'OBJECT'>): Reason {
  const proposal = context.proposals.find((p) => p.id === event.proposalId);
  if (!proposal) return `There is no proposal ${event.proposalId} in this cycle.`;
  if (proposal.status === 'blocked') return 'That proposal was blocked by an objection; a new proposal is needed.';
  if (proposal.status === 'superseded') return 'That proposal was replaced by a newer one; respond to the latest proposal.';
  if (proposal.status === 'accepted') return 'That proposal has already been agreed.';
  const org = event.actor.organisationId;
  if (proposal.consents.some((c) => c.organisationId === org)) return 'Your organisation has already consented to this proposal.';
  if (proposal.objections.some((o) => o.organisationId === org)) return 'Your organisation has already objected to this proposal.';
  return undefined;
}

/** Whether the event's fields make sense against the cycle as it is (422 when not). */
export function rulesRefuse(context: CycleContext, event: CycleEvent): Reason {
  switch (event.type) {
    case 'LAUNCH':
      if (!context.coOwners.some((c) => c.role !== 'commissioner')) {
        return 'A cycle owned by commissioners alone is not collaborative: it needs at least one provider or community co-owner.';
      }
      if (context.panelUserIds.length === 0) return 'The cycle needs at least one review panel member before it is launched.';
      return undefined;
    case 'ENDORSE_PROBLEM':
    case 'OBJECT_PROBLEM':
      return revisionRefuses(context, event);
    case 'SUBMIT_OPTION': {
      const strangers = (event.coAuthorOrganisationIds ?? []).filter((id) => !context.coOwners.some((c) => c.organisationId === id));
      if (strangers.length) return `Co-authors must be co-owners of the cycle; ${strangers.join(', ')} is not.`;
      if (context.options.some((o) => o.id === event.optionId)) return `Option ${event.optionId} already exists.`;
      return undefined;
    }
    case 'AMEND_OPTION':
      return optionRefuses(context, event.optionId, 'amended');
    case 'WITHDRAW_OPTION':
      return optionRefuses(context, event.optionId, 'withdrawn again');
    case 'CLOSE_OPTIONS':
      return liveOptions(context).length ? undefined : 'There is no live option: the window cannot close without one.';
    case 'APPRAISE_OPTION': {
      const refused = optionRefuses(context, event.optionId, 'appraised');
      if (refused) return refused;
      const unknown = event.scores.filter((s) => !context.outcomeIds.includes(s.outcomeId)).map((s) => s.outcomeId);
      if (unknown.length) return `Appraise against the cycle's outcomes; ${unknown.join(', ')} is not one of them.`;
      const outcomes = event.scores.map((s) => s.outcomeId);
      if (new Set(outcomes).size !== outcomes.length) return 'Score each outcome once.';
      return undefined;
    }
    case 'PROPOSE_DECISION': {
      if (event.optionIds.length === 0) return 'A proposal chooses at least one option.';
      for (const id of event.optionIds) {
        const refused = optionRefuses(context, id, 'chosen');
        if (refused) return refused;
      }
      return undefined;
    }
    case 'CONSENT':
    case 'OBJECT':
      return proposalRefuses(context, event);
    case 'RECORD_PROGRESS': {
      const unknown = (event.readings ?? []).filter((r) => !context.metrics.some((m) => m.id === r.metric || m.name === r.metric));
      if (unknown.length) {
        return `Readings are of the cycle's outcome metrics; "${unknown[0].metric}" is not one of them.`;
      }
      return undefined;
    }
    case 'SIGN_OFF_REVIEW':
      return context.signOffs.some((s) => s.userId === event.actor.userId) ? 'You have already signed off this review.' : undefined;
    default:
      return undefined;
  }
}

/** Both checks: what the machine's `allowed` guard asks. */
export const refuses = (context: CycleContext, event: CycleEvent): Reason =>
  whoRefuses(context, event) ?? rulesRefuse(context, event);

// ----- when the cycle moves on its own --------------------------------------------------------

export function everyCoOwnerEndorsed(context: CycleContext): boolean {
  const latest = latestRevision(context);
  if (latest === 0) return false;
  const endorsed = new Set(context.problem.endorsements.filter((e) => e.revision === latest).map((e) => e.organisationId));
  const objected = context.problem.objections.some((o) => o.revision === latest);
  return !objected && context.coOwners.every((c) => endorsed.has(c.organisationId));
}

export function everyCoOwnerConsented(proposal: Proposal | undefined, context: CycleContext): boolean {
  if (!proposal || proposal.status !== 'open' || proposal.objections.length) return false;
  const consented = new Set(proposal.consents.map((c) => c.organisationId));
  return context.coOwners.every((c) => consented.has(c.organisationId));
}

export const everyPanelMemberSignedOff = (context: CycleContext): boolean =>
  context.panelUserIds.length > 0 && context.panelUserIds.every((id) => context.signOffs.some((s) => s.userId === id));

/** Iterate only when more than half of the panel chose it. */
export function reviewOutcome(context: CycleContext): { outcome: 'close' | 'iterate'; close: number; iterate: number } {
  const iterate = context.signOffs.filter((s) => s.outcome === 'iterate').length;
  const close = context.signOffs.length - iterate;
  return { outcome: iterate * 2 > context.signOffs.length ? 'iterate' : 'close', close, iterate };
}
