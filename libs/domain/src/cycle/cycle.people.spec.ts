import { Directory, teamProblems } from './cycle.people';
import { CycleSnapshot, decide, nextEvents, startCycle, stateOf } from './cycle.engine';
import { Actor, CycleInput } from './cycle.types';
import type { CycleEvent } from './cycle.catalogue';
import { tasksOf } from './cycle.tasks';

const council: Actor = { userId: 'u-council', organisationId: 'org-council' };
const charity: Actor = { userId: 'u-charity', organisationId: 'org-charity' };
const forum: Actor = { userId: 'u-forum', organisationId: 'org-forum' };
const mediator: Actor = { userId: 'u-mediator', organisationId: 'org-mediation' };
const coOwners = [council, charity, forum];

const directory: Directory = {
  members: { 'org-council': 'commissioner', 'org-charity': 'provider', 'org-forum': 'community', 'org-carers': 'provider', 'org-icb': 'commissioner' },
  users: {
    'u-council': { name: 'Priya', organisationId: 'org-council', kind: 'commissioner', active: true },
    'u-panel-a': { name: 'John', organisationId: 'org-forum', kind: 'community', active: true },
    'u-panel-b': { name: 'Aisha', organisationId: 'org-council', kind: 'commissioner', active: true },
    'u-panel-c': { name: 'Sam', organisationId: 'org-carers', kind: 'provider', active: true },
    'u-left': { name: 'Former officer', organisationId: 'org-carers', kind: 'provider', active: false },
    'u-mediator': { name: 'David', organisationId: 'org-mediation', kind: 'facilitator', active: true },
    'u-carer': { name: 'Carol', organisationId: 'org-carers', kind: 'provider', active: true },
  },
  outcomes: { 'outcome-1': [{ id: 'metric-1', name: 'Admissions' }], 'outcome-2': [{ id: 'metric-2', name: 'Loneliness' }] },
};

const input: CycleInput = {
  coOwners: [
    { organisationId: 'org-council', role: 'commissioner' },
    { organisationId: 'org-charity', role: 'provider' },
    { organisationId: 'org-forum', role: 'community' },
  ],
  panelUserIds: ['u-panel-a', 'u-panel-b', 'u-panel-c'],
  facilitatorUserIds: ['u-mediator'],
  outcomeIds: ['outcome-1'],
  metrics: [{ id: 'metric-1', name: 'Admissions', outcomeId: 'outcome-1' }],
};

let tick = 0;
const decideAs = (s: CycleSnapshot, actor: Actor, body: { type: string; [k: string]: unknown }) =>
  decide(s, { ...body, actor, at: new Date(Date.UTC(2027, 0, 1, 9) + tick++ * 1000).toISOString(), directory } as unknown as CycleEvent);
function send(s: CycleSnapshot, actor: Actor, body: { type: string; [k: string]: unknown }): CycleSnapshot {
  const decision = decideAs(s, actor, body);
  if (!decision.accepted) throw new Error(`${body.type} refused: ${decision.reason}`);
  return decision.snapshot;
}
const refused = (s: CycleSnapshot, actor: Actor, body: { type: string; [k: string]: unknown }) => {
  const decision = decideAs(s, actor, body);
  if (decision.accepted) throw new Error(`${body.type} was accepted`);
  return decision;
};

const framing = () => send(send(startCycle(input), council, { type: 'LAUNCH' }), charity, { type: 'REVISE_PROBLEM', statement: 'Winter admissions' });
function reviewing(): CycleSnapshot {
  let s = framing();
  for (const a of coOwners) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
  s = send(s, charity, { type: 'SUBMIT_OPTION', optionId: 'opt-1', title: 'Calls', summary: 'Weekly calls' });
  s = send(s, council, { type: 'CLOSE_OPTIONS' });
  s = send(s, council, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'Cheap' });
  for (const a of coOwners) s = send(s, a, { type: 'CONSENT', proposalId: 'p-1' });
  return send(s, council, { type: 'START_REVIEW' });
}

describe("a cycle's people", () => {
  describe('a draft is edited by its commissioners', () => {
    it('changes co-owners, panel, facilitators and outcomes (with their metrics) together', () => {
      const s = send(startCycle(input), council, {
        type: 'EDIT_DRAFT',
        providerOrganisationIds: ['org-carers'],
        panelUserIds: ['u-panel-a'],
        outcomeIds: ['outcome-1', 'outcome-2'],
      });
      expect(s.context.coOwners).toEqual([
        { organisationId: 'org-council', role: 'commissioner' },
        { organisationId: 'org-carers', role: 'provider' },
        { organisationId: 'org-forum', role: 'community' },
      ]);
      expect(s.context.panelUserIds).toEqual(['u-panel-a']);
      expect(s.context.facilitatorUserIds).toEqual(['u-mediator']);
      expect(s.context.metrics.map((m) => m.id)).toEqual(['metric-1', 'metric-2']);
      expect(stateOf(s)).toBe('draft');
    });

    it('refuses non-members, a facilitator of a co-owner, a deactivated panel member, and taking out its own organisation', () => {
      const draft = startCycle(input);
      expect(refused(draft, council, { type: 'EDIT_DRAFT', providerOrganisationIds: ['org-stranger'] }).reason).toContain('org-stranger is not a member of the partnership');
      expect(refused(draft, council, { type: 'EDIT_DRAFT', facilitatorUserIds: ['u-panel-a'] }).reason).toContain('John belongs to an organisation that co-owns the cycle');
      expect(refused(draft, council, { type: 'EDIT_DRAFT', panelUserIds: ['u-left'] }).reason).toMatch(/not active users of member organisations: u-left/i);
      expect(refused(draft, council, { type: 'EDIT_DRAFT', commissionerOrganisationIds: ['org-icb'] }).reason).toContain('no longer be a commissioner');
      expect(refused(draft, council, { type: 'EDIT_DRAFT', outcomeIds: ['outcome-9'] }).reason).toMatch(/not outcomes of this partnership: outcome-9/i);
    });

    it('is for commissioners, and only in draft', () => {
      expect(refused(startCycle(input), charity, { type: 'EDIT_DRAFT', title: 'Mine now' }).kind).toBe('forbidden');
      expect(refused(framing(), council, { type: 'EDIT_DRAFT', title: 'Too late' }).reason).toContain('framing the problem');
    });
  });

  describe('the review panel changes', () => {
    it('closes the review when everyone left on the panel has signed off; a removed member’s sign-off no longer counts', () => {
      let s = reviewing();
      s = send(s, { userId: 'u-panel-a', organisationId: 'org-forum' }, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
      s = send(s, { userId: 'u-panel-b', organisationId: 'org-council' }, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
      expect(stateOf(s)).toBe('reviewing');
      // u-panel-c left the partnership's work: the panel without them has all signed off.
      s = send(s, council, { type: 'CHANGE_PANEL', panelUserIds: ['u-panel-a', 'u-panel-b'] });
      expect(stateOf(s)).toBe('closed');
      // A member who has signed off stays: their sign-off stands.
      let t = reviewing();
      t = send(t, { userId: 'u-panel-c', organisationId: 'org-carers' }, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
      expect(refused(t, council, { type: 'CHANGE_PANEL', panelUserIds: ['u-panel-a', 'u-panel-b'] }).reason).toBe(
        'A panel member has already signed off this review: their sign-off stands, so they stay on the panel.',
      );
    });

    it('refuses an unchanged or empty panel, and anyone but a commissioner', () => {
      const s = framing();
      expect(refused(s, council, { type: 'CHANGE_PANEL', panelUserIds: ['u-panel-c', 'u-panel-b', 'u-panel-a'] }).reason).toBe('The review panel is unchanged.');
      expect(refused(s, charity, { type: 'CHANGE_PANEL', panelUserIds: ['u-panel-a'] }).kind).toBe('forbidden');
    });
  });

  it('facilitators must be neutral: a co-owner’s user is refused, an independent facilitator accepted', () => {
    const s = framing();
    expect(refused(s, council, { type: 'CHANGE_FACILITATORS', facilitatorUserIds: ['u-council'] }).reason).toContain('Priya belongs to an organisation that co-owns the cycle');
    expect(send(s, council, { type: 'CHANGE_FACILITATORS', facilitatorUserIds: [] }).context.facilitatorUserIds).toEqual([]);
    // Not while escalated: one side of the dispute may not replace the neutral voice resolving it.
    const escalated = send(s, charity, { type: 'ESCALATE', reason: 'Deadlock' });
    expect(refused(escalated, council, { type: 'CHANGE_FACILITATORS', facilitatorUserIds: [] }).kind).toBe('refused');
    // Inviting the organisation of a facilitator would make them partial.
    const carer = send(s, council, { type: 'CHANGE_FACILITATORS', facilitatorUserIds: ['u-carer'] });
    expect(refused(carer, council, { type: 'INVITE_CO_OWNER', organisationId: 'org-carers', role: 'provider' }).reason).toContain('Carol belongs to an organisation that co-owns');
  });

  describe('an invited co-owner', () => {
    it('holds framing until it endorses the latest revision', () => {
      let s = framing();
      s = send(s, council, { type: 'INVITE_CO_OWNER', organisationId: 'org-carers', role: 'provider' });
      for (const a of coOwners) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
      expect(stateOf(s)).toBe('framing');
      expect(nextEvents(s, { userId: 'u-carer', organisationId: 'org-carers' })).toContain('ENDORSE_PROBLEM');
      s = send(s, { userId: 'u-carer', organisationId: 'org-carers' }, { type: 'ENDORSE_PROBLEM', revision: 1 });
      expect(stateOf(s)).toBe('options');
    });

    it('must be a member, in a role its kind allows, and not already a co-owner', () => {
      const s = framing();
      expect(refused(s, council, { type: 'INVITE_CO_OWNER', organisationId: 'org-nowhere', role: 'provider' }).reason).toContain('not a member of the partnership');
      expect(refused(s, council, { type: 'INVITE_CO_OWNER', organisationId: 'org-icb', role: 'provider' }).reason).toContain('name it among the commissioners');
      expect(refused(s, council, { type: 'INVITE_CO_OWNER', organisationId: 'org-forum', role: 'community' }).reason).toContain('already co-owns');
    });
  });

  describe('leaving and removal', () => {
    it('a co-owner leaves by its own act; what the cycle waits for is then asked of the others', () => {
      let s = framing();
      s = send(s, council, { type: 'INVITE_CO_OWNER', organisationId: 'org-carers', role: 'provider' });
      for (const a of coOwners) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
      s = send(s, { userId: 'u-carer', organisationId: 'org-carers' }, { type: 'LEAVE_CYCLE', reason: 'Our contract ended' });
      expect(s.context.coOwners.map((o) => o.organisationId)).not.toContain('org-carers');
      expect(stateOf(s)).toBe('options');
    });

    it('never leaves a cycle without a commissioner or without a provider or community co-owner', () => {
      let s = send(framing(), forum, { type: 'LEAVE_CYCLE', reason: 'No capacity' });
      expect(refused(s, charity, { type: 'LEAVE_CYCLE', reason: 'Going too' }).reason).toBe('Your organisation cannot leave: a cycle always keeps at least one provider or community co-owner.');
      expect(nextEvents(s, charity)).not.toContain('LEAVE_CYCLE');
      expect(refused(s, council, { type: 'LEAVE_CYCLE', reason: 'Bye' }).reason).toContain('at least one commissioner');
      s = send(s, council, { type: 'INVITE_CO_OWNER', organisationId: 'org-forum', role: 'community' });
      expect(nextEvents(s, charity)).toContain('LEAVE_CYCLE');
    });

    it('only a facilitator removes a co-owner, and only while resolving an escalation', () => {
      let s = send(framing(), charity, { type: 'ESCALATE', reason: 'The forum blocks everything' });
      expect(refused(s, council, { type: 'REMOVE_CO_OWNER', organisationId: 'org-forum', reason: 'Blocking' }).kind).toBe('forbidden');
      s = send(s, mediator, { type: 'REMOVE_CO_OWNER', organisationId: 'org-forum', reason: 'Agreed at mediation' });
      expect(s.context.coOwners.map((o) => o.organisationId)).toEqual(['org-council', 'org-charity']);
      expect(refused(s, mediator, { type: 'REMOVE_CO_OWNER', organisationId: 'org-charity', reason: 'No' }).reason).toContain('at least one provider or community');
      expect(refused(framing(), mediator, { type: 'REMOVE_CO_OWNER', organisationId: 'org-forum', reason: 'Early' }).kind).toBe('refused');
    });
  });

  it('where an organisation names representatives, only they commit it', () => {
    const s = framing();
    const names = { representatives: ['Helen Price', 'Sam Hughes'] };
    const clerk = { ...charity, userId: 'u-clerk', representative: false, ...names };
    const helen = { ...charity, userId: 'u-helen', representative: true, ...names };
    const refusal = refused(s, clerk, { type: 'ENDORSE_PROBLEM', revision: 1 });
    expect(refusal).toMatchObject({ kind: 'forbidden', reason: 'Your organisation names representatives: only Helen Price or Sam Hughes may endorse the problem for it.' });
    expect(refused(s, clerk, { type: 'LEAVE_CYCLE', reason: 'x' }).kind).toBe('forbidden');
    expect(nextEvents(s, clerk)).not.toContain('ENDORSE_PROBLEM');
    // Writing a revision is not a commitment: any of its users may.
    expect(nextEvents(s, clerk)).toContain('REVISE_PROBLEM');
    expect(send(s, helen, { type: 'ENDORSE_PROBLEM', revision: 1 }).context.problem.endorsements).toHaveLength(1);
    // An organisation that names none is committed by any of its users.
    expect(send(s, forum, { type: 'ENDORSE_PROBLEM', revision: 1 }).context.problem.endorsements).toHaveLength(1);
  });

  it('teamProblems names each problem by its field', () => {
    const problems = teamProblems({ coOwners: [{ organisationId: 'org-charity', role: 'commissioner' }], panelUserIds: ['u-mediator'], facilitatorUserIds: ['u-nobody'] }, directory);
    expect(problems.map((p) => p.field)).toEqual(['commissionerOrganisationIds', 'panelUserIds', 'facilitatorUserIds']);
  });
});

describe('a handover (HANDED_OVER, recorded by the service)', () => {
  const service: Actor = { userId: 'u-lead', organisationId: 'org-carers', system: true };
  const handOver = (fromUserId: string, toUserId: string) => ({ type: 'HANDED_OVER', fromUserId, toUserId });

  it('moves a panel seat with its review task, and a facilitator role', () => {
    const before = reviewing();
    const after = send(before, service, handOver('u-panel-c', 'u-carer'));
    expect(after.context.panelUserIds).toEqual(['u-panel-a', 'u-panel-b', 'u-carer']);
    expect(stateOf(after)).toBe('reviewing');
    const reviewers = (s: CycleSnapshot) => tasksOf(s).flatMap((t) => ('userId' in t.assignee ? [t.assignee.userId] : []));
    expect(reviewers(before)).toContain('u-panel-c');
    expect(reviewers(after)).toEqual(['u-panel-a', 'u-panel-b', 'u-carer']);
    const mediated = send(framing(), service, handOver('u-mediator', 'u-panel-c'));
    expect(mediated.context.facilitatorUserIds).toEqual(['u-panel-c']);
  });

  it('refuses a person (only the service records it), a seat signed off, a person with no seat, and a colleague who may not sit there', () => {
    expect(refused(framing(), council, handOver('u-panel-c', 'u-carer')).kind).toBe('forbidden');
    const signed = send(reviewing(), { userId: 'u-panel-c', organisationId: 'org-carers' }, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
    expect(refused(signed, service, handOver('u-panel-c', 'u-carer')).reason).toBe("Sam has signed off this cycle's review: their sign-off stands, so their seat stays theirs.");
    expect(refused(framing(), service, handOver('u-council', 'u-carer')).reason).toBe('Priya holds no panel seat or facilitator role in this cycle.');
    expect(refused(framing(), service, handOver('u-panel-c', 'u-left')).reason).toMatch(/^Former officer cannot take over: /);
    // A facilitator stays neutral: a co-owner's user does not take the role.
    expect(refused(framing(), service, handOver('u-mediator', 'u-council')).reason).toMatch(/^Priya cannot take over: /);
    expect(refused(framing(), service, handOver('u-carer', 'u-carer')).reason).toBe('A person cannot hand over to themselves.');
  });
});
