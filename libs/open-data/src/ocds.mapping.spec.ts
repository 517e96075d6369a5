// Unit tests of the OCDS mapping: a cycle as a planning process, checked against the release package schema.
import { type CycleContext, startCycle } from '@app/domain';
import { codelistProblems, releasePackageValidator } from '@test/support/ocds';
import { OcdsCycle, OcdsDirectory, PackageWriter, packageHead, releaseOf } from './ocds.mapping';

const ORG = { council: 'o-council', icb: 'o-icb', charity: 'o-charity', forum: 'o-forum', mediation: 'o-mediation' };
const NAMES: Record<string, string> = {
  [ORG.council]: 'Northshire County Council',
  [ORG.icb]: 'Northshire ICB',
  [ORG.charity]: 'Age Well Northshire',
  [ORG.forum]: "Northshire Residents' Forum",
  [ORG.mediation]: 'Northshire Mediation Service',
};
const USERS: Record<string, string> = { 'u-resident': ORG.forum, 'u-officer': ORG.council, 'u-facilitator': ORG.mediation };
const directory: OcdsDirectory = { organisationName: (id) => NAMES[id], organisationOfUser: (id) => USERS[id] };

/** A fresh cycle's context (the domain's own start) with the fields an OCDS release reads. */
const context = (changes: Partial<CycleContext> = {}): CycleContext => ({
  ...startCycle({
    coOwners: [
      { organisationId: ORG.council, role: 'commissioner' },
      { organisationId: ORG.icb, role: 'commissioner' },
      { organisationId: ORG.charity, role: 'provider' },
      { organisationId: ORG.forum, role: 'community' },
    ],
    panelUserIds: ['u-resident', 'u-officer'],
    facilitatorUserIds: ['u-facilitator'],
    outcomeIds: [],
    metrics: [],
  }).context,
  pledges: [],
  actions: [],
  ...changes,
});

const cycle = (changes: Partial<OcdsCycle> = {}): OcdsCycle => ({
  id: 'c1',
  title: 'Staying well at home',
  iteration: 1,
  previousCycleId: null,
  nextCycleId: null,
  state: 'draft',
  version: 1,
  updatedAt: '2027-01-04T09:00:00.000Z',
  context: context(),
  milestones: [],
  reached: { draft: '2027-01-04T09:00:00.000Z' },
  ...changes,
});

const revision = (number: number, statement: string) => ({ number, statement, authorOrganisationId: ORG.charity, authorUserId: 'u-x', carriedForward: false, at: '2027-01-05T09:00:00.000Z' });
const validate = releasePackageValidator();
const packageOf = (...releases: ReturnType<typeof releaseOf>[]) => {
  const writer = new PackageWriter(packageHead('https://cocommission.example/v1/cycles/c1/ocds', 'https://cocommission.example'));
  return JSON.parse(writer.open() + releases.map((r) => writer.release(r)).join('') + writer.close());
};

describe('a cycle as an OCDS planning process', () => {
  it('names the process and its version; the first version is tagged planning, later ones planningUpdate', () => {
    const first = releaseOf(cycle(), directory, 'ocds-cocommission');
    expect(first).toMatchObject({ ocid: 'ocds-cocommission-c1', id: 'ocds-cocommission-c1-1', date: '2027-01-04T09:00:00.000Z', tag: ['planning'], initiationType: 'tender' });
    expect(releaseOf(cycle({ version: 7 }), directory, 'ocds-x').tag).toEqual(['planningUpdate']);
    expect(releaseOf(cycle({ version: 7 }), directory, 'ocds-x').id).toBe('ocds-x-c1-7');
  });

  it('lists organisations once each, with every role they play, and never a person', () => {
    const c = context({ pledges: [{ organisationId: ORG.council, kind: 'cash', amountPence: 4_000_000, description: 'Prevention budget', userId: 'u-officer', at: '2027-01-05T09:00:00.000Z' }] });
    const release = releaseOf(cycle({ context: c }), directory, 'ocds-cocommission');
    expect(release.parties).toEqual([
      { id: ORG.council, name: 'Northshire County Council', roles: ['buyer', 'funder', 'reviewBody'] },
      { id: ORG.icb, name: 'Northshire ICB', roles: ['buyer'] },
      { id: ORG.charity, name: 'Age Well Northshire', roles: ['interestedParty'] },
      { id: ORG.forum, name: "Northshire Residents' Forum", roles: ['interestedParty', 'reviewBody'] },
      { id: ORG.mediation, name: 'Northshire Mediation Service', roles: ['mediationBody'] },
    ]);
    const text = JSON.stringify(release);
    for (const userId of Object.keys(USERS)) expect(text).not.toContain(userId);
  });

  it('gives the agreed problem only once framing is over, and the accepted decision’s rationale', () => {
    const framing = cycle({ state: 'framing', context: context({ problem: { revisions: [revision(1, 'Too many admissions')], endorsements: [], objections: [] } }) });
    expect(releaseOf(framing, directory, 'ocds-x').planning.rationale).toBeUndefined();
    const options = { ...framing, state: 'options', reached: { ...framing.reached, options: '2027-01-10T09:00:00.000Z' } };
    expect(releaseOf(options, directory, 'ocds-x').planning.rationale).toBe('Problem (agreed revision 1): Too many admissions');
    const proposal = {
      id: 'p1',
      optionIds: ['x'],
      rationale: 'Quickest to start',
      proposedByOrganisationId: ORG.icb,
      proposedByUserId: 'u-x',
      consents: [],
      objections: [],
      at: '2027-01-20T09:00:00.000Z',
    };
    const blocked = { ...options, context: { ...options.context, proposals: [{ ...proposal, status: 'blocked' as const }] } };
    expect(releaseOf(blocked, directory, 'ocds-x').planning.rationale).not.toContain('Decision');
    const decided = { ...options, state: 'delivering', context: { ...options.context, proposals: [{ ...proposal, status: 'accepted' as const }] } };
    expect(releaseOf(decided, directory, 'ocds-x').planning.rationale).toBe('Problem (agreed revision 1): Too many admissions\n\nDecision: Quickest to start');
  });

  it('puts the cash pledged in the budget, in pounds, and what the decision allocates once it is accepted', () => {
    const pledges = [
      { organisationId: ORG.council, kind: 'cash' as const, amountPence: 4_000_050, description: 'Prevention budget', userId: 'u', at: 'x' },
      { organisationId: ORG.icb, kind: 'cash' as const, amountPence: 2_500_000, description: 'Winter money', userId: 'u', at: 'x' },
      { organisationId: ORG.charity, kind: 'in_kind' as const, amountPence: null, description: '120 volunteers', userId: 'u', at: 'x' },
    ];
    expect(releaseOf(cycle(), directory, 'ocds-x').planning.budget).toBeUndefined();
    const pledged = releaseOf(cycle({ context: context({ pledges }) }), directory, 'ocds-x').planning.budget!;
    expect(pledged.amount).toEqual({ amount: 65_000.5, currency: 'GBP' });
    expect(pledged.description.split('\n')).toEqual([
      '£65,000.50 pledged in cash by the co-owners; no decision has allocated it yet.',
      'Northshire County Council pledged £40,000.50: Prevention budget',
      'Northshire ICB pledged £25,000.00: Winter money',
      'Age Well Northshire pledged in kind: 120 volunteers',
    ]);
    const proposal = {
      id: 'p1',
      optionIds: ['a'],
      rationale: 'r',
      proposedByOrganisationId: ORG.icb,
      proposedByUserId: 'u',
      status: 'accepted' as const,
      allocations: [{ optionId: 'a', organisationId: ORG.council, amountPence: 3_000_000 }],
      consents: [],
      objections: [],
      at: 'x',
    };
    const allocated = releaseOf(cycle({ context: context({ pledges, proposals: [proposal] }) }), directory, 'ocds-x').planning.budget!;
    expect(allocated.amount).toEqual({ amount: 30_000, currency: 'GBP' });
    expect(allocated.description).toMatch(/^£30,000\.00 of the £65,000\.50 pledged in cash is allocated by the decision to its chosen options\./);
  });

  it('says of each milestone whether the cycle got there (and when), missed it or has it to come; cancelled ones are left out unless met', () => {
    const m = (id: string, kind: string, status: string) => ({ id, kind, dueAt: '2027-02-01T09:00:00.000Z', status });
    const release = releaseOf(
      cycle({
        state: 'escalated',
        milestones: [
          m('m0', 'framingDue', 'cancelled'),
          m('m1', 'framingDue', 'moot'),
          m('m2', 'optionsClose', 'fired'),
          m('m3', 'decisionDue', 'scheduled'),
          m('m4', 'reviewStart', 'cancelled'),
          m('m5', 'reviewDue', 'scheduled'),
        ],
        reached: { draft: 'a', framing: 'b', options: '2027-01-20T10:00:00.000Z', escalated: 'd' },
      }),
      directory,
      'ocds-x',
    );
    expect(release.planning.milestones).toEqual([
      { id: 'm0', title: 'Problem definition agreed', type: 'preProcurement', dueDate: '2027-02-01T09:00:00.000Z', status: 'met', dateMet: '2027-01-20T10:00:00.000Z' },
      { id: 'm1', title: 'Problem definition agreed', type: 'preProcurement', dueDate: '2027-02-01T09:00:00.000Z', status: 'met', dateMet: '2027-01-20T10:00:00.000Z' },
      { id: 'm2', title: 'Options window closes', type: 'engagement', dueDate: '2027-02-01T09:00:00.000Z', status: 'notMet' },
      { id: 'm3', title: 'Decision due', type: 'approval', dueDate: '2027-02-01T09:00:00.000Z', status: 'scheduled' },
      { id: 'm5', title: 'Learning review due', type: 'reporting', dueDate: '2027-02-01T09:00:00.000Z', status: 'scheduled' },
    ]);
  });

  it('is planning before a decision, planned after, cancelled with its reason', () => {
    expect(releaseOf(cycle(), directory, 'ocds-x').tender).toEqual({ id: 'ocds-x-c1-tender', title: 'Staying well at home', status: 'planning' });
    const accepted = { id: 'p', optionIds: [], rationale: 'r', proposedByOrganisationId: ORG.icb, proposedByUserId: 'u', status: 'accepted' as const, consents: [], objections: [], at: 'x' };
    expect(releaseOf(cycle({ state: 'closed', context: context({ proposals: [accepted] }) }), directory, 'ocds-x').tender.status).toBe('planned');
    const cancelled = cycle({ state: 'cancelled', context: context({ cancellation: { reason: 'Funding moved', userId: 'u', organisationId: ORG.council, at: 'x' } }) });
    expect(releaseOf(cancelled, directory, 'ocds-x').tender).toMatchObject({ status: 'cancelled', description: 'Cancelled by its commissioners: Funding moved' });
  });

  it('links iterations: the previous one as prior, the next one as its renewal', () => {
    const release = releaseOf(cycle({ iteration: 2, previousCycleId: 'c0', nextCycleId: 'c2' }), directory, 'ocds-x');
    expect(release.relatedProcesses).toEqual([
      { id: 'previous-iteration', relationship: ['prior'], title: 'Iteration 1', scheme: 'ocid', identifier: 'ocds-x-c0' },
      { id: 'next-iteration', relationship: ['renewalProcess'], title: 'Iteration 3', scheme: 'ocid', identifier: 'ocds-x-c2' },
    ]);
    expect(releaseOf(cycle(), directory, 'ocds-x').relatedProcesses).toBeUndefined();
  });

  it('writes a package the official schemas accept, with codes from the codelists, newest release date as publishedDate', () => {
    const full = cycle({
      iteration: 2,
      previousCycleId: 'c0',
      state: 'options',
      version: 5,
      updatedAt: '2027-02-01T09:00:00.000Z',
      context: context({
        problem: { revisions: [revision(1, 'p')], endorsements: [], objections: [] },
        pledges: [{ organisationId: ORG.icb, kind: 'cash', amountPence: 100, description: 'd', userId: 'u', at: 'x' }],
      }),
      milestones: [{ id: 'm1', kind: 'framingDue', dueAt: '2027-02-01T09:00:00.000Z', status: 'moot' }],
      reached: { options: '2027-01-20T10:00:00.000Z' },
    });
    const pkg = packageOf(releaseOf(cycle(), directory, 'ocds-x'), releaseOf(full, directory, 'ocds-x'));
    expect(validate(pkg)).toEqual([]);
    expect(codelistProblems(pkg)).toEqual([]);
    expect(pkg).toMatchObject({ version: '1.1', publishedDate: '2027-02-01T09:00:00.000Z', publisher: { name: 'Cocommission' } });
    expect(validate(packageOf())).toEqual([]);
    // The validator does refuse: a release without its ocid, money in a currency ISO 4217 does not have.
    const broken = JSON.parse(JSON.stringify(pkg));
    delete broken.releases[1].ocid;
    broken.releases[1].planning.budget.amount.currency = 'ZZZ';
    expect(validate(broken).map((e) => `${e.instancePath} ${e.message}`)).toEqual(
      expect.arrayContaining(["/releases/1 must have required property 'ocid'", '/releases/1/planning/budget/amount/currency must be equal to one of the allowed values']),
    );
    expect(packageOf().publishedDate).toBeUndefined();
  });
});
