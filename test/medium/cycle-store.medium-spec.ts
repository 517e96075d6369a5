import { CycleStore } from '@app/cycles';
import { CycleViewsRepository } from '@app/cycles/cycle-views.repository';
import { Agent, Collaboration, Factory, TestApi, agent, collaboration, createTestApi, cycleSteps } from '@test/support';

/**
 * The cycle store switched off (CYCLE_CACHE=off): every event and view reads the cycle afresh,
 * and the answers are exactly those of a process that keeps cycles, each process seeing the
 * other's writes at once (neither ever answers an older version than the database holds).
 */
describe('cycles read with the cycle store off', () => {
  let kept: TestApi;
  let fresh: TestApi;
  let c: Collaboration;

  beforeAll(async () => {
    kept = await createTestApi();
    fresh = await createTestApi({ config: (config) => ({ ...config, cycleCache: { ...config.cycleCache, enabled: false } }) });
    c = await collaboration(await Factory.create(kept.http));
  });
  afterAll(async () => {
    await kept.close();
    await fresh.close();
  });

  /** The same person on the process that keeps nothing. */
  const onFresh = (as: Agent) => agent(fresh.http, as.token);
  const ok = async (as: Agent, id: string, body: object) => {
    const res = await as.post(`/v1/cycles/${id}/events`, body);
    if (res.status !== 200) throw new Error(`${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const view = async (as: Agent, id: string) => (await as.get(`/v1/cycles/${id}`).expect(200)).body;

  it('keeps nothing, reads the cycle for every event, and answers what a fresh read shows', async () => {
    const id = await c.newCycle();
    await cycleSteps(c).toFraming(id);
    const forum = onFresh(c.forumUser.as);
    const reads = jest.spyOn(fresh.app.get(CycleViewsRepository), 'view');
    try {
      const first = await ok(forum, id, { type: 'OBJECT_PROBLEM', revision: 1, reason: 'Residents living alone are missing' });
      const second = await ok(forum, id, { type: 'REVISE_PROBLEM', statement: 'Older people living alone are admitted to hospital.' });
      // Every event reads the cycle: nothing was held of it.
      expect(reads).toHaveBeenCalledTimes(2);
      expect(second.version).toBe(first.version + 1);
      expect(second).toEqual(await view(forum, id));
      const minimal = await forum.post(`/v1/cycles/${id}/events`, { type: 'ENDORSE_PROBLEM', revision: 2 }).set('Prefer', 'return=minimal').expect(200);
      expect(reads).toHaveBeenCalledTimes(4);
      const after = await view(forum, id);
      expect(minimal.body).toEqual({ id, state: after.state, version: after.version, nextEvents: after.nextEvents });
    } finally {
      reads.mockRestore();
    }
    expect(fresh.app.get(CycleStore).get(id)).toBeUndefined();
    expect(kept.app.get(CycleStore).enabled).toBe(true);
  });

  it('answers a long-lived cycle exactly as a process that keeps it, each process seeing the other’s events at once', async () => {
    const id = await c.newCycle();
    await cycleSteps(c).toFraming(id);
    // Statements long enough to be kept (snapshot, texts and the view's JSON) by the process that keeps cycles.
    for (let i = 0; i < 4; i++) await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: `${i} `.padEnd(12_000, 'long statement ') });
    const warm = await view(c.forumUser.as, id);
    expect(kept.app.get(CycleStore).get(id)?.version).toBe(warm.version);
    expect(await view(onFresh(c.forumUser.as), id)).toEqual(warm);
    // Alternate the processes: each answer is the other's latest version and content.
    let last = warm;
    for (let i = 0; i < 6; i++) {
      const [writer, reader] = i % 2 ? [c.forumUser.as, onFresh(c.forumUser.as)] : [onFresh(c.forumUser.as), c.forumUser.as];
      const statement = `round ${i} `.padEnd(12_000, 'revised ');
      const written = await ok(writer, id, i === 3 ? { type: 'OBJECT_PROBLEM', revision: last.problem.latestRevision, reason: `round ${i}` } : { type: 'REVISE_PROBLEM', statement });
      expect(written.version).toBe(last.version + 1);
      const seen = await view(reader, id);
      expect(seen).toEqual(await view(writer, id));
      expect(seen.version).toBe(written.version);
      if (i !== 3) expect(seen.problem.revisions.at(-1).statement).toBe(statement);
      last = seen;
    }
    expect(fresh.app.get(CycleStore).get(id)).toBeUndefined();
  });
});
