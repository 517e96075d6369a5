/** The cycle machine specs' cast and the steps that bring a cycle to each stage. */
import { Actor, CycleInput } from './cycle.types';
import type { CycleEvent, UserEvent } from './cycle.catalogue';
import { CycleSnapshot, decide, persistCycle, restoreCycle, startCycle } from './cycle.engine';

/** The cycle machine specs' cast, and the steps that bring a cycle to each stage (cycle.machine*.spec.ts). */
export const COUNCIL = 'org-council';
export const ICB = 'org-icb';
export const CHARITY = 'org-charity';
export const FORUM = 'org-forum';
export const OUTSIDER = 'org-outsider';

export const council: Actor = { userId: 'u-council', organisationId: COUNCIL };
export const icb: Actor = { userId: 'u-icb', organisationId: ICB };
export const charity: Actor = { userId: 'u-charity', organisationId: CHARITY };
export const forum: Actor = { userId: 'u-forum', organisationId: FORUM };
export const outsider: Actor = { userId: 'u-out', organisationId: OUTSIDER };
export const panelA: Actor = { userId: 'u-panel-a', organisationId: FORUM };
export const panelB: Actor = { userId: 'u-panel-b', organisationId: null };
export const panelC: Actor = { userId: 'u-panel-c', organisationId: OUTSIDER };
export const facilitator: Actor = { userId: 'u-facilitator', organisationId: OUTSIDER };
export const system: Actor = { userId: null, organisationId: null, system: true };
export const coOwners = [council, icb, charity, forum];

export const input: CycleInput = {
  coOwners: [
    { organisationId: COUNCIL, role: 'commissioner' },
    { organisationId: ICB, role: 'commissioner' },
    { organisationId: CHARITY, role: 'provider' },
    { organisationId: FORUM, role: 'community' },
  ],
  panelUserIds: [panelA.userId!, panelB.userId!, panelC.userId!],
  facilitatorUserIds: [facilitator.userId!],
  outcomeIds: ['outcome-1'],
  metrics: [{ id: 'metric-1', name: 'Emergency admissions', outcomeId: 'outcome-1' }],
};

let clock = 0;
export const at = () => new Date(Date.UTC(2027, 0, 1) + clock++ * 1000).toISOString();

export type Body = Omit<UserEvent, 'actor' | 'at'> | { type: CycleEvent['type']; [k: string]: unknown };

export function send(snapshot: CycleSnapshot, actor: Actor, body: Body): CycleSnapshot {
  const decision = decide(snapshot, { ...body, actor, at: at() } as CycleEvent);
  if (!decision.accepted) throw new Error(`${body.type} refused: ${decision.reason}`);
  // Round-trip through JSON as the database does, so every step also proves persistence.
  return restoreCycle(JSON.parse(JSON.stringify(persistCycle(decision.snapshot))));
}

export function refusal(snapshot: CycleSnapshot, actor: Actor, body: Body) {
  const decision = decide(snapshot, { ...body, actor, at: at() } as CycleEvent);
  if (decision.accepted) throw new Error(`${body.type} was accepted`);
  return decision;
}

export const launched = () => send(startCycle(input), council, { type: 'LAUNCH' });

export function framed(): CycleSnapshot {
  let s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted in winter.' });
  for (const a of coOwners) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
  return s;
}

export function withOption(): CycleSnapshot {
  return send(framed(), charity, {
    type: 'SUBMIT_OPTION',
    optionId: 'opt-1',
    title: 'Winter wellbeing calls',
    summary: 'Volunteers call isolated residents weekly.',
    coAuthorOrganisationIds: [FORUM],
  });
}

export function deciding(): CycleSnapshot {
  return send(withOption(), council, { type: 'CLOSE_OPTIONS' });
}

export function delivering(): CycleSnapshot {
  let s = send(deciding(), icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'Cheapest, fastest.' });
  for (const a of coOwners) s = send(s, a, { type: 'CONSENT', proposalId: 'p-1' });
  return s;
}

export const reviewing = () => send(delivering(), council, { type: 'START_REVIEW' });
