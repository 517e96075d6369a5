import type { CycleRecord } from '@app/cycles';
import type { CycleEntity } from '@app/cycles/cycle.entity';
import { type Actor, type CycleEvent, type CycleInput, type CycleSnapshot, decide, startCycle } from '@app/domain';
import { mapCycle } from './cycles.dto';

const council: Actor = { userId: 'u-council', organisationId: 'org-council' };
const charity: Actor = { userId: 'u-charity', organisationId: 'org-charity' };
const forum: Actor = { userId: 'u-forum', organisationId: 'org-forum' };

/** Three co-owners, one of each role, and a panel of one. */
const input: CycleInput = {
  coOwners: (['commissioner', 'provider', 'community'] as const).map((role, i) => ({ organisationId: [council, charity, forum][i].organisationId!, role })),
  panelUserIds: ['u-panel'],
  facilitatorUserIds: [],
  outcomeIds: ['outcome-1'],
  metrics: [],
};

/** A cycle with three revisions and four options, one of them withdrawn, as the machine makes it. */
function record(): CycleRecord {
  let snapshot: CycleSnapshot = startCycle(input);
  let n = 0;
  const send = (actor: Actor, body: Record<string, unknown>) => {
    const decision = decide(snapshot, { ...body, actor, at: new Date(Date.UTC(2027, 1, 1) + n++ * 1000).toISOString() } as CycleEvent);
    if (!decision.accepted) throw new Error(`${JSON.stringify(body)}: ${decision.reason}`);
    snapshot = decision.snapshot;
  };
  send(council, { type: 'LAUNCH' });
  for (const statement of ['First.', 'Second.', 'Third.']) send(charity, { type: 'REVISE_PROBLEM', statement });
  for (const actor of [council, charity, forum]) send(actor, { type: 'ENDORSE_PROBLEM', revision: 3 });
  for (const id of ['o1', 'o2', 'o3', 'o4']) send(charity, { type: 'SUBMIT_OPTION', optionId: id, title: id, summary: `Summary of ${id}` });
  send(charity, { type: 'WITHDRAW_OPTION', optionId: 'o2' });
  const at = new Date('2027-02-01T00:00:00.000Z');
  const row = {
    id: 'c1',
    partnershipId: 'p1',
    title: 'A cycle',
    iteration: 1,
    previousCycleId: null,
    nextCycleId: null,
    state: 'options',
    version: 12,
    machineVersion: 2,
    createdAt: at,
    updatedAt: at,
    inheritedLearning: null,
  };
  return { row: row as unknown as CycleEntity, snapshot, nextEvents: [], milestones: [], progress: [], progressCount: 0, archived: false };
}

describe('the cycle view', () => {
  const now = new Date('2027-03-01T00:00:00.000Z');

  it('carries the latest revision and the live options, with how many were withdrawn', () => {
    const view = mapCycle(record(), now) as unknown as {
      problem: { revisions: { number: number; statement: string }[]; latestRevision: number };
      options: { id: string }[];
      withdrawnOptionCount: number;
    };
    expect(view.problem.revisions).toEqual([expect.objectContaining({ number: 3, statement: 'Third.' })]);
    expect(view.problem.latestRevision).toBe(3);
    expect(view.options.map((o) => o.id)).toEqual(['o1', 'o3', 'o4']);
    expect(view.withdrawnOptionCount).toBe(1);
  });

  it('carries every revision and option when asked for the whole view, and is otherwise the same', () => {
    const cycle = record();
    const view = mapCycle(cycle, now);
    const full = mapCycle(cycle, now, true) as unknown as { problem: { revisions: { statement: string }[] }; options: { id: string; status: string }[] };
    expect(full.problem.revisions.map((r) => r.statement)).toEqual(['First.', 'Second.', 'Third.']);
    expect(full.options.map((o) => `${o.id} ${o.status}`)).toEqual(['o1 live', 'o2 withdrawn', 'o3 live', 'o4 live']);
    expect({ ...full, problem: { ...full.problem, revisions: full.problem.revisions.slice(-1) }, options: full.options.filter((o) => o.status === 'live') }).toEqual(view);
  });

  it('a cycle without a revision yet carries none', () => {
    const cycle = record();
    const draft = { ...cycle, snapshot: startCycle(input) };
    expect(mapCycle(draft, now).problem).toMatchObject({ revisions: [], latestRevision: null });
    expect(mapCycle(draft, now)).toMatchObject({ options: [], withdrawnOptionCount: 0 });
  });
});
