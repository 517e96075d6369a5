/** From any working state: escalating a disagreement, resolving it, cancelling the cycle. */
import { z } from 'zod';
import { defineEvent, fromEvery, prose, WORKING_STATES } from '../event-definition';
import { reasonField } from './shared';

export const ESCALATE = defineEvent({
  type: 'ESCALATE',
  label: 'Escalated a disagreement',
  fields: z.strictObject({ reason: reasonField('Enter what the disagreement is') }),
  who: { kind: 'coOwner' },
  routes: fromEvery(WORKING_STATES, () => ({ to: 'escalated', effect: 'escalate' })),
});

export const RESOLVE_ESCALATION = defineEvent({
  type: 'RESOLVE_ESCALATION',
  label: 'Resolved the escalation',
  fields: z.strictObject({ resolution: prose(20000, 'Enter the resolution', 'The resolution') }),
  who: { kind: 'facilitator' },
  // Back to the state the escalation came from: one route per working state, guarded by `returnsTo`.
  routes: { escalated: WORKING_STATES.map((state) => ({ to: state, when: [`returnsTo.${state}`], effect: 'record' as const })) },
  effect: (c, e) => ({
    ...c,
    escalations: c.escalations.map((x, i) => (i === c.escalations.length - 1 ? { ...x, resolution: e.resolution, resolvedByUserId: e.actor.userId, resolvedAt: e.at } : x)),
  }),
});

export const CANCEL = defineEvent({
  type: 'CANCEL',
  label: 'Cancelled the cycle',
  fields: z.strictObject({ reason: reasonField('Enter why the cycle is cancelled') }),
  who: { kind: 'commissioner', doing: 'cancel it' },
  routes: fromEvery([...WORKING_STATES, 'escalated'], () => ({ to: 'cancelled', effect: 'record' })),
  effect: (c, e) => ({ ...c, cancellation: { reason: e.reason, userId: e.actor.userId, organisationId: e.actor.organisationId, at: e.at } }),
});
