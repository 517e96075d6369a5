import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Principal } from '@app/accounts';
import { AppConfigModule } from '@app/config';
import { CycleEventsService, CycleQueriesService, CyclesModule } from '@app/cycles';
import { DatabaseModule, Transactions } from '@app/database';
import { Forbidden, TransitionRefused } from '@app/domain';
import { QueueModule } from '@app/queue';
import { servicesCollaboration } from '../support/medium';

/**
 * The write path against the real PostgreSQL, without HTTP: how people's events, milestones'
 * events and recorded entries are decided, chained and written by the one statement.
 */
describe('the cycle events service', () => {
  let app: INestApplicationContext;
  let events: CycleEventsService;
  let queries: CycleQueriesService;
  let db: DataSource;
  let council: Principal;
  let charity: Principal;
  let newCycle: () => Promise<string>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AppConfigModule, DatabaseModule, QueueModule, CyclesModule],
    }).compile();
    app = await moduleRef.init();
    events = app.get(CycleEventsService);
    queries = app.get(CycleQueriesService);
    db = app.get(DataSource);
    ({ council, charity, newCycle } = await servicesCollaboration(app));
  });
  afterAll(() => app.close());

  const history = (id: string) => db.query(`SELECT seq, type, from_state, to_state, hash_scheme FROM cycle_history WHERE cycle_id = $1 ORDER BY seq`, [id]);

  it('decides a person’s event, chains it and writes the cycle and its history together', async () => {
    const id = await newCycle();
    const record = await events.send(council, id, { type: 'LAUNCH' });
    expect(record.row).toMatchObject({ state: 'framing', version: 2 });
    expect(await history(id)).toEqual([
      { seq: 1, type: 'CREATED', from_state: null, to_state: 'draft', hash_scheme: 4 },
      { seq: 2, type: 'LAUNCH', from_state: 'draft', to_state: 'framing', hash_scheme: 4 },
    ]);
    expect(await queries.verify(council, id)).toEqual({ intact: true, length: 2 });
  });

  it('refuses with the reason and writes nothing: 403 for who, 422 for the rules', async () => {
    const id = await newCycle();
    await expect(events.send(charity, id, { type: 'LAUNCH' })).rejects.toThrow(Forbidden);
    await expect(events.send(council, id, { type: 'CLOSE_OPTIONS' })).rejects.toThrow(TransitionRefused);
    expect((await history(id)).map((h: { type: string }) => h.type)).toEqual(['CREATED']);
  });

  it('applies a storm of milestone events in bulk: each cycle’s in turn, moot ones left unwritten', async () => {
    const [framing, draft] = [await newCycle(), await newCycle()];
    await events.send(council, framing, { type: 'LAUNCH' });
    const answers = await app.get(Transactions).run(() =>
      events.applySystemEvents([
        {
          cycleId: framing,
          events: [
            { key: 'a', type: 'FRAMING_DUE', payload: {} },
            { key: 'b', type: 'FRAMING_DUE', payload: {} },
          ],
        },
        { cycleId: draft, events: [{ key: 'c', type: 'REVIEW_DUE', payload: {} }] },
      ]),
    );
    expect(answers.get(framing)).toEqual([
      { key: 'a', outcome: 'applied', state: 'escalated' },
      { key: 'b', outcome: 'moot', reason: expect.stringMatching(/escalated/) },
    ]);
    expect(answers.get(draft)).toEqual([{ key: 'c', outcome: 'moot', reason: expect.stringMatching(/draft/) }]);
    expect((await history(framing)).map((h: { type: string }) => h.type)).toEqual(['CREATED', 'LAUNCH', 'FRAMING_DUE']);
    expect((await history(draft)).map((h: { type: string }) => h.type)).toEqual(['CREATED']);
    expect(await queries.verify(council, framing)).toEqual({ intact: true, length: 3 });
  });

  it('chains recorded entries without moving the machine', async () => {
    const id = await newCycle();
    const before = (await queries.get(council, id)).row;
    await app.get(Transactions).run(() =>
      events.recordEntries([
        { cycleId: id, type: 'MILESTONE_SCHEDULED', actor: { userId: council.userId, organisationId: council.organisationId }, payload: { n: 1 }, at: new Date() },
        { cycleId: id, type: 'MILESTONE_SCHEDULED', actor: { userId: council.userId, organisationId: council.organisationId }, payload: { n: 2 }, at: new Date() },
      ]),
    );
    const after = (await queries.get(council, id)).row;
    expect(after).toMatchObject({ version: 3, state: 'draft', snapshot: before.snapshot });
    expect(await queries.verify(council, id)).toEqual({ intact: true, length: 3 });
  });

  it('skips a cycle another transaction holds, then writes the event under the row’s lock once it is free', async () => {
    const id = await newCycle();
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query('SELECT id FROM cycles WHERE id = $1 FOR UPDATE', [id]);
    let settled = false;
    const sent = events.send(council, id, { type: 'LAUNCH' }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false); // waiting for the lock, not lost
    await holder.commitTransaction();
    await holder.release();
    expect((await sent).row).toMatchObject({ state: 'framing', version: 2 });
    expect(await queries.verify(council, id)).toEqual({ intact: true, length: 2 });
  });

  it('writes the other events of a batch PostgreSQL refused for one event’s text, and fails that one alone', async () => {
    // A lone surrogate goes past the service (the apps refuse it at their edge): PostgreSQL refuses
    // the JSON that carries it, and with it the whole statement the batch shares.
    const ids = await Promise.all(Array.from({ length: 6 }, () => newCycle()));
    for (const id of ids) await events.send(council, id, { type: 'LAUNCH' });
    const statement = (i: number) => (i === 2 ? 'Lone \ud800 surrogate' : `Statement ${i}`);
    const sent = await Promise.allSettled(ids.map((id, i) => events.send(council, id, { type: 'REVISE_PROBLEM', statement: statement(i) })));
    expect(sent.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(((sent[2] as PromiseRejectedResult).reason as { code?: string }).code).toMatch(/^22/);
    for (const [i, id] of ids.entries()) {
      const row = (await queries.get(council, id)).row;
      expect({ i, version: row.version, types: (await history(id)).map((h: { type: string }) => h.type) }).toEqual({
        i,
        version: i === 2 ? 2 : 3,
        types: i === 2 ? ['CREATED', 'LAUNCH'] : ['CREATED', 'LAUNCH', 'REVISE_PROBLEM'],
      });
      expect(await queries.verify(council, id)).toEqual({ intact: true, length: row.version });
    }
    // Written once each: the next event follows on the version the retry wrote.
    await events.send(council, ids[0], { type: 'REVISE_PROBLEM', statement: 'Again' });
    expect((await queries.get(council, ids[0])).row.version).toBe(4);
  });
});
