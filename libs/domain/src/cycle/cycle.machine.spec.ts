import { Actor, CycleInput } from './cycle.types';
import type { CycleEvent, UserEvent } from './cycle.catalogue';
import { CycleSnapshot, decide, nextEvents, persistCycle, restoreCycle, startCycle, stateOf } from './cycle.engine';
import { CYCLE_CAPS } from './cycle.catalogue';

const COUNCIL = 'org-council';
const ICB = 'org-icb';
const CHARITY = 'org-charity';
const FORUM = 'org-forum';
const OUTSIDER = 'org-outsider';

const council: Actor = { userId: 'u-council', organisationId: COUNCIL };
const icb: Actor = { userId: 'u-icb', organisationId: ICB };
const charity: Actor = { userId: 'u-charity', organisationId: CHARITY };
const forum: Actor = { userId: 'u-forum', organisationId: FORUM };
const outsider: Actor = { userId: 'u-out', organisationId: OUTSIDER };
const panelA: Actor = { userId: 'u-panel-a', organisationId: FORUM };
const panelB: Actor = { userId: 'u-panel-b', organisationId: null };
const panelC: Actor = { userId: 'u-panel-c', organisationId: OUTSIDER };
const facilitator: Actor = { userId: 'u-facilitator', organisationId: OUTSIDER };
const system: Actor = { userId: null, organisationId: null, system: true };
const coOwners = [council, icb, charity, forum];

const input: CycleInput = {
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
const at = () => new Date(Date.UTC(2027, 0, 1) + clock++ * 1000).toISOString();

type Body = Omit<UserEvent, 'actor' | 'at'> | { type: CycleEvent['type']; [k: string]: unknown };

function send(snapshot: CycleSnapshot, actor: Actor, body: Body): CycleSnapshot {
  const decision = decide(snapshot, { ...body, actor, at: at() } as CycleEvent);
  if (!decision.accepted) throw new Error(`${body.type} refused: ${decision.reason}`);
  // Round-trip through JSON as the database does, so every step also proves persistence.
  return restoreCycle(JSON.parse(JSON.stringify(persistCycle(decision.snapshot))));
}

function refusal(snapshot: CycleSnapshot, actor: Actor, body: Body) {
  const decision = decide(snapshot, { ...body, actor, at: at() } as CycleEvent);
  if (decision.accepted) throw new Error(`${body.type} was accepted`);
  return decision;
}

const launched = () => send(startCycle(input), council, { type: 'LAUNCH' });

function framed(): CycleSnapshot {
  let s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted in winter.' });
  for (const a of coOwners) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
  return s;
}

function withOption(): CycleSnapshot {
  return send(framed(), charity, {
    type: 'SUBMIT_OPTION',
    optionId: 'opt-1',
    title: 'Winter wellbeing calls',
    summary: 'Volunteers call isolated residents weekly.',
    coAuthorOrganisationIds: [FORUM],
  });
}

function deciding(): CycleSnapshot {
  return send(withOption(), council, { type: 'CLOSE_OPTIONS' });
}

function delivering(): CycleSnapshot {
  let s = send(deciding(), icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'Cheapest, fastest.' });
  for (const a of coOwners) s = send(s, a, { type: 'CONSENT', proposalId: 'p-1' });
  return s;
}

const reviewing = () => send(delivering(), council, { type: 'START_REVIEW' });

describe('the cycle machine', () => {
  describe('draft', () => {
    it('starts in draft, and a commissioner launches it into framing', () => {
      const s = startCycle(input);
      expect(stateOf(s)).toBe('draft');
      expect(stateOf(send(s, council, { type: 'LAUNCH' }))).toBe('framing');
    });

    it('refuses a launch by a provider (403) or an outsider (403)', () => {
      expect(refusal(startCycle(input), charity, { type: 'LAUNCH' })).toMatchObject({
        kind: 'forbidden',
        reason: "Only the cycle's commissioners launch it; your organisation is a provider co-owner.",
      });
      expect(refusal(startCycle(input), outsider, { type: 'LAUNCH' }).kind).toBe('forbidden');
    });

    it('refuses to launch a cycle owned by commissioners alone', () => {
      const alone = startCycle({ ...input, coOwners: input.coOwners.filter((c) => c.role === 'commissioner') });
      expect(refusal(alone, council, { type: 'LAUNCH' })).toEqual({
        accepted: false,
        kind: 'refused',
        reason: 'A cycle owned by commissioners alone is not collaborative: it needs at least one provider or community co-owner.',
      });
    });

    it('refuses to launch without a review panel', () => {
      expect(refusal(startCycle({ ...input, panelUserIds: [] }), council, { type: 'LAUNCH' }).reason).toMatch(/review panel/);
    });

    it('refuses events of later states with a reason naming the state', () => {
      expect(refusal(startCycle(input), charity, { type: 'REVISE_PROBLEM', statement: 'x' })).toEqual({
        accepted: false,
        kind: 'refused',
        reason: 'The cycle is still a draft that has not been launched, so REVISE_PROBLEM is not possible now.',
      });
    });
  });

  describe('framing', () => {
    it('refuses an endorsement before any revision', () => {
      expect(refusal(launched(), icb, { type: 'ENDORSE_PROBLEM', revision: 1 }).reason).toBe('No problem statement has been written yet: a co-owner writes revision 1 first.');
    });

    it('moves to options only when every co-owner endorsed the latest revision', () => {
      let s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'v1' });
      for (const a of [council, icb, charity]) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
      expect(stateOf(s)).toBe('framing');
      s = send(s, forum, { type: 'ENDORSE_PROBLEM', revision: 1 });
      expect(stateOf(s)).toBe('options');
    });

    it('a new revision clears every endorsement', () => {
      let s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'v1' });
      for (const a of [council, icb, charity]) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
      s = send(s, forum, { type: 'REVISE_PROBLEM', statement: 'v2, with residents in mind' });
      expect(s.context.problem.revisions).toHaveLength(2);
      for (const a of [council, icb, charity]) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 2 });
      expect(stateOf(s)).toBe('framing');
      s = send(s, forum, { type: 'ENDORSE_PROBLEM', revision: 2 });
      expect(stateOf(s)).toBe('options');
    });

    it('refuses an endorsement of a revision that is no longer the latest, or does not exist', () => {
      let s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'v1' });
      s = send(s, charity, { type: 'REVISE_PROBLEM', statement: 'v2' });
      s = send(s, charity, { type: 'REVISE_PROBLEM', statement: 'v3' });
      expect(refusal(s, icb, { type: 'ENDORSE_PROBLEM', revision: 2 }).reason).toBe('Revision 2 is no longer the latest; revision 3 is.');
      expect(refusal(s, icb, { type: 'ENDORSE_PROBLEM', revision: 7 }).reason).toBe('There is no revision 7; the latest is revision 3.');
    });

    it('takes one response per organisation per revision', () => {
      let s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'v1' });
      s = send(s, icb, { type: 'ENDORSE_PROBLEM', revision: 1 });
      expect(refusal(s, { ...icb, userId: 'another-icb-user' }, { type: 'ENDORSE_PROBLEM', revision: 1 }).reason).toBe('Your organisation has already endorsed revision 1.');
      expect(refusal(s, icb, { type: 'OBJECT_PROBLEM', revision: 1, reason: 'changed my mind' }).reason).toBe('Your organisation has already endorsed revision 1.');
    });

    it('an objection stands until a new revision', () => {
      let s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'v1' });
      s = send(s, forum, { type: 'OBJECT_PROBLEM', revision: 1, reason: 'Residents were not asked' });
      for (const a of [council, icb, charity]) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
      expect(stateOf(s)).toBe('framing');
      expect(refusal(s, forum, { type: 'ENDORSE_PROBLEM', revision: 1 }).reason).toMatch(/already objected to revision 1/);
      s = send(s, forum, { type: 'REVISE_PROBLEM', statement: 'v2 after asking residents' });
      for (const a of coOwners) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 2 });
      expect(stateOf(s)).toBe('options');
      expect(s.context.problem.objections).toEqual([expect.objectContaining({ revision: 1, organisationId: FORUM })]);
    });

    it('only co-owners write, endorse or object', () => {
      const s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'v1' });
      for (const body of [
        { type: 'REVISE_PROBLEM', statement: 'mine' },
        { type: 'ENDORSE_PROBLEM', revision: 1 },
        { type: 'OBJECT_PROBLEM', revision: 1, reason: 'no' },
      ] as Body[]) {
        expect(refusal(s, outsider, body).kind).toBe('forbidden');
        expect(refusal(s, panelB, body).kind).toBe('forbidden');
      }
    });
  });

  describe('options', () => {
    it('co-owners submit options, co-authored by other co-owners', () => {
      const s = withOption();
      expect(s.context.options).toEqual([expect.objectContaining({ id: 'opt-1', status: 'live', authorOrganisationIds: [CHARITY, FORUM] })]);
    });

    it('refuses a co-author that is not a co-owner', () => {
      const decision = refusal(framed(), charity, {
        type: 'SUBMIT_OPTION',
        optionId: 'o',
        title: 't',
        summary: 's',
        coAuthorOrganisationIds: [OUTSIDER],
      });
      expect(decision).toMatchObject({ kind: 'refused', reason: `Co-authors must be co-owners of the cycle; ${OUTSIDER} is not.` });
    });

    it('authors, co-authors included, amend and withdraw; others may not', () => {
      let s = send(withOption(), forum, { type: 'AMEND_OPTION', optionId: 'opt-1', summary: 'Weekly calls and a winter hub.' });
      expect(s.context.options[0]).toMatchObject({ summary: 'Weekly calls and a winter hub.', amendments: 1 });
      expect(refusal(s, council, { type: 'AMEND_OPTION', optionId: 'opt-1', title: 'x' })).toMatchObject({
        kind: 'forbidden',
        reason: 'Only the authors of option "Winter wellbeing calls" amend it; your organisation is not one of them.',
      });
      expect(refusal(s, council, { type: 'WITHDRAW_OPTION', optionId: 'opt-1' }).kind).toBe('forbidden');
      s = send(s, charity, { type: 'WITHDRAW_OPTION', optionId: 'opt-1' });
      expect(refusal(s, charity, { type: 'AMEND_OPTION', optionId: 'opt-1', title: 'x' }).reason).toBe('Option "Winter wellbeing calls" has been withdrawn and cannot be amended.');
      expect(refusal(s, charity, { type: 'WITHDRAW_OPTION', optionId: 'missing' })).toMatchObject({
        kind: 'refused',
        reason: 'There is no option missing in this cycle.',
      });
    });

    it('a commissioner closes the window when a live option exists', () => {
      expect(refusal(withOption(), charity, { type: 'CLOSE_OPTIONS' }).kind).toBe('forbidden');
      expect(stateOf(send(withOption(), council, { type: 'CLOSE_OPTIONS' }))).toBe('deciding');
    });

    it('the window cannot close with no live option', () => {
      const s = send(withOption(), charity, { type: 'WITHDRAW_OPTION', optionId: 'opt-1' });
      expect(refusal(s, council, { type: 'CLOSE_OPTIONS' }).reason).toBe('There is no live option: the window cannot close without one.');
      expect(refusal(framed(), council, { type: 'CLOSE_OPTIONS' }).kind).toBe('refused');
    });

    it('the optionsClose milestone moves to deciding, or escalates with no live option', () => {
      expect(stateOf(send(withOption(), system, { type: 'OPTIONS_DUE' }))).toBe('deciding');
      const empty = send(framed(), system, { type: 'OPTIONS_DUE' });
      expect(stateOf(empty)).toBe('escalated');
      expect(empty.context.escalations[0]).toMatchObject({ from: 'options', milestone: 'OPTIONS_DUE' });
    });
  });

  describe('deciding', () => {
    it('co-owners appraise live options against the cycle outcomes, a later appraisal replacing theirs', () => {
      let s = send(deciding(), icb, { type: 'APPRAISE_OPTION', optionId: 'opt-1', scores: [{ outcomeId: 'outcome-1', score: 3 }] });
      s = send(s, icb, { type: 'APPRAISE_OPTION', optionId: 'opt-1', scores: [{ outcomeId: 'outcome-1', score: 4 }], comment: 'Better' });
      expect(s.context.appraisals).toEqual([expect.objectContaining({ organisationId: ICB, comment: 'Better' })]);
      expect(refusal(s, icb, { type: 'APPRAISE_OPTION', optionId: 'opt-1', scores: [{ outcomeId: 'other', score: 1 }] }).reason).toBe(
        "Appraise against the cycle's outcomes; other is not one of them.",
      );
      expect(refusal(s, outsider, { type: 'APPRAISE_OPTION', optionId: 'opt-1', scores: [] }).kind).toBe('forbidden');
    });

    it('consent of every co-owner moves to delivering', () => {
      let s = send(deciding(), icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'r' });
      for (const a of [council, icb, charity]) s = send(s, a, { type: 'CONSENT', proposalId: 'p-1' });
      expect(stateOf(s)).toBe('deciding');
      s = send(s, forum, { type: 'CONSENT', proposalId: 'p-1' });
      expect(stateOf(s)).toBe('delivering');
      expect(s.context.proposals[0].status).toBe('accepted');
    });

    it('an objection blocks the proposal; a new proposal may follow', () => {
      let s = send(deciding(), icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'r' });
      s = send(s, charity, { type: 'OBJECT', proposalId: 'p-1', reason: 'We cannot staff it by January' });
      expect(s.context.proposals[0].status).toBe('blocked');
      expect(refusal(s, forum, { type: 'CONSENT', proposalId: 'p-1' }).reason).toBe('That proposal was blocked by an objection; a new proposal is needed.');
      s = send(s, charity, { type: 'PROPOSE_DECISION', proposalId: 'p-2', optionIds: ['opt-1'], rationale: 'From February' });
      for (const a of coOwners) s = send(s, a, { type: 'CONSENT', proposalId: 'p-2' });
      expect(stateOf(s)).toBe('delivering');
    });

    it('a new proposal supersedes one still open', () => {
      let s = send(deciding(), icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'r' });
      s = send(s, council, { type: 'CONSENT', proposalId: 'p-1' });
      s = send(s, charity, { type: 'PROPOSE_DECISION', proposalId: 'p-2', optionIds: ['opt-1'], rationale: 'r2' });
      expect(s.context.proposals.map((p) => p.status)).toEqual(['superseded', 'open']);
      expect(refusal(s, icb, { type: 'CONSENT', proposalId: 'p-1' }).reason).toMatch(/replaced by a newer one/);
    });

    it('refuses a second response, unknown proposals and withdrawn or unknown options', () => {
      let s = send(deciding(), icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'r' });
      s = send(s, council, { type: 'CONSENT', proposalId: 'p-1' });
      expect(refusal(s, council, { type: 'CONSENT', proposalId: 'p-1' }).reason).toBe('Your organisation has already consented to this proposal.');
      expect(refusal(s, council, { type: 'OBJECT', proposalId: 'p-1', reason: 'x' }).reason).toMatch(/already consented/);
      expect(refusal(s, council, { type: 'CONSENT', proposalId: 'nope' }).reason).toBe('There is no proposal nope in this cycle.');
      expect(refusal(s, council, { type: 'PROPOSE_DECISION', proposalId: 'p-9', optionIds: ['nope'], rationale: 'r' }).reason).toBe('There is no option nope in this cycle.');
      expect(refusal(s, council, { type: 'PROPOSE_DECISION', proposalId: 'p-9', optionIds: [], rationale: 'r' }).reason).toBe('A proposal chooses at least one option.');
    });

    it('the decisionDue milestone escalates', () => {
      expect(stateOf(send(deciding(), system, { type: 'DECISION_DUE' }))).toBe('escalated');
    });
  });

  describe('delivering', () => {
    it('co-owners record progress with readings of the outcome metrics (by id or name)', () => {
      const before = delivering();
      let s = send(before, charity, { type: 'RECORD_PROGRESS', note: '120 calls made', readings: [{ metric: 'metric-1', value: 23 }] });
      s = send(s, council, { type: 'RECORD_PROGRESS', note: 'Q2', readings: [{ metric: 'Emergency admissions', value: 22 }] });
      // Accepted, and the snapshot does not grow: the history entry is the record of it.
      expect(stateOf(s)).toBe('delivering');
      expect(JSON.stringify(persistCycle(s))).toBe(JSON.stringify(persistCycle(before)));
      expect(refusal(s, charity, { type: 'RECORD_PROGRESS', note: 'x', readings: [{ metric: 'Happiness', value: 1 }] }).reason).toBe(
        `Readings are of the cycle's outcome metrics; "Happiness" is not one of them.`,
      );
      expect(refusal(s, outsider, { type: 'RECORD_PROGRESS', note: 'x' }).kind).toBe('forbidden');
    });

    it('a commissioner or the reviewStart milestone starts the review', () => {
      expect(refusal(delivering(), charity, { type: 'START_REVIEW' }).kind).toBe('forbidden');
      expect(stateOf(send(delivering(), council, { type: 'START_REVIEW' }))).toBe('reviewing');
      expect(stateOf(send(delivering(), system, { type: 'REVIEW_START' }))).toBe('reviewing');
    });
  });

  describe('reviewing', () => {
    it('co-owners and panel members record learning, marked by who wrote it', () => {
      let s = send(reviewing(), charity, { type: 'RECORD_LEARNING', insight: 'Calls work', recommendation: 'continue' });
      s = send(s, panelA, { type: 'RECORD_LEARNING', insight: 'Lonely men were missed', evidence: 'Forum survey', recommendation: 'adapt' });
      expect(s.context.learnings.map((l) => l.writtenBy)).toEqual(['co-owner', 'panel']);
      expect(refusal(s, outsider, { type: 'RECORD_LEARNING', insight: 'x', recommendation: 'stop' }).kind).toBe('forbidden');
    });

    it('closes when every panel member signed off; iterates when the majority chose to', () => {
      let s = send(reviewing(), panelA, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
      s = send(s, panelB, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
      expect(stateOf(s)).toBe('reviewing');
      const decision = decide(s, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate', actor: panelC, at: at() });
      expect(decision).toMatchObject({ accepted: true, state: 'closed', effects: [{ type: 'openNextIteration' }] });
      if (decision.accepted) expect(decision.snapshot.context.closure).toMatchObject({ outcome: 'iterate', iterate: 2, close: 1 });
    });

    it('closes without a next iteration when most chose close', () => {
      let s = send(reviewing(), panelA, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
      s = send(s, panelB, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
      const decision = decide(s, { type: 'SIGN_OFF_REVIEW', outcome: 'close', actor: panelC, at: at() });
      expect(decision).toMatchObject({ accepted: true, state: 'closed', effects: [] });
    });

    it('only panel members sign off, once each', () => {
      const s = send(reviewing(), panelA, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
      expect(refusal(s, council, { type: 'SIGN_OFF_REVIEW', outcome: 'close' }).kind).toBe('forbidden');
      expect(refusal(s, panelA, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' }).reason).toBe('You have already signed off this review.');
    });

    it('the reviewDue milestone escalates while sign-offs are missing', () => {
      expect(stateOf(send(reviewing(), system, { type: 'REVIEW_DUE' }))).toBe('escalated');
    });
  });

  describe('escalation and cancellation', () => {
    it('a co-owner escalates from any working state; a facilitator returns it where it was', () => {
      for (const [make, state] of [
        [() => startCycle(input), 'draft'],
        [launched, 'framing'],
        [framed, 'options'],
        [deciding, 'deciding'],
        [delivering, 'delivering'],
        [reviewing, 'reviewing'],
      ] as const) {
        let s = send(make(), charity, { type: 'ESCALATE', reason: 'We disagree on the budget' });
        expect(stateOf(s)).toBe('escalated');
        expect(refusal(s, charity, { type: 'ESCALATE', reason: 'again' }).reason).toBe('The cycle is already escalated; a facilitator must resolve it first.');
        expect(refusal(s, council, { type: 'RESOLVE_ESCALATION', resolution: 'x' }).kind).toBe('forbidden');
        s = send(s, facilitator, { type: 'RESOLVE_ESCALATION', resolution: 'Agreed to split the cost' });
        expect(stateOf(s)).toBe(state);
        expect(s.context.escalations[0]).toMatchObject({ from: state, resolution: 'Agreed to split the cost' });
      }
    });

    it('only co-owners escalate; there is nothing to resolve unless escalated', () => {
      expect(refusal(launched(), outsider, { type: 'ESCALATE', reason: 'x' }).kind).toBe('forbidden');
      expect(refusal(launched(), facilitator, { type: 'RESOLVE_ESCALATION', resolution: 'x' }).reason).toBe('There is no escalation to resolve: the cycle is not escalated.');
    });

    it('without named facilitators, only a platform admin resolves', () => {
      let s = send(startCycle({ ...input, facilitatorUserIds: [] }), council, { type: 'LAUNCH' });
      s = send(s, forum, { type: 'ESCALATE', reason: 'x' });
      expect(refusal(s, facilitator, { type: 'RESOLVE_ESCALATION', resolution: 'r' }).kind).toBe('forbidden');
      expect(stateOf(send(s, { userId: 'admin', organisationId: null }, { type: 'RESOLVE_ESCALATION', resolution: 'r' }))).toBe('framing');
    });

    it('a commissioner cancels with a reason, also while escalated; cancelled and closed are final', () => {
      expect(refusal(launched(), charity, { type: 'CANCEL', reason: 'x' }).kind).toBe('forbidden');
      let s = send(launched(), charity, { type: 'ESCALATE', reason: 'x' });
      s = send(s, icb, { type: 'CANCEL', reason: 'Funding withdrawn' });
      expect(stateOf(s)).toBe('cancelled');
      expect(s.context.cancellation).toMatchObject({ reason: 'Funding withdrawn', organisationId: ICB });
      expect(refusal(s, council, { type: 'LAUNCH' }).reason).toBe('The cycle is cancelled, so LAUNCH is not possible now.');
      expect(nextEvents(s, council)).toEqual([]);
    });
  });

  describe('milestones', () => {
    it('are moot in states they do not apply to', () => {
      expect(decide(launched(), { type: 'OPTIONS_DUE', actor: system, at: at() })).toMatchObject({ accepted: false, kind: 'moot' });
      expect(decide(delivering(), { type: 'FRAMING_DUE', actor: system, at: at() })).toMatchObject({ kind: 'moot' });
      expect(decide(startCycle(input), { type: 'REVIEW_DUE', actor: system, at: at() })).toMatchObject({ kind: 'moot' });
    });

    it('framingDue escalates framing', () => {
      const s = send(launched(), system, { type: 'FRAMING_DUE' });
      expect(stateOf(s)).toBe('escalated');
      expect(stateOf(send(s, facilitator, { type: 'RESOLVE_ESCALATION', resolution: 'r' }))).toBe('framing');
    });

    it("people cannot send milestone events (403), and the system cannot send people's events", () => {
      expect(refusal(launched(), council, { type: 'FRAMING_DUE' }).kind).toBe('forbidden');
      expect(refusal(launched(), system, { type: 'REVISE_PROBLEM', statement: 'x' }).kind).toBe('forbidden');
    });
  });

  describe('nextEvents', () => {
    it('lists what each actor may send now, from the machine', () => {
      const s = send(launched(), charity, { type: 'REVISE_PROBLEM', statement: 'v1' });
      expect(nextEvents(s, council)).toEqual([
        'REVISE_PROBLEM',
        'ENDORSE_PROBLEM',
        'OBJECT_PROBLEM',
        'PLEDGE',
        'ESCALATE',
        'INVITE_CO_OWNER',
        'CHANGE_PANEL',
        'CHANGE_FACILITATORS',
        'LEAVE_CYCLE',
        'CANCEL',
      ]);
      expect(nextEvents(s, charity)).toEqual(['REVISE_PROBLEM', 'ENDORSE_PROBLEM', 'OBJECT_PROBLEM', 'PLEDGE', 'ESCALATE', 'LEAVE_CYCLE']);
      const endorsed = send(s, charity, { type: 'ENDORSE_PROBLEM', revision: 1 });
      expect(nextEvents(endorsed, charity)).toEqual(['REVISE_PROBLEM', 'PLEDGE', 'ESCALATE', 'LEAVE_CYCLE']);
      expect(nextEvents(s, outsider)).toEqual([]);
      expect(nextEvents(startCycle(input), council)).toEqual(['LAUNCH', 'PLEDGE', 'ESCALATE', 'EDIT_DRAFT', 'LEAVE_CYCLE', 'CANCEL']);
    });

    it('offers amend and withdraw only to authors, and close only with a live option', () => {
      const s = withOption();
      expect(nextEvents(s, forum)).toEqual(['SUBMIT_OPTION', 'AMEND_OPTION', 'WITHDRAW_OPTION', 'PLEDGE', 'ESCALATE', 'LEAVE_CYCLE']);
      expect(nextEvents(s, council)).toEqual(['SUBMIT_OPTION', 'CLOSE_OPTIONS', 'PLEDGE', 'ESCALATE', 'INVITE_CO_OWNER', 'CHANGE_PANEL', 'CHANGE_FACILITATORS', 'LEAVE_CYCLE', 'CANCEL']);
      expect(nextEvents(framed(), council)).toEqual(['SUBMIT_OPTION', 'PLEDGE', 'ESCALATE', 'INVITE_CO_OWNER', 'CHANGE_PANEL', 'CHANGE_FACILITATORS', 'LEAVE_CYCLE', 'CANCEL']);
    });

    it('offers sign-off to panel members who have not signed', () => {
      expect(nextEvents(reviewing(), panelB)).toEqual(['RECORD_LEARNING', 'SIGN_OFF_REVIEW']);
      expect(nextEvents(reviewing(), panelA)).toEqual(['RECORD_LEARNING', 'SIGN_OFF_REVIEW', 'ESCALATE', 'LEAVE_CYCLE']);
    });
  });

  describe('caps', () => {
    /** Sends the event n times, decided in turn (without the round trip through JSON, for speed). */
    function repeat(snapshot: CycleSnapshot, n: number, actor: Actor, body: (i: number) => Body): CycleSnapshot {
      let s = snapshot;
      for (let i = 0; i < n; i++) {
        const decision = decide(s, { ...body(i), actor, at: at() } as CycleEvent);
        if (!decision.accepted) throw new Error(`refused at ${i}: ${decision.reason}`);
        s = decision.snapshot;
      }
      return s;
    }

    it('holds at most CYCLE_CAPS.revisions revisions of the problem, refused with a reason naming the cap', () => {
      const full = repeat(launched(), CYCLE_CAPS.revisions, charity, (i) => ({ type: 'REVISE_PROBLEM', statement: `Revision ${i + 1}` }));
      expect(full.context.problem.revisions).toHaveLength(500);
      const refused = refusal(full, forum, { type: 'REVISE_PROBLEM', statement: 'One more' });
      expect(refused).toEqual({ accepted: false, kind: 'refused', reason: expect.stringContaining('at most 500 revisions') });
      // The latest can still be endorsed.
      expect(decide(full, { type: 'ENDORSE_PROBLEM', revision: 500, actor: forum, at: at() } as CycleEvent).accepted).toBe(true);
    });

    it('holds at most CYCLE_CAPS.options options, refused with a reason naming the cap', () => {
      const full = repeat(framed(), CYCLE_CAPS.options, charity, (i) => ({ type: 'SUBMIT_OPTION', optionId: `opt-${i}`, title: `Option ${i}`, summary: 'A summary' }));
      expect(full.context.options).toHaveLength(1000);
      const refused = refusal(full, forum, { type: 'SUBMIT_OPTION', optionId: 'opt-more', title: 'One more', summary: 'A summary' });
      expect(refused).toEqual({ accepted: false, kind: 'refused', reason: expect.stringContaining('at most 1000 options') });
    });
  });

  it('an iteration starts with the carried problem statement as revision 1', () => {
    const s = startCycle({ ...input, carriedStatement: { statement: 'Carried', at: at() } });
    expect(s.context.problem.revisions).toEqual([expect.objectContaining({ number: 1, statement: 'Carried', carriedForward: true })]);
    let l = send(s, council, { type: 'LAUNCH' });
    for (const a of coOwners) l = send(l, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
    expect(stateOf(l)).toBe('options');
  });
});
