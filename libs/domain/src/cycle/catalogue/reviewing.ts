/** The learning review: learning recorded, and the panel's sign-offs. */
import { z } from 'zod';
import { CycleContext } from '../cycle.types';
import { defineEvent, prose } from '../event-definition';
import { stay } from './shared';

export const RECORD_LEARNING = defineEvent({
  type: 'RECORD_LEARNING',
  label: 'Recorded learning',
  fields: z.strictObject({
    insight: prose(20000, 'Enter what was learned', 'The insight'),
    evidence: prose(20000, 'Enter the evidence', 'The evidence').optional(),
    recommendation: z.enum(['continue', 'adapt', 'stop'], { error: 'Choose a recommendation' }),
  }),
  who: { kind: 'coOwnerOrPanel' },
  routes: { reviewing: stay },
  effect: (c, e) => ({
    ...c,
    learnings: [
      ...c.learnings,
      {
        insight: e.insight,
        evidence: e.evidence ?? null,
        recommendation: e.recommendation,
        // A panel member of a co-owner counts as panel.
        writtenBy: e.actor.userId !== null && c.panelUserIds.includes(e.actor.userId) ? 'panel' : 'co-owner',
        organisationId: e.actor.organisationId,
        userId: e.actor.userId!,
        at: e.at,
      },
    ],
  }),
});

const signedOff = (c: CycleContext, userId: string | null) => c.signOffs.some((s) => s.userId === userId);

export const SIGN_OFF_REVIEW = defineEvent({
  type: 'SIGN_OFF_REVIEW',
  label: 'Signed off the learning review',
  fields: z.strictObject({ outcome: z.enum(['close', 'iterate'], { error: 'Choose whether to iterate or close' }) }),
  who: { kind: 'panelMember' },
  routes: { reviewing: stay },
  rule: (c, e) => (signedOff(c, e.actor.userId) ? 'You have already signed off this review.' : undefined),
  offered: (c, actor) => !signedOff(c, actor.userId),
  effect: (c, e) => ({ ...c, signOffs: [...c.signOffs, { userId: e.actor.userId!, outcome: e.outcome, at: e.at }] }),
});
