/*
 * npm run bench:xstate: the cost of one cycle transition two ways, in process, no database:
 * XState's public pure `transition()` (a throwaway actor per call, its initial snapshot computed)
 * against the engine's one inert actor scope (cycle.engine.ts). Each is timed on the write path's
 * own step: a persisted snapshot restored (`resolveState`), the event decided, the next persisted.
 * Prints microseconds per event and approximate bytes allocated per event.
 */
import { randomUUID } from 'node:crypto';
import { transition } from 'xstate';
import { Actor, CycleEvent, decide, persistCycle, restoreCycle, startCycle } from '@app/domain';
import { cycleMachine } from '../libs/domain/src/cycle/cycle.machine';

const [commissioner, provider, community] = [randomUUID(), randomUUID(), randomUUID()];
const person = (organisationId: string): Actor => ({ userId: randomUUID(), organisationId, representative: true, representatives: [] });
const at = new Date('2027-01-04T10:00:00Z').toISOString();
const outcomeIds = [randomUUID(), randomUUID()];

/** A cycle in delivering, as most writes find one: a framed problem, options, an accepted proposal. */
function deliveringCycle() {
  let snapshot = startCycle({
    coOwners: [
      { organisationId: commissioner, role: 'commissioner' },
      { organisationId: provider, role: 'provider' },
      { organisationId: community, role: 'community' },
    ],
    panelUserIds: [randomUUID()],
    facilitatorUserIds: [],
    outcomeIds,
    metrics: [{ id: randomUUID(), name: 'Admissions', outcomeId: outcomeIds[0] }],
  });
  const send = (actor: Actor, event: Record<string, unknown>) => {
    const decision = decide(snapshot, { ...event, actor, at } as unknown as CycleEvent);
    if (!decision.accepted) throw new Error(`${String(event.type)}: ${decision.reason}`);
    snapshot = decision.snapshot;
  };
  send(person(commissioner), { type: 'LAUNCH' });
  for (let r = 1; r <= 20; r++) send(person(provider), { type: 'REVISE_PROBLEM', statement: `Revision ${r} of the problem` });
  for (const org of [commissioner, provider, community]) send(person(org), { type: 'ENDORSE_PROBLEM', revision: 20 });
  const optionIds = Array.from({ length: 20 }, () => randomUUID());
  for (const optionId of optionIds) send(person(provider), { type: 'SUBMIT_OPTION', title: 'An option', summary: 'What it does', optionId, directory: { organisationNames: {}, onTheTable: {} } });
  send(person(commissioner), { type: 'CLOSE_OPTIONS' });
  const proposalId = randomUUID();
  send(person(provider), { type: 'PROPOSE_DECISION', optionIds: [optionIds[0]], rationale: 'The first', proposalId, directory: { organisationNames: {} } });
  for (const org of [commissioner, provider, community]) send(person(org), { type: 'CONSENT', proposalId });
  if (snapshot.value !== 'delivering') throw new Error(`expected delivering, got ${String(snapshot.value)}`);
  return persistCycle(snapshot);
}

const persisted = deliveringCycle();
const event = {
  type: 'ADD_ACTION',
  title: 'Hire two nurses',
  ownerOrganisationId: provider,
  dueAt: '2027-03-31T17:00:00.000Z',
  actionId: randomUUID(),
  actor: person(provider),
  at,
} as unknown as CycleEvent;

const ways: Record<string, () => unknown> = {
  'engine decide() (one inert scope)': () => persistCycle((decide(restoreCycle(persisted), event) as unknown as { snapshot: never }).snapshot),
  'xstate transition() (a new actor each call)': () => persistCycle(transition(cycleMachine, restoreCycle(persisted), event)[0]),
  'transition step only, inert scope (decide on a restored snapshot)': (() => {
    const restored = restoreCycle(persisted);
    return () => decide(restored, event);
  })(),
  'transition step only, xstate transition()': (() => {
    const restored = restoreCycle(persisted);
    return () => transition(cycleMachine, restored, event);
  })(),
};

const gc = (globalThis as { gc?: () => void }).gc;
function measure(run: () => unknown, n: number) {
  for (let i = 0; i < 2000; i++) run();
  const times: number[] = [];
  for (let round = 0; round < 7; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) run();
    times.push(Number(process.hrtime.bigint() - started) / n / 1000);
  }
  // Bytes: heap growth over a batch small enough that no collection runs during it (needs --expose-gc).
  let bytes = NaN;
  if (gc) {
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 100; i++) run();
      samples.push((process.memoryUsage().heapUsed - before) / 100);
    }
    bytes = Math.min(...samples);
  }
  times.sort((a, b) => a - b);
  return { median: times[3], best: times[0], bytes };
}

const n = Number(process.env.N ?? 5000);
console.log(`node ${process.version}, ${n} events a round, median (best) of 7 rounds`);
for (const [name, run] of Object.entries(ways)) {
  const { median, best, bytes } = measure(run, n);
  console.log(`${name.padEnd(66)} ${median.toFixed(1).padStart(7)} µs (${best.toFixed(1)})  ${Number.isNaN(bytes) ? '' : `~${Math.round(bytes / 1024)} KiB allocated`}`);
}
