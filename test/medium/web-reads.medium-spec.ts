import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, LessThan } from 'typeorm';
import { AnchorEntity, OutcomeEntity, PartnershipEntity, PartnershipMemberEntity, PartnershipsRepository, PartnershipsService, TableDeclarationEntity } from '@app/partnerships';
import type { Principal } from '@app/accounts';
import { TestApi, cycleSteps, startCollaboration, type Collaboration } from '../support';
import { type TestWeb, createWebApp } from '../support/test-web';
import { AccountsService, UserEntity, WebSessionEntity, WebSessionsService } from '@app/accounts';
import { CycleHistoryEntity, HistoryAuditService } from '@app/cycles';
import { ChoicesService } from '../../apps/web/src/http/choices.service';

/**
 * The reads behind the web app's pages, against the real PostgreSQL: each is one statement and
 * answers what TypeORM's own reads would have (the pages over HTTP are in test/e2e/web-reads).
 */
describe('the reads a web page is drawn from', () => {
  let api: TestApi;
  let web: { app: TestWeb['app'] };
  let c: Collaboration;
  let cycleId: string;
  let independentId: string;

  beforeAll(async () => {
    const started = await startCollaboration();
    api = started.api;
    c = started.c;
    // An independent facilitator's people, whom a cycle's forms also offer (two of the same name: ordered by id).
    const independent = await started.factory.organisation('facilitator');
    independentId = independent.id;
    await started.factory.user(independent, 'Indie Facilitator');
    await started.factory.user(independent, 'Indie Facilitator');
    cycleId = await c.newCycle({ title: 'Read with few statements' });
    await cycleSteps(c).toFraming(cycleId);
    web = await createWebApp();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await web?.app.close();
    await api?.close();
  });

  it('resumes a session in one plain statement, with the user and organisation TypeORM made, with or without an organisation', async () => {
    const data = web.app.get(DataSource);
    const sessions = web.app.get(WebSessionsService);
    const [admin] = await data.query(`SELECT id FROM users WHERE organisation_id IS NULL AND active ORDER BY created_at LIMIT 1`);
    for (const userId of [c.forumUser.id, admin.id]) {
      const user = await data.getRepository(UserEntity).findOneOrFail({ where: { id: userId }, relations: { organisation: true } });
      const { token } = await sessions.start(user);
      const spy = jest.spyOn(Client.prototype, 'query');
      const resumed = await sessions.resume(token);
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockRestore();
      const typeorm = await data
        .getRepository(WebSessionEntity)
        .createQueryBuilder('session')
        .innerJoinAndSelect('session.user', 'user')
        // Not read by default: the session reads it for the partnership page (when the calendar link expires).
        .addSelect('user.calendarTokenIssuedAt')
        .leftJoinAndSelect('user.organisation', 'organisation')
        .where('session.tokenHash = :hash', { hash: createHash('sha256').update(token).digest('hex') })
        .getOneOrFail();
      expect(resumed!.user).toStrictEqual(typeorm.user);
      expect(resumed!.csrfToken).toBe(typeorm.csrfToken);
      expect(typeof resumed!.unread).toBe('number');
    }
    expect(await sessions.resume('not a session')).toBeUndefined();
  });

  it('reads a cycle page’s newest history entries in one plain statement, as TypeORM would have', async () => {
    const data = web.app.get(DataSource);
    const audit = web.app.get(HistoryAuditService);
    const typeorm = (where: object) => data.getRepository(CycleHistoryEntity).find({ where: { cycleId, ...where }, order: { seq: 'DESC' }, take: 2 });
    expect(await audit.newest(cycleId, 2)).toStrictEqual(await typeorm({}));
    expect(await audit.newest(cycleId, 2, 3)).toStrictEqual(await typeorm({ seq: LessThan(3) }));
    expect((await audit.newest(cycleId, 2, 3)).map((e) => e.seq)).toEqual([2, 1]);
  });

  it('reads a partnership with its members, latest declarations, outcomes and anchors in one statement, as TypeORM would have', async () => {
    const id = c.partnershipId;
    await c.charityUser.as.put(`/v1/partnerships/${id}/table`, { on: ['Volunteers'], off: [] }).expect(200);
    await c.charityUser.as.put(`/v1/partnerships/${id}/table`, { on: ['Volunteers', 'A hall'], off: ['Reserves'] }).expect(200);
    await c.councilUser.as.put(`/v1/partnerships/${id}/table`, { on: ['Data'], off: [] }).expect(200);
    await c.councilUser.as.post(`/v1/partnerships/${id}/anchors`, { name: 'Year end', date: '2031-03-31' }).expect(201);
    await c.councilUser.as.post(`/v1/partnerships/${id}/anchors`, { name: 'Budget', date: '2031-02-20' }).expect(201);
    // Anchors on one date come in a stable order (their ids break the tie).
    await c.councilUser.as.post(`/v1/partnerships/${id}/anchors`, { name: 'Same day A', date: '2031-05-01' }).expect(201);
    await c.councilUser.as.post(`/v1/partnerships/${id}/anchors`, { name: 'Same day B', date: '2031-05-01' }).expect(201);
    const repository = web.app.get(PartnershipsRepository);
    const spy = jest.spyOn(Client.prototype, 'query');
    const loaded = await repository.load(id);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();

    const data = web.app.get(DataSource);
    const expected = {
      partnership: await data.getRepository(PartnershipEntity).findOneByOrFail({ id }),
      members: await data.getRepository(PartnershipMemberEntity).find({ where: { partnershipId: id }, relations: { organisation: true }, order: { joinedAt: 'ASC', organisationId: 'ASC' } }),
      declarations: await data
        .getRepository(TableDeclarationEntity)
        .createQueryBuilder('d')
        .distinctOn(['d.organisation_id'])
        .where('d.partnership_id = :id', { id })
        .orderBy('d.organisation_id')
        .addOrderBy('d.version', 'DESC')
        .getMany(),
      outcomes: await data.getRepository(OutcomeEntity).find({ where: { partnershipId: id }, order: { createdAt: 'ASC', id: 'ASC' } }),
      anchors: await data.getRepository(AnchorEntity).find({ where: { partnershipId: id }, order: { date: 'ASC', id: 'ASC' } }),
    };
    expect(loaded).toStrictEqual(expected);
    expect(loaded!.declarations.find((d) => d.organisationId === c.orgs.charity.id)).toMatchObject({ version: 2, on: ['Volunteers', 'A hall'], off: ['Reserves'] });
    expect(loaded!.anchors.map((a) => a.name).slice(0, 2)).toEqual(['Budget', 'Year end']);
    expect(loaded!.anchors[0].date).toBeInstanceOf(Date);
    expect(loaded!.members.length).toBeGreaterThan(3);
    expect(await repository.load('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    // A partnership with nothing but its opener, archived: empty lists, the archive's moment a Date.
    const bare = await c.councilUser.as.post('/v1/partnerships', { name: `Bare ${randomUUID()}`, memberOrganisationIds: [] }).expect(201);
    await c.councilUser.as.post(`/v1/partnerships/${bare.body.id}/archive`, {}).expect((r) => expect(r.status).toBeLessThan(300));
    const archived = await repository.load(bare.body.id);
    expect(archived).toStrictEqual({
      partnership: await data.getRepository(PartnershipEntity).findOneByOrFail({ id: bare.body.id }),
      members: await data.getRepository(PartnershipMemberEntity).find({ where: { partnershipId: bare.body.id }, relations: { organisation: true } }),
      declarations: [],
      outcomes: [],
      anchors: [],
    });
    expect(archived!.partnership.archivedAt).toBeInstanceOf(Date);
  });

  it('reads the people a cycle’s forms choose among in one statement, member by member as before', async () => {
    const aggregate = await web.app.get(PartnershipsRepository).load(c.partnershipId);
    const accounts = web.app.get(AccountsService);
    // As it was read before: each member's users apart, then the independent facilitators by name.
    const facilitators = await web.app
      .get(DataSource)
      .getRepository(UserEntity)
      .find({ where: { organisation: { kind: 'facilitator' } }, relations: { organisation: true }, order: { name: 'ASC', id: 'ASC' } });
    const before = [...(await Promise.all(aggregate!.members.map((m) => accounts.listUsers(m.organisationId)))).flat(), ...facilitators];
    const seen = new Set<string>();
    const expected = before.filter((u) => u.active && !seen.has(u.id) && seen.add(u.id)).map((u) => ({ id: u.id, organisationName: u.organisation?.name ?? '' }));
    const spy = jest.spyOn(Client.prototype, 'query');
    const choices = await web.app.get(ChoicesService).of(aggregate!);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(choices.users.map((u) => ({ id: u.id, organisationName: u.organisationName }))).toEqual(expected);
    // This suite's two (other suites of the run add facilitators of their own, some of the same name).
    const ours = facilitators.filter((u) => u.organisation?.id === independentId).map((u) => u.id);
    expect(ours).toHaveLength(2);
    expect(choices.users.filter((u) => ours.includes(u.id)).map((u) => u.id)).toEqual(ours);
    expect(expected.length).toBeGreaterThan(4);
  });

  describe('a partnership asked for by parts of one request', () => {
    afterEach(() => jest.restoreAllMocks());
    const setUp = () => ({ service: web.app.get(PartnershipsService), load: jest.spyOn(web.app.get(PartnershipsRepository), 'load') });
    /** A request's caller, as the session guard makes one for each request. */
    const caller = (organisationId = c.orgs.forum.id): Principal => ({ userId: c.forumUser.id, role: 'member', organisationId, organisationKind: 'community', generation: 0 });

    it('is read once for the asks made together, and again for an ask made after', async () => {
      const { service, load } = setUp();
      const principal = caller();
      const [a, b] = await Promise.all([service.get(principal, c.partnershipId), service.get(principal, c.partnershipId)]);
      expect(a).toBe(b);
      expect(load).toHaveBeenCalledTimes(1);
      // After the first has answered, a new read: what the request wrote in between shows.
      const anchor = await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'Budget setting', date: '2031-02-20' }).expect(201);
      const after = await service.get(principal, c.partnershipId);
      expect(load).toHaveBeenCalledTimes(2);
      expect(after.anchors.map((x) => x.id)).toContain(anchor.body.id);
    });

    it('is read apart for each request (each has a principal of its own)', async () => {
      const { service, load } = setUp();
      await Promise.all([service.get(caller(), c.partnershipId), service.get(caller(), c.partnershipId)]);
      expect(load).toHaveBeenCalledTimes(2);
    });

    it('answers who may see it from the same read, in one statement, and refuses an outsider as if it did not exist', async () => {
      const { service, load } = setUp();
      const spy = jest.spyOn(Client.prototype, 'query');
      await service.get(caller(), c.partnershipId);
      expect(spy).toHaveBeenCalledTimes(1);
      const outsider = caller('00000000-0000-4000-8000-000000000000');
      await expect(Promise.all([service.get(outsider, c.partnershipId), service.get(outsider, c.partnershipId)])).rejects.toMatchObject({ code: 'NotFound' });
      await expect(service.get(caller(), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NotFound' });
      // An independent facilitator sees no partnership; an admin sees every one.
      await expect(service.get({ ...caller(c.orgs.forum.id), organisationKind: 'facilitator' }, c.partnershipId)).rejects.toMatchObject({ code: 'NotFound' });
      await expect(service.get({ ...caller(null as unknown as string), role: 'admin', organisationId: null, organisationKind: null } as Principal, c.partnershipId)).resolves.toMatchObject({
        partnership: { id: c.partnershipId },
      });
      expect(load).toHaveBeenCalledTimes(5);
      // The answer is kept for the request's other checks: none of them reads it again.
      const principal = caller();
      await service.get(principal, c.partnershipId);
      spy.mockClear();
      await service.requireVisible(principal, c.partnershipId);
      await expect(service.requireVisible(outsider, c.partnershipId)).rejects.toMatchObject({ code: 'NotFound' });
      expect(spy).not.toHaveBeenCalled();
    });
  });
});
