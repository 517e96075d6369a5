/** How each accepted event changes what the cycle remembers. Pure: same input, same output. */
import { openProposal, reviewOutcome } from './cycle.rules';
import { CycleContext, CycleEvent, Escalation, MilestoneEventType, WorkingState } from './cycle.types';

const who = (event: CycleEvent) => ({ organisationId: event.actor.organisationId!, userId: event.actor.userId!, at: event.at });

export function record(context: CycleContext, event: CycleEvent): CycleContext {
  switch (event.type) {
    case 'REVISE_PROBLEM': {
      const number = context.problem.revisions.length + 1;
      return {
        ...context,
        problem: {
          ...context.problem,
          revisions: [
            ...context.problem.revisions,
            {
              number,
              statement: event.statement,
              authorOrganisationId: event.actor.organisationId,
              authorUserId: event.actor.userId,
              carriedForward: false,
              at: event.at,
            },
          ],
        },
      };
    }
    case 'ENDORSE_PROBLEM':
      return {
        ...context,
        problem: { ...context.problem, endorsements: [...context.problem.endorsements, { revision: event.revision, ...who(event) }] },
      };
    case 'OBJECT_PROBLEM':
      return {
        ...context,
        problem: {
          ...context.problem,
          objections: [...context.problem.objections, { revision: event.revision, reason: event.reason, ...who(event) }],
        },
      };
    case 'SUBMIT_OPTION': {
      const authors = [event.actor.organisationId!, ...(event.coAuthorOrganisationIds ?? [])];
      return {
        ...context,
        options: [
          ...context.options,
          {
            id: event.optionId,
            title: event.title,
            summary: event.summary,
            status: 'live',
            authorOrganisationIds: [...new Set(authors)],
            submittedByUserId: event.actor.userId!,
            amendments: 0,
            at: event.at,
          },
        ],
      };
    }
    case 'AMEND_OPTION':
      return {
        ...context,
        options: context.options.map((o) =>
          o.id === event.optionId
            ? { ...o, title: event.title ?? o.title, summary: event.summary ?? o.summary, amendments: o.amendments + 1 }
            : o,
        ),
      };
    case 'WITHDRAW_OPTION':
      return { ...context, options: context.options.map((o) => (o.id === event.optionId ? { ...o, status: 'withdrawn' } : o)) };
    case 'APPRAISE_OPTION': {
      // A later appraisal by the same organisation of the same option replaces the earlier one.
      const others = context.appraisals.filter(
        (a) => !(a.optionId === event.optionId && a.organisationId === event.actor.organisationId),
      );
      return {
        ...context,
        appraisals: [...others, { optionId: event.optionId, scores: event.scores, comment: event.comment ?? null, ...who(event) }],
      };
    }
    case 'PROPOSE_DECISION': {
      // A new proposal replaces one still gathering consent.
      const proposals = context.proposals.map((p) => (p.status === 'open' ? { ...p, status: 'superseded' as const } : p));
      return {
        ...context,
        proposals: [
          ...proposals,
          {
            id: event.proposalId,
            optionIds: event.optionIds,
            rationale: event.rationale,
            proposedByOrganisationId: event.actor.organisationId!,
            proposedByUserId: event.actor.userId!,
            status: 'open',
            consents: [],
            objections: [],
            at: event.at,
          },
        ],
      };
    }
    case 'CONSENT':
      return {
        ...context,
        proposals: context.proposals.map((p) => (p.id === event.proposalId ? { ...p, consents: [...p.consents, who(event)] } : p)),
      };
    case 'OBJECT':
      return {
        ...context,
        proposals: context.proposals.map((p) =>
          p.id === event.proposalId
            ? { ...p, status: 'blocked', objections: [...p.objections, { ...who(event), reason: event.reason }] }
            : p,
        ),
      };
    // RECORD_PROGRESS changes nothing the rules read: its history entry is the record.
    case 'RECORD_LEARNING': {
      const panel = event.actor.userId !== null && context.panelUserIds.includes(event.actor.userId);
      return {
        ...context,
        learnings: [
          ...context.learnings,
          {
            insight: event.insight,
            evidence: event.evidence ?? null,
            recommendation: event.recommendation,
            writtenBy: panel ? 'panel' : 'co-owner',
            organisationId: event.actor.organisationId,
            userId: event.actor.userId!,
            at: event.at,
          },
        ],
      };
    }
    case 'SIGN_OFF_REVIEW':
      return { ...context, signOffs: [...context.signOffs, { userId: event.actor.userId!, outcome: event.outcome, at: event.at }] };
    case 'RESOLVE_ESCALATION':
      return {
        ...context,
        escalations: context.escalations.map((e, i) =>
          i === context.escalations.length - 1
            ? { ...e, resolution: event.resolution, resolvedByUserId: event.actor.userId, resolvedAt: event.at }
            : e,
        ),
      };
    case 'CANCEL':
      return {
        ...context,
        cancellation: { reason: event.reason, userId: event.actor.userId, organisationId: event.actor.organisationId, at: event.at },
      };
    default:
      return context;
  }
}

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
    reason: event.type === 'ESCALATE' ? event.reason : MILESTONE_REASONS[event.type as MilestoneEventType],
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
