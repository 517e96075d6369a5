import { Actor } from './cycle.types';
import type { CycleEvent } from './cycle.catalogue';
import { CycleSnapshot, decide, nextEvents, persistCycle, startCycle, stateOf } from './cycle.engine';
import { CYCLE_CAPS } from './cycle.catalogue';
import { ICB, council, icb, charity, forum, outsider, panelA, panelB, panelC, facilitator, system, coOwners } from './cycle.machine.fixtures';
import { input, at, Body, send, refusal, launched, framed, withOption, deciding, delivering, reviewing } from './cycle.machine.fixtures';

describe('the cycle machine, from delivering on', () => {
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
