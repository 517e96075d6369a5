import { CycleQueriesService } from '@app/cycles';
import { OCDS_PAGE_SIZE } from '@app/open-data';
import { Collaboration, Factory, TestApi, asOwner, collaboration, cycleSteps, fromNow, startCollaboration } from '@test/support';
import { cloneCycles, codelistProblems, releasePackageValidator } from '@test/support/ocds';

const DAY = 86_400_000;
const PREFIX = 'ocds-cocommission';

interface Release {
  ocid: string;
  id: string;
  date: string;
  tag: string[];
  parties: { id: string; name: string; roles: string[] }[];
  planning: {
    rationale?: string;
    budget?: { amount: { amount: number; currency: string }; description: string };
    milestones?: { id: string; type: string; status: string; dueDate: string; dateMet?: string }[];
  };
  tender: { id: string; status: string; title: string };
  relatedProcesses?: { relationship: string[]; scheme: string; identifier: string }[];
}
interface Package {
  version: string;
  uri: string;
  publishedDate?: string;
  releases: Release[];
}

/** Open data over HTTP: each cycle and each partnership as OCDS 1.1, checked against the official schemas. */
describe('open data (OCDS)', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;
  const validate = releasePackageValidator();
  /** Every OCDS document this file fetched, to look for people in. */
  const fetched: string[] = [];

  beforeAll(async () => ({ api, factory, c, steps } = await startCollaboration()));
  afterAll(() => api.close());

  const fetchPackage = async (path: string, as = c.councilUser.as): Promise<Package> => {
    const res = await as.get(path).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    fetched.push(res.text);
    const pkg = JSON.parse(res.text) as Package;
    expect(validate(pkg)).toEqual([]);
    expect(codelistProblems(pkg as never)).toEqual([]);
    return pkg;
  };
  const releaseOfCycle = async (id: string): Promise<Release> => {
    const pkg = await fetchPackage(`/v1/cycles/${id}/ocds`);
    expect(pkg).toMatchObject({ version: '1.1', uri: expect.stringMatching(new RegExp(`/v1/cycles/${id}/ocds$`)) });
    expect(pkg.releases).toHaveLength(1);
    const [release] = pkg.releases;
    const view = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
    expect(release).toMatchObject({ ocid: `${PREFIX}-${id}`, id: `${PREFIX}-${id}-${view.version}`, date: view.updatedAt, tag: [view.version === 1 ? 'planning' : 'planningUpdate'] });
    expect(pkg.publishedDate).toBe(view.updatedAt);
    return release;
  };
  /** When the cycle first entered a state, from its history. */
  const enteredAt = async (id: string, state: string): Promise<string> => {
    const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body as { toState: string; at: string }[];
    return history.find((h) => h.toState === state)!.at;
  };
  const roles = (release: Release) => Object.fromEntries(release.parties.map((p) => [p.name, p.roles]));

  const ids: Record<string, string> = {};

  it('publishes a cycle in every state the machine reaches, and two iterations linked, each valid OCDS 1.1', async () => {
    // Draft: commissioners as buyers, providers and the community as interested parties, the panel's
    // organisations as review bodies, the facilitator's as mediation body; a pledge makes a funder.
    ids.draft = await c.newCycle({ title: 'Draft' });
    await steps.ok(c.councilUser.as, ids.draft, { type: 'PLEDGE', kind: 'cash', amountPence: 1_250_050, description: 'Prevention budget' });
    let release = await releaseOfCycle(ids.draft);
    expect(roles(release)).toEqual({
      'Northshire County Council': ['buyer', 'funder', 'reviewBody'],
      'Northshire ICB': ['buyer'],
      'Age Well Northshire': ['interestedParty'],
      "Northshire Residents' Forum": ['interestedParty', 'reviewBody'],
      'Northshire Lived Experience Network': ['reviewBody'],
      'Northshire Mediation Service': ['mediationBody'],
    });
    expect(release.parties.find((p) => p.name === 'Northshire ICB')!.id).toBe(c.orgs.icb.id);
    expect(release.planning.budget!.amount).toEqual({ amount: 12_500.5, currency: 'GBP' });
    expect(release.planning.rationale).toBeUndefined();
    expect(release.tender).toEqual({ id: `${PREFIX}-${ids.draft}-tender`, title: 'Draft', status: 'planning' });

    ids.framing = await c.newCycle({ title: 'Framing' });
    await steps.toFraming(ids.framing);
    release = await releaseOfCycle(ids.framing);
    expect(release.planning.rationale).toBeUndefined();
    expect(release.tender.status).toBe('planning');

    ids.options = await c.newCycle({ title: 'Options' });
    await steps.toOptions(ids.options);
    release = await releaseOfCycle(ids.options);
    expect(release.planning.rationale).toBe('Problem (agreed revision 1): Too many older people are admitted to hospital in winter.');

    ids.deciding = await c.newCycle({ title: 'Deciding' });
    await steps.toDeciding(ids.deciding);
    expect((await releaseOfCycle(ids.deciding)).tender.status).toBe('planning');

    ids.delivering = await c.newCycle({ title: 'Delivering' });
    await steps.toDelivering(ids.delivering);
    release = await releaseOfCycle(ids.delivering);
    expect(release.tender.status).toBe('planned');
    expect(release.planning.rationale).toMatch(/\n\nDecision: Quickest to start$/);

    ids.reviewing = await c.newCycle({ title: 'Reviewing' });
    await steps.toReviewing(ids.reviewing);
    expect((await releaseOfCycle(ids.reviewing)).tender.status).toBe('planned');

    ids.escalated = await c.newCycle({ title: 'Escalated' });
    await steps.toFraming(ids.escalated);
    await steps.ok(c.forumUser.as, ids.escalated, { type: 'ESCALATE', reason: 'The council wants to decide alone' });
    expect((await releaseOfCycle(ids.escalated)).tender.status).toBe('planning');

    ids.cancelled = await c.newCycle({ title: 'Cancelled' });
    await steps.toFraming(ids.cancelled);
    await steps.ok(c.icbUser.as, ids.cancelled, { type: 'CANCEL', reason: 'Funding moved to the new unitary' });
    expect((await releaseOfCycle(ids.cancelled)).tender).toMatchObject({ status: 'cancelled' });

    // Closed, with its milestones met on the way and money allocated by the decision; iteration 2 follows.
    const id = (ids.closed = await c.newCycle({ title: 'Closed' }));
    const kinds = ['framingDue', 'optionsClose', 'decisionDue', 'reviewStart', 'reviewDue'];
    const milestoneIds: string[] = [];
    for (const [i, kind] of kinds.entries()) {
      milestoneIds.push((await c.councilUser.as.post(`/v1/cycles/${id}/milestones`, { kind, dueAt: fromNow((i + 1) * 30 * DAY) }).expect(201)).body.id);
    }
    release = await releaseOfCycle(id);
    expect(release.planning.milestones!.map((m) => [m.id, m.type, m.status])).toEqual([
      [milestoneIds[0], 'preProcurement', 'scheduled'],
      [milestoneIds[1], 'engagement', 'scheduled'],
      [milestoneIds[2], 'approval', 'scheduled'],
      [milestoneIds[3], 'assessment', 'scheduled'],
      [milestoneIds[4], 'reporting', 'scheduled'],
    ]);
    await steps.toFraming(id);
    await steps.ok(c.icbUser.as, id, { type: 'PLEDGE', kind: 'cash', amountPence: 3_000_000, description: 'Winter pressures money' });
    await steps.ok(c.charityUser.as, id, { type: 'PLEDGE', kind: 'in_kind', description: '120 trained volunteers' });
    for (const u of c.coOwners) await steps.ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    release = await releaseOfCycle(id);
    expect(release.planning.milestones![0]).toMatchObject({ status: 'met', dateMet: await enteredAt(id, 'options') });
    expect(release.planning.milestones![1]).toMatchObject({ status: 'scheduled' });
    const option = (await steps.ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: 'Winter calls', summary: 'Weekly calls', estimatedCostPence: 4_000_000 })).options[0].id;
    await steps.ok(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' });
    const proposed = await steps.ok(c.icbUser.as, id, {
      type: 'PROPOSE_DECISION',
      optionIds: [option],
      rationale: 'Calls reach people living alone',
      allocations: [{ optionId: option, organisationId: c.orgs.icb.id, amountPence: 2_000_000 }],
    });
    for (const u of c.coOwners) await steps.ok(u.as, id, { type: 'CONSENT', proposalId: proposed.decision.proposals[0].id });
    await steps.ok(c.councilUser.as, id, { type: 'START_REVIEW' });
    await steps.ok(c.panel[0].as, id, { type: 'RECORD_LEARNING', insight: 'Men living alone were missed', recommendation: 'adapt' });
    await steps.ok(c.panel[0].as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
    await steps.ok(c.panel[1].as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
    const closed = await steps.ok(c.panel[2].as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    expect(closed.state).toBe('closed');
    ids.next = closed.nextCycleId;

    release = await releaseOfCycle(id);
    expect(release.tender.status).toBe('planned');
    expect(release.planning.rationale).toBe('Problem (agreed revision 1): Too many older people are admitted to hospital in winter.\n\nDecision: Calls reach people living alone');
    expect(release.planning.budget!.amount).toEqual({ amount: 20_000, currency: 'GBP' });
    expect(release.planning.budget!.description.split('\n')).toEqual([
      '£20,000.00 of the £30,000.00 pledged in cash is allocated by the decision to its chosen options.',
      'Northshire ICB pledged £30,000.00: Winter pressures money',
      'Age Well Northshire pledged in kind: 120 trained volunteers',
    ]);
    expect(roles(release)['Northshire ICB']).toEqual(['buyer', 'funder']);
    const metOn = ['options', 'deciding', 'delivering', 'reviewing', 'closed'];
    for (const [i, m] of release.planning.milestones!.entries()) expect(m).toMatchObject({ status: 'met', dateMet: await enteredAt(id, metOn[i]) });
    expect(release.relatedProcesses).toEqual([{ id: 'next-iteration', relationship: ['renewalProcess'], title: 'Iteration 2', scheme: 'ocid', identifier: `${PREFIX}-${ids.next}` }]);

    // Iteration 2: in draft, pointing back at iteration 1 as its prior process; the agreed problem carried forward is not yet agreed again.
    release = await releaseOfCycle(ids.next);
    expect(release.tag).toEqual(['planning']);
    expect(release.relatedProcesses).toEqual([{ id: 'previous-iteration', relationship: ['prior'], title: 'Iteration 1', scheme: 'ocid', identifier: `${PREFIX}-${id}` }]);
    expect(release.planning.rationale).toBeUndefined();
  });

  it('publishes the partnership: one release per cycle, oldest first, streamed', async () => {
    const res = await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/ocds`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    // Written as it is read: no length known up front.
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
    fetched.push(res.text);
    const pkg = JSON.parse(res.text) as Package;
    expect(validate(pkg)).toEqual([]);
    expect(codelistProblems(pkg as never)).toEqual([]);
    const order = (await c.councilUser.as.get(`/v1/cycles?partnershipId=${c.partnershipId}&limit=100`).expect(200)).body.items.map((x: { id: string }) => x.id).reverse();
    expect(pkg.releases.map((r) => r.ocid)).toEqual(order.map((id: string) => `${PREFIX}-${id}`));
    expect(new Set(Object.values(ids).map((id) => `${PREFIX}-${id}`))).toEqual(new Set(pkg.releases.map((r) => r.ocid)));
    expect(new Set(pkg.releases.map((r) => r.id)).size).toBe(pkg.releases.length);
    expect(pkg.publishedDate).toBe(
      pkg.releases
        .map((r) => r.date)
        .sort()
        .at(-1),
    );
    // Each release is the one the cycle's own package has (read a page at a time, from what is published of each context).
    for (const id of Object.values(ids)) {
      const own = JSON.parse((await c.councilUser.as.get(`/v1/cycles/${id}/ocds`).expect(200)).text) as Package;
      expect(pkg.releases.find((r) => r.ocid === `${PREFIX}-${id}`)).toEqual(own.releases[0]);
    }
  });

  it('names organisations only: no person’s name, email or id appears anywhere', async () => {
    const users = (await factory.admin.get('/v1/users').expect(200)).body as { id: string; name: string; email: string }[];
    const people = [c.councilUser, c.icbUser, c.charityUser, c.forumUser, c.facilitator, ...c.panel].map((u) => users.find((x) => x.id === u.id)!);
    expect(people.every(Boolean)).toBe(true);
    expect(fetched.length).toBeGreaterThan(10);
    for (const text of fetched) {
      for (const person of people) {
        expect(text).not.toContain(person.name);
        expect(text).not.toContain(person.email);
        expect(text).not.toContain(person.id);
      }
    }
  });

  it('refuses a package the standard refuses: the validator is not a rubber stamp', async () => {
    const pkg = JSON.parse(fetched[0]) as Package;
    delete (pkg.releases[0] as Partial<Release>).ocid;
    pkg.releases[0].planning.budget!.amount.currency = 'ZZZ';
    pkg.releases[0].tender.status = 'thinking';
    const errors = validate(pkg).map((e) => `${e.instancePath} ${e.message}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        "/releases/0 must have required property 'ocid'",
        '/releases/0/planning/budget/amount/currency must be equal to one of the allowed values',
        '/releases/0/tender/status must be equal to one of the allowed values',
      ]),
    );
    expect(codelistProblems(pkg as never)).toEqual(['tender.status: thinking']);
  });

  it('is in the OpenAPI document, as JSON, for bearer tokens', async () => {
    const doc = (await factory.anonymous().get('/docs-json').expect(200)).body;
    for (const path of ['/v1/cycles/{id}/ocds', '/v1/partnerships/{id}/ocds']) {
      const get = doc.paths[path].get;
      expect(get.tags).toEqual(['open data']);
      expect(get.security).toEqual([{ bearer: [] }]);
      expect(get.responses['200'].content['application/json'].schema.required).toEqual(['version', 'releases']);
    }
  });

  it('shows each package to whoever may read the cycle or the partnership: 404 for others, 401 without a token', async () => {
    const outsider = await factory.user(await factory.organisation('commissioner'));
    await outsider.as
      .get(`/v1/cycles/${ids.draft}/ocds`)
      .expect(404)
      .expect('content-type', /problem\+json/);
    await outsider.as
      .get(`/v1/partnerships/${c.partnershipId}/ocds`)
      .expect(404)
      .expect('content-type', /problem\+json/);
    await c.councilUser.as.get('/v1/cycles/7f1c6a7e-0000-4000-8000-000000000000/ocds').expect(404);
    await c.councilUser.as.get('/v1/cycles/not-an-id/ocds').expect(404);
    await c.councilUser.as.get('/v1/partnerships/not-an-id/ocds').expect(404);
    await factory
      .anonymous()
      .get(`/v1/cycles/${ids.draft}/ocds`)
      .expect(401)
      .expect('content-type', /problem\+json/);
    await factory.anonymous().get(`/v1/partnerships/${c.partnershipId}/ocds`).expect(401);
    // An admin reads everything; a panel member of another organisation reads its partnership's cycles.
    await fetchPackage(`/v1/partnerships/${c.partnershipId}/ocds`, factory.admin);
    await fetchPackage(`/v1/cycles/${ids.draft}/ocds`, c.panel[1].as);
  });

  it('streams a partnership of 300 cycles a page at a time, each page after the last one’s cursor', async () => {
    const big = await collaboration(factory);
    const source = await big.newCycle({ title: 'Many' });
    await cycleSteps(big).toDelivering(source);
    // Copies made behind the API, as the tables' owner: 299 cycles through the API would take minutes.
    await asOwner((m) => cloneCycles(m, source, 299));
    const queries = api.app.get(CycleQueriesService);
    const pages = jest.spyOn(queries, 'exportPage');
    try {
      const pkg = await fetchPackage(`/v1/partnerships/${big.partnershipId}/ocds`, big.councilUser.as);
      expect(pkg.releases).toHaveLength(300);
      expect(new Set(pkg.releases.map((r) => r.ocid)).size).toBe(300);
      expect(pkg.releases[0].ocid).toBe(`${PREFIX}-${source}`);
      // 300 cycles in pages of OCDS_PAGE_SIZE: 100, 100, 100 and an empty one; each page starts after the last cycle of the one before.
      const calls = pages.mock.calls.filter(([partnershipId]) => partnershipId === big.partnershipId);
      expect(calls.map(([, , limit]) => limit)).toEqual([OCDS_PAGE_SIZE, OCDS_PAGE_SIZE, OCDS_PAGE_SIZE, OCDS_PAGE_SIZE]);
      const results = await Promise.all(pages.mock.results.slice(-calls.length).map((r) => r.value));
      expect(results.map((r) => r.items.length)).toEqual([100, 100, 100, 0]);
      expect(calls[0][1]).toBeUndefined();
      for (let i = 1; i < calls.length; i++) expect(calls[i][1]).toEqual(results[i - 1].next);
      expect(results[2].items.at(-1).id).toBe(calls[3][1]!.id);
    } finally {
      pages.mockRestore();
    }
  });
});
