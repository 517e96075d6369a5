import { Logger } from '@nestjs/common';
import ICAL from 'ical.js';
import request from 'supertest';
import { addDays } from '@app/domain';
import { MilestoneJobsService } from '@app/milestones';
import {
  Agent,
  Collaboration,
  Factory,
  TestApi,
  TestWorker,
  asOwner,
  collaboration,
  createTestApi,
  createTestWorker,
  fastWorkerEnvironment,
  fromNow,
  testQueue,
  waitFor,
  wipeQueueKeys,
} from '@test/support';

const DAY = 86_400_000;
const inMs = fromNow;

describe('milestones with a real worker, Redis and PostgreSQL', () => {
  let api: TestApi;
  let worker: TestWorker;
  let factory: Factory;
  let c: Collaboration;

  beforeAll(async () => {
    fastWorkerEnvironment();
    api = await createTestApi();
    worker = await createTestWorker();
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const ok = async (as: Agent, id: string, body: object) => {
    const res = await as.post(`/v1/cycles/${id}/events`, body);
    if (res.status !== 200) throw new Error(`${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const framing = async () => {
    const id = await c.newCycle();
    await ok(c.councilUser.as, id, { type: 'LAUNCH' });
    return id;
  };
  const cycle = async (id: string) => (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
  const milestoneOf = async (id: string, milestoneId: string) => (await cycle(id)).milestones.find((m: { id: string }) => m.id === milestoneId);
  const schedule = (id: string, body: object) => c.councilUser.as.post(`/v1/cycles/${id}/milestones`, body);

  it('a milestone that comes due moves the cycle, recorded as the system', async () => {
    const id = await framing();
    const created = await schedule(id, { kind: 'framingDue', dueAt: inMs(1500) }).expect(201);
    expect(created.body).toMatchObject({ kind: 'framingDue', status: 'scheduled' });
    const view = await waitFor(
      async () => {
        const v = await cycle(id);
        return v.state === 'escalated' && v;
      },
      15000,
      'the cycle to escalate',
    );
    expect(view.escalation).toMatchObject({ from: 'framing', milestone: 'FRAMING_DUE' });
    expect(view.milestones[0]).toMatchObject({ id: created.body.id, status: 'fired' });
    expect(view.milestones[0].changes.map((x: { status: string }) => x.status)).toEqual(['scheduled', 'fired']);
    const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`)).body;
    expect(history.map((h: { type: string }) => h.type)).toEqual(['CREATED', 'LAUNCH', 'MILESTONE_SCHEDULED', 'FRAMING_DUE']);
    expect(history[3]).toMatchObject({ actorUserId: null, organisationId: null, fromState: 'framing', toState: 'escalated', payload: { milestoneId: created.body.id } });
    await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200, { intact: true, length: 4 });
  });

  it('a milestone whose moment has passed in the lifecycle becomes moot and changes nothing', async () => {
    const id = await c.newCycle();
    const created = await schedule(id, { kind: 'optionsClose', dueAt: inMs(800) }).expect(201);
    const m = await waitFor(
      async () => {
        const x = await milestoneOf(id, created.body.id);
        return x.status !== 'scheduled' && x;
      },
      15000,
      'the milestone to settle',
    );
    expect(m.status).toBe('moot');
    expect(m.changes[1].note).toMatch(/no longer applies/);
    const v = await cycle(id);
    expect(v.state).toBe('draft');
    expect(v.version).toBe(2); // CREATED and MILESTONE_SCHEDULED only
  });

  it('handling is idempotent: a second delivery changes nothing', async () => {
    const id = await framing();
    const created = await schedule(id, { kind: 'framingDue', dueAt: inMs(60_000) }).expect(201);
    const jobs = worker.app.get(MilestoneJobsService);
    const results = await Promise.all([1, 2, 3].map(() => jobs.fire({ milestoneId: created.body.id, revision: 1 })));
    expect(results.sort()).toEqual(['fired', 'stale', 'stale']);
    expect(await jobs.fire({ milestoneId: created.body.id, revision: 1 })).toBe('stale');
    const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`)).body;
    expect(history.filter((h: { type: string }) => h.type === 'FRAMING_DUE')).toHaveLength(1);
  });

  // A milestone judged moot on a stale read is decided again: test/medium/milestone-jobs.

  it('a storm is swept in bulk: each cycle’s due milestones in order, each on the state the one before left', async () => {
    const [a, b] = [await framing(), await framing()];
    const later = inMs(60_000); // far enough that no job runs during the test: the sweep does it all
    const reviewDue = (await schedule(a, { kind: 'reviewDue', dueAt: later }).expect(201)).body;
    const framingDue = (await schedule(a, { kind: 'framingDue', dueAt: later }).expect(201)).body;
    const secondFramingDue = (await schedule(a, { kind: 'framingDue', dueAt: later }).expect(201)).body;
    const optionsClose = (await schedule(b, { kind: 'optionsClose', dueAt: later }).expect(201)).body;
    // Come due behind the service's back, as the tables' owner.
    const dueAgo = async (id: string, seconds: number) => asOwner((m) => m.query(`UPDATE milestones SET due_at = $2 WHERE id = $1`, [id, inMs(-seconds * 1000)]));
    // Read before the milestones come due: the worker's own sweeper may settle them at any moment
    // from then on, and the outcome must be the same whichever sweep does it.
    const before = { a: (await cycle(a)).version, b: (await cycle(b)).version };
    await dueAgo(reviewDue.id, 3);
    await dueAgo(framingDue.id, 2);
    await dueAgo(secondFramingDue.id, 1);
    await dueAgo(optionsClose.id, 1);

    await worker.app.get(MilestoneJobsService).sweepNow();

    const [viewA, viewB] = [await cycle(a), await cycle(b)];
    expect(viewA.state).toBe('escalated');
    expect(viewB.state).toBe('framing');
    const status = (view: { milestones: { id: string; status: string; changes: { note?: string }[] }[] }, id: string) => view.milestones.find((m) => m.id === id)!;
    expect(status(viewA, reviewDue.id).status).toBe('moot'); // due first, while the cycle was framing
    expect(status(viewA, framingDue.id).status).toBe('fired');
    expect(status(viewA, secondFramingDue.id)).toMatchObject({ status: 'moot', changes: expect.arrayContaining([expect.objectContaining({ note: expect.stringMatching(/escalated/) })]) });
    expect(status(viewB, optionsClose.id).status).toBe('moot');
    // One event written for cycle a, chained like any other; nothing for b.
    expect(viewA.version).toBe(before.a + 1);
    expect(viewB.version).toBe(before.b);
    const history = (await c.councilUser.as.get(`/v1/cycles/${a}/history`)).body;
    expect(history.at(-1)).toMatchObject({ type: 'FRAMING_DUE', actorUserId: null, payload: { milestoneId: framingDue.id } });
    await c.councilUser.as.get(`/v1/cycles/${a}/history/verify`).expect(200, { intact: true, length: viewA.version });
    // Their jobs, when they come, find nothing to do.
    const jobs = worker.app.get(MilestoneJobsService);
    for (const m of [reviewDue, framingDue, secondFramingDue, optionsClose]) expect(await jobs.fire({ milestoneId: m.id, revision: 1 })).toBe('stale');
  });

  describe('scheduling and cancelling', () => {
    it('only commissioners of the cycle schedule; others 403, outsiders 404', async () => {
      const id = await framing();
      await c.charityUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: inMs(DAY) }).expect(403);
      const outsider = await factory.user(await factory.organisation('commissioner'));
      await outsider.as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: inMs(DAY) }).expect(404);
    });

    it('refuses bad input with the field named, and changes nothing', async () => {
      const id = await framing();
      const none = await schedule(id, { kind: 'framingDue' }).expect(400);
      expect(none.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['dueAt']));
      expect((await schedule(id, { kind: 'soon', dueAt: inMs(DAY) }).expect(400)).body.errors[0].field).toBe('kind');
      expect((await schedule(id, { kind: 'framingDue', dueAt: '2020-01-01T00:00:00Z' }).expect(400)).body.errors[0].field).toBe('dueAt');
      expect((await schedule(id, { kind: 'framingDue', anchorId: c.outcome.id, offsetDays: 1 }).expect(400)).body.errors[0].field).toBe('anchorId');
      expect((await cycle(id)).milestones).toEqual([]);
    });

    it('a cancelled milestone never fires', async () => {
      const id = await framing();
      const created = await schedule(id, { kind: 'framingDue', dueAt: inMs(1200) }).expect(201);
      await c.charityUser.as.delete(`/v1/cycles/${id}/milestones/${created.body.id}`).expect(403);
      const cancelled = await c.councilUser.as.delete(`/v1/cycles/${id}/milestones/${created.body.id}`).expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      await new Promise((r) => setTimeout(r, 2500));
      expect((await cycle(id)).state).toBe('framing');
      const again = await c.councilUser.as.delete(`/v1/cycles/${id}/milestones/${created.body.id}`).expect(422);
      expect(again.body.detail).toBe('This milestone is already cancelled.');
      const types = (await c.councilUser.as.get(`/v1/cycles/${id}/history`)).body.map((h: { type: string }) => h.type);
      expect(types).toEqual(['CREATED', 'LAUNCH', 'MILESTONE_SCHEDULED', 'MILESTONE_CANCELLED']);
    });
  });

  describe('anchors', () => {
    it('aligns by calendar or working days, and moving the anchor moves every aligned milestone of every cycle', async () => {
      const anchor = (await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'Council budget set', date: '2027-02-24T10:00:00Z' }).expect(201)).body;
      const [a, b] = [await framing(), await framing()];
      const working = await schedule(a, { kind: 'framingDue', anchorId: anchor.id, offsetWorkingDays: -10 }).expect(201);
      expect(working.body.dueAt).toBe('2027-02-10T10:00:00.000Z');
      const calendarDays = await schedule(b, { kind: 'framingDue', anchorId: anchor.id, offsetDays: -7 }).expect(201);
      expect(calendarDays.body.dueAt).toBe('2027-02-17T10:00:00.000Z');

      // Move the anchor a week and 2.5 s ahead: b then comes due in 2.5 s, and a (10 working days,
      // at least 14 calendar days, before the anchor) lands in the past, whatever the day today.
      const soon = inMs(7 * DAY + 2500);
      const moved = await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}/anchors/${anchor.id}`, { date: soon }).expect(200);
      expect(moved.body).toMatchObject({ id: anchor.id, movedMilestones: 2 });
      const bView = await cycle(b);
      // Seven days before in England: across the change of the clocks that is not 7 × 24 hours.
      expect(new Date(bView.milestones[0].dueAt).getTime()).toBe(addDays(new Date(soon), -7).getTime());
      for (const id of [a, b]) {
        const history: { type: string }[] = (await c.councilUser.as.get(`/v1/cycles/${id}/history`)).body;
        const at = history.findIndex((h) => h.type === 'MILESTONES_MOVED');
        expect(history[at]).toMatchObject({ type: 'MILESTONES_MOVED', payload: { anchorId: anchor.id, to: new Date(soon).toISOString() } });
        // After it, at most the milestone firing: a's lands in the past, and the worker may be quicker than this read.
        expect(history.slice(at + 1).every((h) => h.type === 'FRAMING_DUE')).toBe(true);
      }
      // The 10-working-days one lands in the past and fires at once; the other in ~2.5 s.
      await waitFor(async () => (await cycle(a)).state === 'escalated', 15000, 'cycle a to escalate');
      await waitFor(async () => (await cycle(b)).state === 'escalated', 15000, 'cycle b to escalate');
      for (const id of [a, b]) {
        const types = (await c.councilUser.as.get(`/v1/cycles/${id}/history`)).body.map((h: { type: string }) => h.type);
        expect(types.filter((t: string) => t === 'FRAMING_DUE')).toHaveLength(1);
      }
    });

    it('only commissioner members move anchors', async () => {
      const anchor = (await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'ICB plan', date: '2027-03-31' }).expect(201)).body;
      await c.charityUser.as.patch(`/v1/partnerships/${c.partnershipId}/anchors/${anchor.id}`, { date: '2027-04-30' }).expect(403);
    });
  });

  it('a wipe of the queue’s Redis keys loses nothing: the reconciler rebuilds the jobs from PostgreSQL', async () => {
    const id = await framing();
    await schedule(id, { kind: 'framingDue', dueAt: inMs(2500) }).expect(201);
    await worker.drainOutbox();
    const queue = testQueue();
    try {
      await waitFor(async () => (await queue.getDelayedCount()) > 0, 5000, 'the job in Redis');
      expect(await wipeQueueKeys()).toBeGreaterThan(0);
      expect(await queue.getDelayedCount()).toBe(0);
      expect(await worker.reconcile()).toBeGreaterThan(0);
    } finally {
      await queue.close();
    }
    await waitFor(async () => (await cycle(id)).state === 'escalated', 15000, 'the cycle to escalate');
  });

  it('the sweeper settles a milestone when it comes due, even with its job gone and no reconcile yet', async () => {
    const id = await framing();
    const created = (await schedule(id, { kind: 'framingDue', dueAt: inMs(2000) }).expect(201)).body;
    await worker.drainOutbox();
    const queue = testQueue();
    try {
      await waitFor(async () => (await queue.getDelayedCount()) > 0, 5000, 'the job in Redis');
      await wipeQueueKeys();
    } finally {
      await queue.close();
    }
    await waitFor(async () => (await cycle(id)).state === 'escalated', 8000, 'the sweeper to fire it');
    expect((await milestoneOf(id, created.id)).status).toBe('fired');
  });

  it('overdue milestones fire at once when reconciled', async () => {
    const id = await framing();
    const created = await schedule(id, { kind: 'framingDue', dueAt: inMs(200) }).expect(201);
    // Lose the job before it runs, then let time pass the due date.
    await worker.drainOutbox();
    await wipeQueueKeys();
    await new Promise((r) => setTimeout(r, 500));
    if ((await milestoneOf(id, created.body.id)).status === 'scheduled') await worker.reconcile();
    await waitFor(async () => (await cycle(id)).state === 'escalated', 15000, 'the overdue milestone');
  });

  it('when retries run out the failure becomes an incident a commissioner can retry', async () => {
    const id = await framing();
    const created = await schedule(id, { kind: 'framingDue', dueAt: inMs(1500) }).expect(201);
    const milestoneId: string = created.body.id;
    // The database refuses to settle this one milestone: every attempt fails.
    const fn = `refuse_${milestoneId.replace(/-/g, '')}`;
    // (A trigger is the tables' owner's to add: the apps' role may not.)
    await asOwner(async (m) => {
      await m.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'storage refused the write'; END $$`);
      await m.query(`CREATE TRIGGER ${fn} BEFORE UPDATE ON milestones FOR EACH ROW WHEN (OLD.id = '${milestoneId}') EXECUTE FUNCTION ${fn}()`);
    });
    const logged = jest.spyOn(Logger.prototype, 'error');
    try {
      const incidents = await waitFor(
        async () => {
          const list = (await c.icbUser.as.get(`/v1/cycles/${id}/incidents`).expect(200)).body;
          return list.length > 0 && list;
        },
        15000,
        'the incident',
      );
      // Members see that it failed and the incident's id; the cause only in the worker's log.
      expect(incidents[0]).toMatchObject({ milestoneId, attempts: 2, retriedAt: null, error: expect.stringContaining(`incident ${incidents[0].id}`) });
      expect(JSON.stringify(incidents)).not.toMatch(/storage refused|trigger|refuse_/);
      expect(logged.mock.calls.map((call) => String(call[0]))).toContainEqual(expect.stringMatching(new RegExp(`Incident ${incidents[0].id}: .*storage refused the write`)));
      expect((await cycle(id)).state).toBe('framing');
      expect((await milestoneOf(id, milestoneId)).status).toBe('scheduled');
      // The reconciler leaves a milestone with an open incident alone.
      await worker.reconcile();
      await new Promise((r) => setTimeout(r, 500));
      expect((await cycle(id)).state).toBe('framing');
      await c.charityUser.as.post(`/v1/cycles/${id}/incidents/${incidents[0].id}/retry`).expect(403);
    } finally {
      logged.mockRestore();
      await asOwner(async (m) => {
        await m.query(`DROP TRIGGER ${fn} ON milestones`);
        await m.query(`DROP FUNCTION ${fn}()`);
      });
    }
    const incidentId = (await c.icbUser.as.get(`/v1/cycles/${id}/incidents`)).body[0].id;
    const retried = await c.councilUser.as.post(`/v1/cycles/${id}/incidents/${incidentId}/retry`).expect(200);
    expect(retried.body.retriedAt).toEqual(expect.any(String));
    await c.councilUser.as.post(`/v1/cycles/${id}/incidents/${incidentId}/retry`).expect(422);
    // Retried at once: a new revision, so a new job, overdue so it runs now.
    await waitFor(async () => (await cycle(id)).state === 'escalated', 15000, 'the retried milestone');
    expect((await milestoneOf(id, milestoneId)).status).toBe('fired');
  });

  it('reminders reach every participant before the milestone, once', async () => {
    const mine = await collaboration(factory);
    await mine.councilUser.as.put(`/v1/partnerships/${mine.partnershipId}/reminders`, { days: [1] }).expect(200);
    const id = await mine.newCycle();
    await ok(mine.councilUser.as, id, { type: 'LAUNCH' });
    const created = await mine.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'framingDue', dueAt: inMs(DAY + 1500) }).expect(201);
    const page = await waitFor(
      async () => {
        const p = (await mine.forumUser.as.get('/v1/me/notifications').expect(200)).body;
        return p.items.length > 0 && p;
      },
      15000,
      'the reminder',
    );
    expect(page.unread).toBe(1);
    expect(page.items[0]).toMatchObject({ kind: 'milestone-reminder', cycleId: id, read: false });
    expect(page.items[0].text).toMatch(/^Problem definition agreed for "Staying well at home this winter" in 1 day/);
    for (const u of [mine.councilUser, mine.icbUser, mine.charityUser, ...mine.panel, mine.facilitator]) {
      const items = (await u.as.get('/v1/me/notifications').expect(200)).body.items;
      expect(items.filter((n: { milestoneId: string }) => n.milestoneId === created.body.id)).toHaveLength(1);
    }
    const outsider = await factory.user(await factory.organisation('provider'));
    expect((await outsider.as.get('/v1/me/notifications')).body.items).toEqual([]);
    // A second delivery of the reminder job adds nothing.
    await worker.app.get(MilestoneJobsService).remind({ milestoneId: created.body.id, revision: 1, days: 1 });
    expect((await mine.forumUser.as.get('/v1/me/notifications')).body.items).toHaveLength(1);
    const read = await mine.forumUser.as.post(`/v1/me/notifications/${page.items[0].id}/read`).expect(200);
    expect(read.body.read).toBe(true);
    expect((await mine.forumUser.as.get('/v1/me/notifications')).body.unread).toBe(0);
    await mine.councilUser.as.post(`/v1/me/notifications/${page.items[0].id}/read`).expect(404);
  });

  describe('calendar', () => {
    it('lists anchors and milestones in time order with conflicts, and as an iCalendar feed', async () => {
      const mine = await collaboration(factory);
      const anchor = (await mine.councilUser.as.post(`/v1/partnerships/${mine.partnershipId}/anchors`, { name: 'Council budget set', date: '2027-02-24' }).expect(201)).body;
      const id = await mine.newCycle();
      await mine.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'optionsClose', dueAt: '2027-03-01T09:00:00Z' }).expect(201);
      await mine.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'decisionDue', anchorId: anchor.id, offsetDays: -7 }).expect(201);
      const cal = (await mine.forumUser.as.get(`/v1/partnerships/${mine.partnershipId}/calendar`).expect(200)).body;
      expect(cal.anchors).toEqual([{ id: anchor.id, name: 'Council budget set', date: '2027-02-24T00:00:00.000Z' }]);
      expect(cal.milestones.map((m: { kind: string }) => m.kind)).toEqual(['decisionDue', 'optionsClose']);
      expect(cal.conflicts).toEqual([expect.objectContaining({ type: 'out-of-order', cycleId: id })]);
      const outsider = await factory.user(await factory.organisation('commissioner'));
      await outsider.as.get(`/v1/partnerships/${mine.partnershipId}/calendar`).expect(404);

      const ics = await mine.forumUser.as.get(`/v1/partnerships/${mine.partnershipId}/calendar.ics`).expect(200);
      expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
      const vcalendar = new ICAL.Component(ICAL.parse(ics.text));
      const events = vcalendar.getAllSubcomponents('vevent');
      expect(events).toHaveLength(3);
      const decision = events.find((e) => String(e.getFirstPropertyValue('summary')).startsWith('Decision due'))!;
      expect(String(decision.getFirstPropertyValue('url'))).toMatch(new RegExp(`/cycles/${id}$`));
      expect(decision.getFirstPropertyValue('uid')).toMatch(/^milestone-.+@cocommission$/);

      await request(api.http).get(`/v1/partnerships/${mine.partnershipId}/calendar.ics`).expect(401);
      const token = (await mine.forumUser.as.post('/v1/me/calendar-token').expect(201)).body.token;
      await request(api.http).get(`/v1/partnerships/${mine.partnershipId}/calendar.ics?token=${token}`).expect(200);
      await request(api.http).get(`/v1/partnerships/${mine.partnershipId}/calendar.ics?token=wrong`).expect(401);
      const outsiderToken = (await outsider.as.post('/v1/me/calendar-token').expect(201)).body.token;
      await request(api.http).get(`/v1/partnerships/${mine.partnershipId}/calendar.ics?token=${outsiderToken}`).expect(404);
    });
  });

  it('two workers at once still fire each milestone once', async () => {
    const second = await createTestWorker();
    try {
      const ids = await Promise.all(Array.from({ length: 20 }, () => framing()));
      const due = inMs(1500);
      for (const id of ids) await schedule(id, { kind: 'framingDue', dueAt: due }).expect(201);
      for (const id of ids) await waitFor(async () => (await cycle(id)).state === 'escalated', 20000, `cycle ${id}`);
      const rows: { n: string }[] = await asOwner((m) => m.query(`SELECT count(*) AS n FROM cycle_history WHERE type = 'FRAMING_DUE' AND cycle_id = ANY($1::uuid[]) GROUP BY cycle_id`, [ids]));
      expect(rows.map((r) => Number(r.n))).toEqual(Array(20).fill(1));
    } finally {
      await second.close();
    }
  });
});
