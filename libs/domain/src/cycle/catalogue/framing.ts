/** Framing the problem: revisions, and each co-owner's endorsement or objection. */
import { z } from 'zod';
import { problemResponseRefuses, latestRevision } from '../cycle.rules';
import { defineEvent, prose } from '../event-definition';
import { CYCLE_CAPS, reasonField, stay, who } from './shared';

export const REVISE_PROBLEM = defineEvent({
  type: 'REVISE_PROBLEM',
  label: 'Wrote a new revision of the problem',
  fields: z.strictObject({ statement: prose(20000, 'Enter the problem statement', 'The problem statement') }),
  who: { kind: 'coOwner' },
  routes: { framing: stay },
  rule: (c) =>
    c.problem.revisions.length >= CYCLE_CAPS.revisions
      ? `A cycle holds at most ${CYCLE_CAPS.revisions} revisions of its problem, and this one has them all: endorse or object to the latest, or go on in the next iteration.`
      : undefined,
  effect: (c, e) => ({
    ...c,
    problem: {
      ...c.problem,
      revisions: [
        ...c.problem.revisions,
        {
          number: c.problem.revisions.length + 1,
          statement: e.statement,
          authorOrganisationId: e.actor.organisationId,
          authorUserId: e.actor.userId,
          carriedForward: false,
          at: e.at,
        },
      ],
    },
  }),
});

const revision = z.int({ error: 'Choose the revision' }).min(1, 'Choose the revision');

export const ENDORSE_PROBLEM = defineEvent({
  type: 'ENDORSE_PROBLEM',
  label: 'Endorsed the problem definition',
  fields: z.strictObject({ revision }),
  who: { kind: 'representative', doing: 'endorse the problem' },
  routes: { framing: stay },
  rule: (c, e) => problemResponseRefuses(c, e.revision, e.actor.organisationId),
  offered: (c, actor) => problemResponseRefuses(c, latestRevision(c), actor.organisationId) === undefined,
  effect: (c, e) => ({ ...c, problem: { ...c.problem, endorsements: [...c.problem.endorsements, { revision: e.revision, ...who(e) }] } }),
});

export const OBJECT_PROBLEM = defineEvent({
  type: 'OBJECT_PROBLEM',
  label: 'Objected to the problem definition',
  fields: z.strictObject({ revision, reason: reasonField('Enter why your organisation objects') }),
  who: { kind: 'representative', doing: 'object to the problem' },
  routes: { framing: stay },
  rule: (c, e) => problemResponseRefuses(c, e.revision, e.actor.organisationId),
  offered: (c, actor) => problemResponseRefuses(c, latestRevision(c), actor.organisationId) === undefined,
  effect: (c, e) => ({
    ...c,
    problem: { ...c.problem, objections: [...c.problem.objections, { revision: e.revision, reason: e.reason, ...who(e) }] },
  }),
});
