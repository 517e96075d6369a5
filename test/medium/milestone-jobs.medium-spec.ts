import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Principal } from '@app/accounts';
import { AppConfig, AppConfigModule, CLOCK } from '@app/config';
import { CycleEventsService, CycleQueriesService } from '@app/cycles';
import { DatabaseModule } from '@app/database';
import { ManualClock } from '@app/domain';
import { MilestoneJobsService, MilestonesModule, MilestonesRepository, MilestonesService } from '@app/milestones';
import { QueueModule } from '@app/queue';
import { Relay } from '../../apps/worker/src/relay/relay';
import { Sweeper } from '../../apps/worker/src/sweeper.pass';
import { servicesCollaboration } from '../support/medium';
import { waitFor } from '../support/test-worker';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * What the worker's jobs and its sweeper do, against the real PostgreSQL, on a clock the test
 * moves: milestones come due when the clock says so, not when the test has waited long enough.
 */
describe('milestone jobs and the sweeper', () => {
  let app: INestApplicationContext;
  let clock: ManualClock;
  let jobs: MilestoneJobsService;
  let milestones: MilestonesService;
  let council: Principal;
  let charity: Principal;
  let newCycle: () => Promise<string>;
  const ahead = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();

  beforeAll(async () => {
    clock = new ManualClock('2027-01-11T09:00:00Z'); // a Monday
    const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule, DatabaseModule, QueueModule, MilestonesModule] })
      .overrideProvider(CLOCK)
      .useValue(clock)
      .compile();
    app = await moduleRef.init();
    jobs = app.get(MilestoneJobsService);
    milestones = app.get(MilestonesService);
    ({ council, charity, newCycle } = await servicesCollaboration(app));
  });
  afterAll(() => app.close());

  const launched = async () => {
    const id = await newCycle();
    await app.get(CycleEventsService).send(council, id, { type: 'LAUNCH' });
    return id;
  };
  const stateOf = async (id: string) => (await app.get(CycleQueriesService).get(council, id)).row.state;
  const statusOf = async (milestoneId: string) => (await app.get(DataSource).query(`SELECT status FROM milestones WHERE id = $1`, [milestoneId]))[0].status as string;

  it('a milestone not yet due is left alone; once the clock passes it, a sweep fires it as the system', async () => {
    const id = await launched();
    const m = await milestones.schedule(council, id, { kind: 'framingDue', dueAt: ahead(2 * DAY) });
    await jobs.sweepNow();
    expect(await statusOf(m.id)).toBe('scheduled');
    clock.advance(2 * DAY + 1000);
    expect(await jobs.sweepNow()).toBeGreaterThanOrEqual(1);
    expect(await statusOf(m.id)).toBe('fired');
    expect(await stateOf(id)).toBe('escalated');
  });

  it('a fire job delivered again, or for a milestone that moved on, changes nothing', async () => {
    const id = await launched();
    const m = await milestones.schedule(council, id, { kind: 'framingDue', dueAt: ahead(HOUR) });
    clock.advance(HOUR + 1000);
    // A job first sweeps what is due, so it may find its own milestone already settled by that sweep.
    expect(['fired', 'stale']).toContain(await jobs.fire({ milestoneId: m.id, revision: 1 }));
    expect(await statusOf(m.id)).toBe('fired');
    expect(await jobs.fire({ milestoneId: m.id, revision: 1 })).toBe('stale');
    expect(await jobs.fire({ milestoneId: m.id, revision: 2 })).toBe('stale');
  });

  it('a milestone whose moment has passed in the lifecycle is settled as moot', async () => {
    const id = await newCycle(); // still a draft: reviewDue means nothing here
    const m = await milestones.schedule(council, id, { kind: 'reviewDue', dueAt: ahead(HOUR) });
    clock.advance(HOUR + 1000);
    expect(['moot', 'stale']).toContain(await jobs.fire({ milestoneId: m.id, revision: 1 }));
    expect(await statusOf(m.id)).toBe('moot');
    expect(await stateOf(id)).toBe('draft');
  });

  it('a milestone judged moot on a stale read of the cycle is decided again, not settled', async () => {
    const id = await launched();
    const events = app.get(CycleEventsService);
    await events.send(charity, id, { type: 'REVISE_PROBLEM', statement: 'The problem' });
    for (const p of [council, charity]) await events.send(p, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    await events.send(charity, id, { type: 'SUBMIT_OPTION', title: 'T', summary: 'S' });
    const decision = await milestones.schedule(council, id, { kind: 'decisionDue', dueAt: ahead(60_000) });
    const stale = (await app.get(CycleQueriesService).get(council, id)).row.version; // in options: decisionDue would be moot here
    await events.send(council, id, { type: 'CLOSE_OPTIONS' }); // now deciding: it would escalate
    expect(await app.get(MilestonesRepository).settleMoot(decision.id, 1, id, stale, { status: 'moot', at: clock.now().toISOString() })).toBe(false);
    expect(await jobs.fire({ milestoneId: decision.id, revision: 1 })).toBe('fired');
    expect(await stateOf(id)).toBe('escalated');
  });

  it('a reminder tells each participant once, however often it is delivered, and none after the milestone', async () => {
    const id = await launched();
    const m = await milestones.schedule(council, id, { kind: 'decisionDue', dueAt: ahead(7 * DAY) });
    const told = await jobs.remind({ milestoneId: m.id, revision: 1, days: 7 });
    expect(told).toBeGreaterThanOrEqual(2); // the commissioner's and the provider's users
    await jobs.remind({ milestoneId: m.id, revision: 1, days: 7 });
    const rows = await app.get(DataSource).query(`SELECT count(*)::int AS n FROM notifications WHERE milestone_id = $1`, [m.id]);
    expect(rows[0].n).toBe(told);
    clock.advance(8 * DAY);
    expect(await jobs.remind({ milestoneId: m.id, revision: 1, days: 1 })).toBe(0);
  });

  it('the sweeper wakes when the next milestone is due by the services’ clock and sweeps it', async () => {
    const id = await launched();
    const m = await milestones.schedule(council, id, { kind: 'framingDue', dueAt: ahead(DAY) });
    // The sweeper alone, on a relay of its own that this test starts and stops.
    const relay = new Relay({ worker: { relayIntervalMs: 200 } as AppConfig['worker'] });
    new Sweeper(relay, jobs).onModuleInit();
    relay.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await statusOf(m.id)).toBe('scheduled');
      clock.advance(DAY + 1000);
      await waitFor(async () => (await statusOf(m.id)) === 'fired', 5000, 'the sweeper to fire the milestone');
    } finally {
      await relay.stop();
    }
  });
});
