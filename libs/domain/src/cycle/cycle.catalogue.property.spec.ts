import fc from 'fast-check';
import { Actor } from './cycle.types';
import type { CycleEvent } from './cycle.catalogue';
import { USER_EVENT_TYPES } from './cycle.catalogue';
import { CycleSnapshot, decide, nextEvents, persistCycle, startCycle, stateOf } from './cycle.engine';
import { tasksOf } from './cycle.tasks';
import { RecordedEntry, snapshotDisagreement } from './cycle.audit';
import { splitTexts } from './cycle.texts';
import { openProposal } from './cycle.rules';
import { input, ACTORS, DIRECTORY, step, eventOf, STARTS, walk } from './cycle.property.fixtures';

/**
 * What nextEvents offers (read from the catalogue, without trying events) must be exactly what
 * the machine accepts: for every actor and every people's event type, a plausible event (fields
 * from the cycle as it is, as a form would fill them) is accepted if and only if it is offered.
 */
function plausible(ctx: CycleSnapshot['context'], type: string, actor: Actor): CycleEvent[] {
  const base = { type, actor, at: '2027-01-02T00:00:00.000Z', directory: DIRECTORY };
  const live = ctx.options.filter((o) => o.status === 'live');
  const open = openProposal(ctx);
  const fields: Record<string, Record<string, unknown>[]> = {
    REVISE_PROBLEM: [{ statement: 'a' }],
    ENDORSE_PROBLEM: [{ revision: ctx.problem.revisions.length }],
    OBJECT_PROBLEM: [{ revision: ctx.problem.revisions.length, reason: 'r' }],
    SUBMIT_OPTION: [{ optionId: 'new-option', title: 't', summary: 's' }],
    AMEND_OPTION: live.map((o) => ({ optionId: o.id, title: 't' })),
    WITHDRAW_OPTION: live.map((o) => ({ optionId: o.id })),
    APPRAISE_OPTION: live.slice(0, 1).map((o) => ({ optionId: o.id, scores: [] })),
    PROPOSE_DECISION: live.slice(0, 1).map((o) => ({ proposalId: 'new-proposal', optionIds: [o.id], rationale: 'r' })),
    CONSENT: open ? [{ proposalId: open.id }] : [],
    OBJECT: open ? [{ proposalId: open.id, reason: 'r' }] : [],
    RECORD_PROGRESS: [{ note: 'n' }],
    RECORD_LEARNING: [{ insight: 'i', recommendation: 'continue' }],
    SIGN_OFF_REVIEW: [{ outcome: 'close' }],
    ESCALATE: [{ reason: 'r' }],
    CANCEL: [{ reason: 'r' }],
    RESOLVE_ESCALATION: [{ resolution: 'r' }],
    EDIT_DRAFT: [{ title: 't' }],
    // Those who signed off stay; the change is panel-1 or panel-2 (members' users) with them, them
    // alone (the others removed), or everyone with those two added.
    CHANGE_PANEL: [
      [...new Set([...ctx.signOffs.map((x) => x.userId), 'panel-1'])],
      [...new Set([...ctx.signOffs.map((x) => x.userId), 'panel-2'])],
      ctx.signOffs.map((x) => x.userId),
      [...new Set([...ctx.panelUserIds, 'panel-1', 'panel-2'])],
    ]
      .filter((ids) => ids.length)
      .map((panelUserIds) => ({ panelUserIds })),
    CHANGE_FACILITATORS: [{ facilitatorUserIds: ctx.facilitatorUserIds.length ? [] : ['facilitator'] }],
    INVITE_CO_OWNER: [{ organisationId: 'spare', role: 'provider' }],
    LEAVE_CYCLE: [{ reason: 'r' }],
    PLEDGE: [{ kind: 'cash', amountPence: 1_000_000_000_000, description: 'd' }],
    ADD_ACTION: ctx.coOwners.slice(0, 1).map((o) => ({ actionId: 'new-action', title: 't', ownerOrganisationId: o.organisationId, dueAt: '2027-03-31T17:00:00.000Z' })),
    COMPLETE_ACTION: (ctx.actions ?? []).filter((a) => !a.doneAt && a.ownerOrganisationId === actor.organisationId).map((a) => ({ actionId: a.id })),
    REMOVE_CO_OWNER: ctx.coOwners.map((o) => ({ organisationId: o.organisationId, reason: 'r' })),
  };
  return (fields[type] ?? [{}]).map((f) => ({ ...base, ...f }) as CycleEvent);
}

describe('nextEvents, read from the catalogue', () => {
  it('offers exactly the event types the machine would accept from that actor now', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 0, maxLength: 60 }), (start, steps) => {
        const snapshot = walk(start, steps);
        for (const actor of ACTORS.filter((a) => !a.system)) {
          const offered = nextEvents(snapshot, actor);
          const accepted = USER_EVENT_TYPES.filter((type) => plausible(snapshot.context, type, actor).some((e) => decide(snapshot, e).accepted));
          expect({ state: stateOf(snapshot), actor: actor.userId, offered }).toEqual({ state: stateOf(snapshot), actor: actor.userId, offered: accepted });
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Who is told it is their turn (cycle.tasks.ts) is who the machine would let act: never a task nobody can do. */
describe('tasks, read from the same cycle as nextEvents', () => {
  it('offers every task’s assignee one of the events that do it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 0, maxLength: 80 }), (start, steps) => {
        const snapshot = walk(start, steps);
        for (const task of tasksOf(snapshot)) {
          const actor: Actor =
            'organisationId' in task.assignee
              ? { userId: 'someone', organisationId: task.assignee.organisationId }
              : 'userId' in task.assignee
                ? { userId: task.assignee.userId, organisationId: null }
                : { userId: 'an-admin', organisationId: null };
          const offered = nextEvents(snapshot, actor);
          expect({ task: task.key, offered: task.events.some((e) => offered.includes(e)) }).toEqual({ task: task.key, offered: true });
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The history's entries rebuild what the snapshot and its texts say (cycle.audit.ts): any accepted sequence, carried statement or none. */
describe('the stored cycle compared with its history', () => {
  it('agrees after any sequence of accepted events, and finds a changed revision, option or consent', () => {
    const carriedAt = new Date(Date.UTC(2026, 11, 31));
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { minLength: 0, maxLength: 80 }), (carry, steps) => {
        const carried = carry ? { statement: 'Carried over', at: carriedAt } : undefined;
        let snapshot = startCycle({ ...input, ...(carried && { carriedStatement: { statement: carried.statement, at: carriedAt.toISOString() } }) });
        const entries: RecordedEntry[] = [];
        const [council, icb, charity, forum] = ACTORS;
        const script: [Actor, Record<string, unknown>][] = [
          [council, { type: 'LAUNCH' }],
          [charity, { type: 'REVISE_PROBLEM', statement: 's' }],
          ...[council, icb, charity, forum].map((a): [Actor, Record<string, unknown>] => [a, { type: 'ENDORSE_PROBLEM', revision: carry ? 2 : 1 }]),
          [charity, { type: 'SUBMIT_OPTION', optionId: 'o', title: 't', summary: 's' }],
        ];
        const events = [
          ...script.map(([actor, body], i) => ({ ...body, actor, at: new Date(Date.UTC(2027, 0, 1, 0, 0, 0, i)).toISOString() }) as CycleEvent),
          ...steps.map((s, index) => (snap: CycleSnapshot) => eventOf(s, snap, index + 100)),
        ];
        for (const made of events) {
          const event = typeof made === 'function' ? made(snapshot) : made;
          const decision = decide(snapshot, event);
          if (!decision.accepted) continue;
          snapshot = decision.snapshot;
          const { type, actor, at, directory: _, ...payload } = event as CycleEvent & Record<string, unknown>;
          entries.push({ seq: entries.length + 2, type, actorUserId: actor.userId, organisationId: actor.organisationId, payload: JSON.parse(JSON.stringify(payload)), at: new Date(at) });
        }
        const stored = JSON.parse(JSON.stringify(persistCycle(snapshot)));
        const head = entries.length + 1;
        expect(snapshotDisagreement(stored, {}, entries, head, carried)).toBeUndefined();
        // Stored as the repository stores it: without texts, the texts by key.
        const { slim, texts } = splitTexts(stored);
        expect(snapshotDisagreement(slim, texts, entries, head, carried)).toBeUndefined();
        const revise = entries.find((e) => e.type === 'REVISE_PROBLEM')!;
        const number = carry ? 2 : 1;
        expect(snapshotDisagreement(slim, { ...texts, [`revision:${number}`]: 'Not what was written' }, entries, head, carried)).toMatchObject({ seq: revise.seq, where: 'texts' });
        const retitled = JSON.parse(JSON.stringify(slim));
        retitled.context.options[0].title = 'Another title';
        expect(snapshotDisagreement(retitled, texts, entries, head, carried)).toMatchObject({ where: 'snapshot', reason: expect.stringMatching(/option 1 /) });
        const consented = snapshot.context.proposals.findIndex((p) => p.consents.length > 0);
        if (consented >= 0) {
          const unconsented = JSON.parse(JSON.stringify(slim));
          unconsented.context.proposals[consented].consents.pop();
          expect(snapshotDisagreement(unconsented, texts, entries, head, carried)).toMatchObject({ where: 'snapshot', reason: expect.stringMatching(/proposal/) });
        }
        if (carried) expect(snapshotDisagreement(slim, texts, entries, head, { ...carried, statement: 'Another' })).toMatchObject({ seq: 1, where: 'texts' });
      }),
      { numRuns: 300 },
    );
  });
});
