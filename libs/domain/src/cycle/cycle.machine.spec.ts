import { startCycle, stateOf } from './cycle.engine';
import { ICB, CHARITY, FORUM, OUTSIDER, council, icb, charity, forum, outsider, panelB, system, coOwners } from './cycle.machine.fixtures';
import { input, Body, send, refusal, launched, framed, withOption, deciding } from './cycle.machine.fixtures';

describe('the cycle machine, from draft to deciding', () => {
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
});
