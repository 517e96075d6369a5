/** Changes to what the cycle remembers that several events share (each event's own is in the catalogue). Pure. */
import { openProposal, reviewOutcome } from './cycle.rules';
import type { CycleEvent } from './cycle.catalogue';
import { CycleContext, Escalation, MilestoneEventType, WorkingState } from './cycle.types';

const MILESTONE_REASONS: Record<MilestoneEventType, string> = {
  FRAMING_DUE: 'The framingDue milestone passed before every co-owner endorsed the problem definition.',
  OPTIONS_DUE: 'The optionsClose milestone came with no live option to decide between.',
  DECISION_DUE: 'The decisionDue milestone passed before the co-owners agreed a decision.',
  REVIEW_START: 'The reviewStart milestone came.',
  REVIEW_DUE: 'The reviewDue milestone passed before every panel member signed off.',
};

export function escalate(context: CycleContext, event: CycleEvent, from: WorkingState): CycleContext {
  const milestone = event.type === 'ESCALATE' ? null : (event.type as MilestoneEventType);
  const escalation: Escalation = {
    reason: event.type === 'ESCALATE' ? (event as { reason: string }).reason : MILESTONE_REASONS[event.type as MilestoneEventType],
    from,
    raisedByUserId: event.actor.userId,
    raisedByOrganisationId: event.actor.organisationId,
    milestone,
    at: event.at,
    resolution: null,
    resolvedByUserId: null,
    resolvedAt: null,
  };
  return { ...context, escalations: [...context.escalations, escalation] };
}

export function acceptOpenProposal(context: CycleContext): CycleContext {
  const open = openProposal(context);
  return { ...context, proposals: context.proposals.map((p) => (p === open ? { ...p, status: 'accepted' } : p)) };
}

export function close(context: CycleContext, at: string): CycleContext {
  return { ...context, closure: { ...reviewOutcome(context), at } };
}
