import { Actor, CYCLE_MACHINE_VERSION, CycleEvent, CycleSnapshot, decide, persistCycle, restoreCycle, splitTexts, startCycle } from '@app/domain';
import { CycleChain } from './cycle-chain';
import { CycleEntity } from './cycle.entity';
import { GENESIS_HASH } from '@app/history';

const org = (id: string): Actor => ({ userId: `u-${id}`, organisationId: id });
const [council, icb, charity, forum] = ['council', 'icb', 'charity', 'forum'].map(org);
let clock = 0;
const at = () => new Date(Date.UTC(2027, 0, 1) + clock++ * 1000).toISOString();
const event = (actor: Actor, body: Record<string, unknown>) => ({ ...body, actor, at: at() }) as CycleEvent;

function send(snapshot: CycleSnapshot, actor: Actor, body: Record<string, unknown>): CycleSnapshot {
  const decision = decide(snapshot, event(actor, body));
  if (!decision.accepted) throw new Error(`${String(body.type)} refused: ${decision.reason}`);
  return decision.snapshot;
}

function delivering(): CycleSnapshot {
  let s = startCycle({
    coOwners: [
      { organisationId: 'council', role: 'commissioner' },
      { organisationId: 'icb', role: 'commissioner' },
      { organisationId: 'charity', role: 'provider' },
      { organisationId: 'forum', role: 'community' },
    ],
    panelUserIds: ['u-panel'],
    facilitatorUserIds: [],
    outcomeIds: [],
    metrics: [],
  });
  s = send(s, council, { type: 'LAUNCH' });
  s = send(s, charity, { type: 'REVISE_PROBLEM', statement: 'Falls at home' });
  for (const a of [council, icb, charity, forum]) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
  s = send(s, charity, { type: 'SUBMIT_OPTION', optionId: 'o-1', title: 'Calls', summary: 'Weekly calls' });
  s = send(s, council, { type: 'CLOSE_OPTIONS' });
  s = send(s, icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['o-1'], rationale: 'Quickest' });
  for (const a of [council, icb, charity, forum]) s = send(s, a, { type: 'CONSENT', proposalId: 'p-1' });
  return s;
}

const rowOf = (snapshot: CycleSnapshot, machineVersion = CYCLE_MACHINE_VERSION) =>
  ({
    id: 'cycle-1',
    state: 'delivering',
    version: 20,
    historyHash: GENESIS_HASH,
    snapshot: persistCycle(snapshot),
    machineVersion,
    updatedAt: new Date('2027-01-01T00:00:00Z'),
  }) as unknown as CycleEntity;

describe('the chain of a cycle’s events', () => {
  const snapshot = delivering();

  it('sends no snapshot back for events that only record (the row keeps its own), and one for events that change it', () => {
    const chain = new CycleChain(rowOf(snapshot));
    const progress = event(charity, { type: 'RECORD_PROGRESS', note: 'Week 1' });
    const decision = chain.decide(progress);
    if (!decision.accepted) throw new Error(decision.reason);
    chain.apply(progress, decision);
    expect(chain.write().head).toMatchObject({ version: 21, state: 'delivering' });
    expect(chain.write().head.snapshot).toBeUndefined();

    const action = event(council, { type: 'ADD_ACTION', actionId: 'a-1', title: 'Recruit callers', ownerOrganisationId: 'charity', dueAt: '2027-03-31T17:00:00.000Z' });
    const added = chain.decide(action);
    if (!added.accepted) throw new Error(added.reason);
    chain.apply(action, added);
    expect(chain.write().head).toMatchObject({ version: 22, machineVersion: CYCLE_MACHINE_VERSION });
    // Stored without its texts, which go apart (this row was stored with them: all of them go).
    const { slim } = splitTexts(persistCycle(added.snapshot));
    expect(chain.write().head.snapshot).toEqual(slim);
    expect(JSON.stringify(slim)).not.toMatch(/"statement"|"summary"/);
    expect(chain.write().head.texts).toEqual({ 'revision:1': 'Falls at home', 'option:o-1': 'Weekly calls' });
  });

  it('writes no texts again for a row stored without them, only those an event writes or changes', () => {
    const chain = new CycleChain(rowOf(restoreCycle(splitTexts(persistCycle(snapshot)).slim)));
    const action = event(council, { type: 'ADD_ACTION', actionId: 'a-1', title: 'Recruit callers', ownerOrganisationId: 'charity', dueAt: '2027-03-31T17:00:00.000Z' });
    const added = chain.decide(action);
    if (!added.accepted) throw new Error(added.reason);
    chain.apply(action, added);
    expect(chain.write().head).toMatchObject({ machineVersion: CYCLE_MACHINE_VERSION, texts: {} });
    expect(chain.write().head.snapshot).toEqual(splitTexts(persistCycle(added.snapshot)).slim);
  });

  it('upgrades a snapshot of an earlier machine version on any event', () => {
    const chain = new CycleChain(rowOf(snapshot, CYCLE_MACHINE_VERSION - 1));
    const progress = event(charity, { type: 'RECORD_PROGRESS', note: 'Week 1' });
    const decision = chain.decide(progress);
    if (!decision.accepted) throw new Error(decision.reason);
    chain.apply(progress, decision);
    expect(chain.write().head).toMatchObject({ machineVersion: CYCLE_MACHINE_VERSION, snapshot: expect.any(Object) });
  });
});
