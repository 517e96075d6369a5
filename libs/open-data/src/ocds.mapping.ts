/**
 * A cycle as an Open Contracting Data Standard 1.1 planning process: pure data in, one release
 * out. Nothing of Nest or TypeORM; the service reads the data and the names, this decides what
 * OCDS says. Organisations only, never people: users appear only as the organisation they act
 * for (panel members as a review body, facilitators as a mediation body).
 */
import { formatPence } from '@app/domain';
import type { CycleContext, CycleState } from '@app/domain';
import type { CycleExportRow } from '@app/cycles';

export const OCDS_VERSION = '1.1';

/**
 * What the mapping needs of a cycle: the head of an export row (one release per version has its
 * own id), its dates as ISO 8601 instants.
 */
export interface OcdsCycle extends Pick<CycleExportRow, 'id' | 'title' | 'iteration' | 'previousCycleId' | 'nextCycleId' | 'state' | 'version'> {
  /** The cycle's last change. */
  updatedAt: string;
  context: OcdsContext;
  milestones: { id: string; kind: string; dueAt: string; status: string }[];
  /** When the cycle first entered each state it has been in. */
  reached: Partial<Record<string, string>>;
}

/** What the mapping reads of a cycle's context (a whole context will do). */
export type OcdsContext = Pick<CycleContext, 'coOwners' | 'panelUserIds' | 'facilitatorUserIds' | 'pledges' | 'cancellation' | 'proposals'> & {
  problem: Pick<CycleContext['problem'], 'revisions'>;
};

/** Names and affiliations the release needs: organisations by id, and the organisation each user acts for. */
export interface OcdsDirectory {
  organisationName(organisationId: string): string | undefined;
  organisationOfUser(userId: string): string | undefined;
}

export interface OcdsParty {
  id: string;
  name: string;
  roles: PartyRole[];
}

export interface OcdsValue {
  amount: number;
  currency: 'GBP';
}

export interface OcdsMilestone {
  id: string;
  title: string;
  type: MilestoneType;
  dueDate: string;
  status: MilestoneStatus;
  dateMet?: string;
}

export interface OcdsRelatedProcess {
  id: string;
  relationship: RelatedProcessCode[];
  title: string;
  scheme: 'ocid';
  identifier: string;
}

export interface OcdsRelease {
  ocid: string;
  id: string;
  date: string;
  tag: ('planning' | 'planningUpdate')[];
  initiationType: 'tender';
  language: 'en';
  parties: OcdsParty[];
  planning: {
    rationale?: string;
    budget?: { description: string; amount: OcdsValue };
    milestones?: OcdsMilestone[];
  };
  tender: { id: string; title: string; status: TenderStatus; description?: string };
  relatedProcesses?: OcdsRelatedProcess[];
}

/** The codes used, each from its OCDS 1.1 codelist (codelists/*.csv of the standard). */
export type PartyRole = 'buyer' | 'funder' | 'reviewBody' | 'interestedParty' | 'mediationBody';
export type MilestoneType = 'preProcurement' | 'engagement' | 'approval' | 'assessment' | 'reporting';
export type MilestoneStatus = 'scheduled' | 'met' | 'notMet';
export type TenderStatus = 'planning' | 'planned' | 'cancelled';
export type RelatedProcessCode = 'prior' | 'renewalProcess';

/** Roles in the order a party lists them. */
const ROLE_ORDER: PartyRole[] = ['buyer', 'funder', 'interestedParty', 'reviewBody', 'mediationBody'];

/**
 * Each milestone kind: its OCDS type, its title, and the state whose first entry means it was met
 * (the problem agreed: options open; options closed: deciding; the decision made: delivering…).
 */
const MILESTONES: Record<string, { type: MilestoneType; title: string; metOn: CycleState }> = {
  framingDue: { type: 'preProcurement', title: 'Problem definition agreed', metOn: 'options' },
  optionsClose: { type: 'engagement', title: 'Options window closes', metOn: 'deciding' },
  decisionDue: { type: 'approval', title: 'Decision due', metOn: 'delivering' },
  reviewStart: { type: 'assessment', title: 'Learning review starts', metOn: 'reviewing' },
  reviewDue: { type: 'reporting', title: 'Learning review due', metOn: 'closed' },
};

/** `<prefix>-<cycle id>`: the cycle's planning process. */
export const ocidOf = (prefix: string, cycleId: string): string => `${prefix}-${cycleId}`;

/** Pence as the pounds OCDS amounts are in (a number, never text). */
const pounds = (pence: number): number => pence / 100;

/** The cycle's latest release. */
export function releaseOf(cycle: OcdsCycle, directory: OcdsDirectory, ocidPrefix: string): OcdsRelease {
  const ocid = ocidOf(ocidPrefix, cycle.id);
  const c = cycle.context;
  const accepted = c.proposals.find((p) => p.status === 'accepted');
  const rationale = rationaleOf(cycle, accepted?.rationale);
  const budget = budgetOf(c, directory, accepted?.allocations ?? null);
  // A cancelled milestone is left out, unless the cycle got there anyway (archiving cancels those still scheduled).
  const milestones = cycle.milestones.filter((m) => MILESTONES[m.kind] && (m.status !== 'cancelled' || cycle.reached[MILESTONES[m.kind].metOn])).map((m) => milestoneOf(m, cycle.reached));
  const related = relatedProcessesOf(cycle, ocidPrefix);
  return {
    ocid,
    id: `${ocid}-${cycle.version}`,
    date: cycle.updatedAt,
    // The first version opens the planning process; every later one updates it.
    tag: [cycle.version === 1 ? 'planning' : 'planningUpdate'],
    initiationType: 'tender',
    language: 'en',
    parties: partiesOf(c, directory),
    planning: {
      ...(rationale && { rationale }),
      ...(budget && { budget }),
      ...(milestones.length > 0 && { milestones }),
    },
    tender: tenderOf(cycle, ocid, accepted !== undefined),
    ...(related.length > 0 && { relatedProcesses: related }),
  };
}

/** Organisations with their roles; a user's organisation stands for the user. */
function partiesOf(c: OcdsContext, directory: OcdsDirectory): OcdsParty[] {
  const roles = new Map<string, Set<PartyRole>>();
  const add = (organisationId: string | undefined, role: PartyRole) => {
    if (!organisationId || directory.organisationName(organisationId) === undefined) return;
    const set = roles.get(organisationId) ?? new Set<PartyRole>();
    set.add(role);
    roles.set(organisationId, set);
  };
  for (const o of c.coOwners) add(o.organisationId, o.role === 'commissioner' ? 'buyer' : 'interestedParty');
  for (const p of c.pledges ?? []) add(p.organisationId, 'funder');
  for (const userId of c.panelUserIds) add(directory.organisationOfUser(userId), 'reviewBody');
  for (const userId of c.facilitatorUserIds) add(directory.organisationOfUser(userId), 'mediationBody');
  return [...roles.entries()].map(([id, set]) => ({
    id,
    name: directory.organisationName(id)!,
    roles: ROLE_ORDER.filter((r) => set.has(r)),
  }));
}

/**
 * The agreed problem statement (the latest revision once the cycle left framing: revisions are
 * made only there, and leaving it takes every co-owner's endorsement) and the accepted decision's
 * rationale. A draft or a problem still being framed has no rationale yet.
 */
function rationaleOf(cycle: OcdsCycle, decision: string | undefined): string | undefined {
  const revisions = cycle.context.problem.revisions;
  const agreed = cycle.reached.options !== undefined ? revisions.at(-1) : undefined;
  const parts = [agreed && `Problem (agreed revision ${agreed.number}): ${agreed.statement}`, decision && `Decision: ${decision}`].filter((p): p is string => Boolean(p));
  return parts.length ? parts.join('\n\n') : undefined;
}

/**
 * The money: what the accepted decision allocates to its chosen options once there is one
 * (reserved for them), else the cash pledged. The description names each pledging organisation
 * with what it pledged, in kind and staff time included.
 */
function budgetOf(c: OcdsContext, directory: OcdsDirectory, allocations: { amountPence: number }[] | null): { description: string; amount: OcdsValue } | undefined {
  const pledges = c.pledges ?? [];
  if (!pledges.length && !allocations?.length) return undefined;
  const pledgedPence = pledges.reduce((sum, p) => sum + (p.kind === 'cash' ? (p.amountPence ?? 0) : 0), 0);
  const allocatedPence = (allocations ?? []).reduce((sum, a) => sum + a.amountPence, 0);
  const name = (id: string) => directory.organisationName(id) ?? 'An organisation';
  const KIND = { cash: 'cash', in_kind: 'in kind', staff_time: 'staff time' } as const;
  const lines = pledges.map((p) => `${name(p.organisationId)} pledged ${p.kind === 'cash' ? formatPence(p.amountPence ?? 0) : KIND[p.kind]}: ${p.description}`);
  const decided = allocations !== null && allocations.length > 0;
  const head = decided
    ? `${formatPence(allocatedPence)} of the ${formatPence(pledgedPence)} pledged in cash is allocated by the decision to its chosen options.`
    : `${formatPence(pledgedPence)} pledged in cash by the co-owners; no decision has allocated it yet.`;
  return {
    description: [head, ...lines].join('\n'),
    amount: { amount: pounds(decided ? allocatedPence : pledgedPence), currency: 'GBP' },
  };
}

/**
 * A milestone is met when the cycle first reached the state it stands for (dateMet then), not
 * met when its date came (fired or found moot) without that, and scheduled otherwise.
 */
function milestoneOf(m: OcdsCycle['milestones'][number], reached: OcdsCycle['reached']): OcdsMilestone {
  const kind = MILESTONES[m.kind];
  const metAt = reached[kind.metOn];
  const base = { id: m.id, title: kind.title, type: kind.type, dueDate: m.dueAt };
  if (metAt) return { ...base, status: 'met', dateMet: metAt };
  return { ...base, status: m.status === 'fired' || m.status === 'moot' ? 'notMet' : 'scheduled' };
}

/**
 * `planning` while the cycle works towards a decision, `planned` once a decision is accepted;
 * `cancelled` when its commissioners cancelled it (with their reason).
 */
function tenderOf(cycle: OcdsCycle, ocid: string, decided: boolean): OcdsRelease['tender'] {
  const base = { id: `${ocid}-tender`, title: cycle.title };
  const cancellation = cycle.context.cancellation;
  if (cycle.state === 'cancelled' && cancellation) {
    return { ...base, status: 'cancelled', description: `Cancelled by its commissioners: ${cancellation.reason}` };
  }
  return { ...base, status: decided ? 'planned' : 'planning' };
}

/**
 * Iterations: the previous one is `prior` (this process repeats and replaces it); the next one,
 * `renewalProcess` (it renews this one). OCDS 1.1 has no "subsequent" code; 1.2 deprecates
 * `renewalProcess` in favour of the child pointing at the parent, which `prior` already does.
 */
function relatedProcessesOf(cycle: OcdsCycle, prefix: string): OcdsRelatedProcess[] {
  const related: OcdsRelatedProcess[] = [];
  if (cycle.previousCycleId) {
    related.push({
      id: 'previous-iteration',
      relationship: ['prior'],
      title: `Iteration ${cycle.iteration - 1}`,
      scheme: 'ocid',
      identifier: ocidOf(prefix, cycle.previousCycleId),
    });
  }
  if (cycle.nextCycleId) {
    related.push({
      id: 'next-iteration',
      relationship: ['renewalProcess'],
      title: `Iteration ${cycle.iteration + 1}`,
      scheme: 'ocid',
      identifier: ocidOf(prefix, cycle.nextCycleId),
    });
  }
  return related;
}

/** The package around releases: the fields before `releases`, and after (the newest release date). */
export interface OcdsPackageHead {
  uri: string;
  version: typeof OCDS_VERSION;
  publisher: { name: string; uri: string };
  license?: string;
}

export const packageHead = (uri: string, publicUrl: string): OcdsPackageHead => ({
  uri,
  version: OCDS_VERSION,
  publisher: { name: 'Cocommission', uri: publicUrl },
});

/**
 * A release package written piece by piece: the head, each release, and the tail with
 * `publishedDate` (the newest release's date: the package is generated on demand). JSON, in
 * chunks whose concatenation is one document.
 */
export class PackageWriter {
  private count = 0;
  private newest: string | undefined;

  constructor(private readonly head: OcdsPackageHead) {}

  open(): string {
    return `${JSON.stringify(this.head).slice(0, -1)},"releases":[`;
  }

  release(release: OcdsRelease): string {
    if (!this.newest || release.date > this.newest) this.newest = release.date;
    return `${this.count++ ? ',' : ''}${JSON.stringify(release)}`;
  }

  close(): string {
    return `]${this.newest ? `,"publishedDate":${JSON.stringify(this.newest)}` : ''}}`;
  }
}
