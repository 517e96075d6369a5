import { CycleViewsRepository } from '@app/cycles/cycle-views.repository';
import { CycleWritesRepository } from '@app/cycles/cycle-writes.repository';
import { CycleStore } from '@app/cycles/cycle-store';
import { Agent, Collaboration, Factory, TestApi, agent, asOwner, collaboration, createTestApi, cycleSteps, fromNow } from '@test/support';

/** A statement behind the apps' back, as the tables' owner (what another process, or an operator, would do). */
const sql = (text: string, params?: unknown[]) => asOwner((m) => m.query(text, params));

/**
 * A process answers events on the cycles it last wrote from what it holds (CycleStore), without
 * reading them again: watched at its repositories, and checked against fresh reads over HTTP.
 */
describe('cycles held by the process that wrote them', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
  });
  afterAll(() => api.close());

  const steps = () => cycleSteps(c);
  const ok = (as: Agent, id: string, body: object) => steps().ok(as, id, body);
  const toFraming = (id: string) => steps().toFraming(id);
  const toDelivering = (id: string) => steps().toDelivering(id);

  describe('events to a cycle this process last wrote (decided on it, not read again)', () => {
    const progress = (note: string, of = c) => ({ type: 'RECORD_PROGRESS', note, readings: [{ metric: of.outcome.metrics[0].id, value: 3 }] });
    const reads = () => jest.spyOn(api.app.get(CycleViewsRepository), 'view');

    it('answer exactly what a fresh read shows, without reading the cycle first', async () => {
      const id = await c.newCycle();
      await toDelivering(id);
      await ok(c.charityUser.as, id, progress('First'));
      const spy = reads();
      try {
        const answer = await ok(c.charityUser.as, id, progress('Second'));
        const minimal = await c.forumUser.as.post(`/v1/cycles/${id}/events`, progress('Third')).set('Prefer', 'return=minimal').expect(200);
        expect(spy).not.toHaveBeenCalled();
        expect(answer).toMatchObject({ state: 'delivering', progressCount: 2 });
        expect(answer.progress.map((p: { note: string }) => p.note).slice(-2)).toEqual(['First', 'Second']);
        spy.mockRestore();
        const fresh = (await c.forumUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
        expect(minimal.body).toEqual({ id, state: 'delivering', version: fresh.version, nextEvents: fresh.nextEvents });
        const again = await ok(c.charityUser.as, id, progress('Fourth'));
        const after = (await c.charityUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
        expect(again).toEqual(after);
        expect(after.progressCount).toBe(4);
        expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
      } finally {
        spy.mockRestore();
      }
    });

    it('send only the texts the event writes (a statement written by the event before is not written again)', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      const revised = await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Held with its statement' });
      const writes = jest.spyOn(api.app.get(CycleWritesRepository), 'writeBatched');
      try {
        const endorsed = await ok(c.councilUser.as, id, { type: 'ENDORSE_PROBLEM', revision: revised.problem.latestRevision });
        expect(writes).toHaveBeenCalledTimes(1);
        const { head } = writes.mock.calls[0][0];
        expect(head.snapshot).toBeDefined();
        expect(head.texts ?? {}).toEqual({});
        expect(endorsed.problem.revisions.at(-1).statement).toBe('Held with its statement');
        expect(endorsed).toEqual((await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body);
      } finally {
        writes.mockRestore();
      }
    });

    it('of a cycle with long earlier texts hold only those its view shows: minimal and default answers skip the read, ?view=full reads them', async () => {
      const id = await c.newCycle();
      await toFraming(id);
      // Eight statements of 20,000 characters: more text than a cycle is held with, but its view shows only the latest.
      for (let i = 0; i < 8; i++) await ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: `${i} `.padEnd(20_000, 'long statement ') });
      const spy = reads();
      try {
        const minimal = await c.forumUser.as.post(`/v1/cycles/${id}/events`, { type: 'OBJECT_PROBLEM', revision: 9, reason: 'Too long to read' }).set('Prefer', 'return=minimal').expect(200);
        expect(spy).not.toHaveBeenCalled();
        const shown = await ok(c.charityUser.as, id, { type: 'OBJECT_PROBLEM', revision: 9, reason: 'Still too long' });
        expect(spy).not.toHaveBeenCalled();
        expect(shown.version).toBe(minimal.body.version + 1);
        expect(shown.problem.revisions.map((r: { number: number; statement: string }) => [r.number, r.statement.slice(0, 2), r.statement.length])).toEqual([[9, '7 ', 20_000]]);
        const full = (await c.councilUser.as.post(`/v1/cycles/${id}/events?view=full`, { type: 'ENDORSE_PROBLEM', revision: 9 }).expect(200)).body;
        expect(spy).toHaveBeenCalledTimes(1);
        expect(full.problem.revisions.slice(1).map((r: { statement: string }) => [r.statement.slice(0, 2), r.statement.length])).toEqual(Array.from({ length: 8 }, (_, i) => [`${i} `, 20_000]));
        spy.mockRestore();
        expect(full).toEqual((await c.councilUser.as.get(`/v1/cycles/${id}?view=full`).expect(200)).body);
      } finally {
        spy.mockRestore();
      }
    });

    it('of a cycle with long options answer progress updates with the options JSON kept from the version before, made again once the snapshot moves', async () => {
      const id = await c.newCycle();
      await steps().toOptions(id);
      const long = await ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: 'Long', summary: 'A long summary. '.repeat(1200), coAuthorOrganisationIds: [] });
      await ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: 'Short', summary: 'Weekly calls', coAuthorOrganisationIds: [] });
      await ok(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' });
      const proposed = await ok(c.icbUser.as, id, { type: 'PROPOSE_DECISION', optionIds: [long.options[0].id], rationale: 'Its reach' });
      for (const u of c.coOwners) await ok(u.as, id, { type: 'CONSENT', proposalId: proposed.decision.proposals[0].id });
      await ok(c.charityUser.as, id, progress('First'));
      const store = api.app.get(CycleStore);
      const keeps = jest.spyOn(store, 'keep');
      const jsonKept = () => keeps.mock.calls.filter(([, , parts]) => parts.json !== undefined).length;
      try {
        const answers = [await ok(c.charityUser.as, id, progress('Second')), await ok(c.forumUser.as, id, progress('Third'))];
        expect(jsonKept()).toBe(0);
        expect(store.get(id)?.parts.json?.options).toBeDefined();
        expect(answers[1].options.map((o: { summary: string }) => o.summary.length)).toEqual([19_200, 12]);
        expect(answers[1]).toEqual((await c.forumUser.as.get(`/v1/cycles/${id}`).expect(200)).body);
        const acted = await ok(c.councilUser.as, id, { type: 'ADD_ACTION', title: 'Call the next ward', ownerOrganisationId: c.orgs.council.id, dueAt: fromNow(30 * 86_400_000) });
        expect(jsonKept()).toBe(1);
        expect(acted.actions.map((a: { title: string }) => a.title)).toEqual(['Call the next ward']);
        expect(acted).toEqual((await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body);
      } finally {
        keeps.mockRestore();
      }
    });

    it('show a milestone settled elsewhere meanwhile (its status moves no version)', async () => {
      const id = await c.newCycle();
      await toDelivering(id);
      const milestone = (await c.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind: 'reviewDue', dueAt: fromNow(90 * 86_400_000) }).expect(201)).body;
      await ok(c.charityUser.as, id, progress('Held now'));
      await sql(`UPDATE milestones SET status = 'moot' WHERE id = $1`, [milestone.id]);
      const answer = await ok(c.charityUser.as, id, progress('After the milestone'));
      expect(answer.milestones.find((m: { id: string }) => m.id === milestone.id).status).toBe('moot');
    });

    it('are refused as a read would refuse them when the partnership was archived or the organisation left it meanwhile, and change nothing', async () => {
      const own = await collaboration(factory);
      const ownSteps = cycleSteps(own);
      const id = await own.newCycle();
      await ownSteps.toDelivering(id);
      await ownSteps.ok(own.charityUser.as, id, progress('Held now', own));
      const version = (await own.charityUser.as.get(`/v1/cycles/${id}`).expect(200)).body.version;
      // As another process would leave them, without touching the cycle.
      await sql('UPDATE partnerships SET archived_at = now() WHERE id = $1', [own.partnershipId]);
      const archived = await own.charityUser.as.post(`/v1/cycles/${id}/events`, progress('Too late', own)).expect(409);
      expect(archived.body.detail).toContain('archived');
      await sql('UPDATE partnerships SET archived_at = NULL WHERE id = $1', [own.partnershipId]);
      expect((await own.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body.version).toBe(version);
      // Held again, then the organisation leaves.
      await ownSteps.ok(own.charityUser.as, id, progress('Held again', own));
      await sql('DELETE FROM partnership_members WHERE partnership_id = $1 AND organisation_id = $2', [own.partnershipId, own.orgs.charity.id]);
      await own.charityUser.as.post(`/v1/cycles/${id}/events`, progress('Not a member', own)).expect(404);
      expect((await own.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body.version).toBe(version + 1);
    });

    it('are decided again on the cycle as it is when another process wrote it meanwhile', async () => {
      const id = await c.newCycle();
      await toDelivering(id);
      await ok(c.charityUser.as, id, progress('Held here'));
      const other = await createTestApi();
      try {
        await agent(other.http, c.forumUser.as.token).post(`/v1/cycles/${id}/events`, progress('From the other process')).expect(200);
      } finally {
        await other.close();
      }
      const answer = await ok(c.charityUser.as, id, progress('Here again'));
      expect(answer.progress.map((p: { note: string }) => p.note).slice(-3)).toEqual(['Held here', 'From the other process', 'Here again']);
      expect(answer).toEqual((await c.charityUser.as.get(`/v1/cycles/${id}`).expect(200)).body);
      // With If-Match on the version this process held: the cycle moved on, 409.
      await c.charityUser.as
        .post(`/v1/cycles/${id}/events`, progress('Stale'))
        .set('If-Match', `"${answer.version - 1}"`)
        .expect(409);
      expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
    });
  });
});
