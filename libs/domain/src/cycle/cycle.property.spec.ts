import fc from 'fast-check';
import { transition } from 'xstate';
import { cycleMachine } from './cycle.machine';
import { CycleState } from './cycle.types';
import type { CycleEvent } from './cycle.catalogue';
import { decide, persistCycle, restoreCycle, stateOf } from './cycle.engine';
import { ACTORS, step, eventOf, scripted, STARTS, walk, checkInvariants } from './cycle.property.fixtures';

describe('the cycle machine under random events', () => {
  it('keeps its invariants after every step, and final states stay final', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 1, maxLength: 120 }), (start, steps) => {
        let snapshot = scripted(start);
        let accepted = 0;
        const reached = new Set<CycleState>();
        steps.forEach((s, index) => {
          const before = stateOf(snapshot);
          const decision = decide(snapshot, eventOf(s, snapshot, index));
          if (before === 'closed' || before === 'cancelled') {
            expect(decision.accepted).toBe(false);
            return;
          }
          if (!decision.accepted) return;
          accepted++;
          const previous = snapshot;
          snapshot = restoreCycle(JSON.parse(JSON.stringify(persistCycle(decision.snapshot))));
          reached.add(stateOf(snapshot));
          checkInvariants(previous, snapshot);
        });
        return accepted >= 0 && reached.size >= 0;
      }),
      { numRuns: 600 },
    );
  });

  it("decides exactly as XState's own transition() does (the engine's one shared inert scope changes nothing)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 1, maxLength: 80 }), (start, steps) => {
        let snapshot = scripted(start);
        steps.forEach((s, index) => {
          const event = eventOf(s, snapshot, index);
          const decision = decide(snapshot, event);
          if (!decision.accepted || stateOf(snapshot) === 'closed' || stateOf(snapshot) === 'cancelled') return;
          const [next, actions] = transition(cycleMachine, snapshot, event);
          expect({ value: decision.snapshot.value, status: decision.snapshot.status, context: decision.snapshot.context }).toEqual({ value: next.value, status: next.status, context: next.context });
          expect(decision.effects).toEqual(actions.filter((a) => a.type === 'openNextIteration').map(() => ({ type: 'openNextIteration' })));
          snapshot = decision.snapshot;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a transition that opens the next iteration leaves no action behind for the next one', () => {
    const closing = fc
      .sample(fc.array(step, { minLength: 200, maxLength: 300 }), { numRuns: 400, seed: 7 })
      .map((steps) => {
        let snapshot = scripted('reviewing');
        for (const [index, s] of steps.entries()) {
          const event = eventOf(s, snapshot, index);
          const decision = decide(snapshot, event);
          if (decision.accepted && decision.effects.length) return { snapshot, event };
          if (decision.accepted) snapshot = decision.snapshot;
        }
        return undefined;
      })
      .find(Boolean);
    expect(closing).toBeDefined();
    expect(decide(closing!.snapshot, closing!.event)).toMatchObject({ accepted: true, effects: [{ type: 'openNextIteration' }] });
    // The same cycle, before it closes: an ordinary event after one that opened an iteration has no effect.
    const plain = decide(scripted('delivering'), { type: 'RECORD_PROGRESS', note: 'Weekly', actor: ACTORS[0], at: '2027-01-02T00:00:00.000Z' } as CycleEvent);
    expect(plain).toMatchObject({ accepted: true, effects: [] });
  });

  it('random sequences do reach the later states (the generator is not toothless)', () => {
    const reached = new Set<CycleState>();
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 50, maxLength: 300 }), (start, steps) => {
        walk(start, steps, (snapshot) => reached.add(stateOf(snapshot)));
      }),
      { numRuns: 300, seed: 42 },
    );
    expect([...reached]).toEqual(expect.arrayContaining(['framing', 'options', 'deciding', 'delivering', 'reviewing', 'closed', 'escalated', 'cancelled']));
  });

  it('random sequences do reorganise: successions (into newcomers and co-owners) and handovers are accepted, and refused', () => {
    const seen = new Map<string, number>();
    const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
    fc.assert(
      fc.property(fc.constantFrom(...STARTS), fc.array(step, { minLength: 50, maxLength: 200 }), (start, steps) => {
        let snapshot = scripted(start);
        steps.forEach((s, index) => {
          const event = eventOf(s, snapshot, index);
          if (event.type !== 'ORGANISATION_SUCCEEDED' && event.type !== 'HANDED_OVER') {
            const decision = decide(snapshot, event);
            if (decision.accepted) snapshot = decision.snapshot;
            return;
          }
          const decision = decide(snapshot, event);
          count(`${event.type}.${decision.accepted ? 'accepted' : decision.kind}`);
          if (decision.accepted && event.type === 'ORGANISATION_SUCCEEDED' && decision.snapshot.context.successions?.at(-1)?.keptRole) count('kept');
          if (decision.accepted) snapshot = decision.snapshot;
        });
      }),
      { numRuns: 200, seed: 42 },
    );
    for (const key of ['ORGANISATION_SUCCEEDED.accepted', 'ORGANISATION_SUCCEEDED.refused', 'ORGANISATION_SUCCEEDED.forbidden', 'kept', 'HANDED_OVER.accepted', 'HANDED_OVER.refused']) {
      expect({ key, seen: (seen.get(key) ?? 0) > 0 }).toEqual({ key, seen: true });
    }
  });
});
