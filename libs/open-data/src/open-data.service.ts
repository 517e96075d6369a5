// A partnership's and its cycles' open data: CSV downloads, outcome series across cycles, the public page.
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AccountsService, Principal } from '@app/accounts';
import { CycleState, Learning, STATE_META } from '@app/domain';
import { Metric, OutcomeEntity, PartnershipEntity, PartnershipFrameworkService, PartnershipsService } from '@app/partnerships';
import { CycleQueriesService, ExportCursor, FundingYear, PartnershipCycleRecord, PartnershipReading } from '@app/cycles';

/** A cell of a download: text, a number, yes/no, or empty. */
export type DownloadCell = string | number | boolean | null;

/** A download's file name, header row and rows (the edge writes it as CSV). */
export interface DownloadTable {
  filename: string;
  columns: string[];
  rows: Iterable<DownloadCell[]> | AsyncIterable<DownloadCell[]>;
}

/** One reading of a metric, with the cycle it was recorded in. */
export interface SeriesReading {
  cycleId: string;
  cycleTitle: string;
  iteration: number;
  /** The cycle's place in the partnership, oldest first (1, 2, …): the chart's legend. */
  cycleNumber: number;
  seq: number;
  at: Date;
  value: number;
  organisationId: string | null;
  organisation: string;
}

/** A metric of the shared outcome framework and its readings from every cycle, oldest first. */
export interface MetricSeries {
  outcomeId: string;
  outcomeTitle: string;
  metric: Metric;
  readings: SeriesReading[];
}

/** A decision a cycle reached: the options chosen, and why. */
export interface PublicDecision {
  options: string[];
  rationale: string;
  proposedBy: string;
  /** When the last co-owner consented (when it was proposed, for one made before consents were dated). */
  decidedAt: string;
}

export interface PublicLearning {
  insight: string;
  evidence: string | null;
  recommendation: Learning['recommendation'];
  writtenBy: Learning['writtenBy'];
  /** The organisation that wrote it; null for a panel member who speaks for no member organisation. */
  organisation: string | null;
  at: string;
}

export interface PublicCycle {
  id: string;
  title: string;
  iteration: number;
  state: CycleState;
  stateLabel: string;
  decisions: PublicDecision[];
  learnings: PublicLearning[];
}

/**
 * What a partnership's public page shows: its text, members, cycles with their stage, decisions
 * and learning, its metrics' readings, and its funding. Organisations only, never people: nothing
 * here carries a user's id, name or email.
 */
export interface PublicPartnership {
  partnership: Pick<PartnershipEntity, 'id' | 'name' | 'destination' | 'principles' | 'updatedAt'>;
  members: { name: string; kind: string }[];
  cycles: PublicCycle[];
  metrics: MetricSeries[];
  funding: { year: string; rows: { organisation: string; pledgedPence: number; committedPence: number }[] }[];
}

/** Whole pence as pounds for a spreadsheet: 4000050 → "40000.50" (no symbol, no separators). */
const pounds = (pence: number) => `${Math.trunc(pence / 100)}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;

/** The text fields of a history entry's payload, in a line: "statement: …; reason: …". */
export function summariseEntry(payload: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(payload ?? {})) {
    if (typeof value === 'string' && value.trim()) parts.push(`${key}: ${value}`);
    else if (typeof value === 'number' || typeof value === 'boolean') parts.push(`${key}: ${value}`);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) parts.push(`${key}: ${value.join(', ')}`);
  }
  return parts.join('; ');
}

/**
 * A partnership's and its cycles' open data: the CSV downloads (a cycle's history, the
 * partnership's learning, metric readings and funding), its outcome framework drawn across
 * cycles, and its public page. Downloads and series check the caller's access as the JSON reads
 * do (404 when not visible); the public page needs none, and names organisations only.
 */
@Injectable()
export class OpenDataService {
  /** How many cycles the learning download reads per page. */
  readonly learningPageSize = 100;

  constructor(
    private readonly queries: CycleQueriesService,
    private readonly partnerships: PartnershipsService,
    private readonly framework: PartnershipFrameworkService,
    private readonly accounts: AccountsService,
  ) {}

  /** A cycle's history, oldest first: one row per entry, read a page at a time (however long it is). */
  async historyTable(principal: Principal, cycleId: string): Promise<DownloadTable> {
    const pages = await this.queries.historyPages(principal, cycleId);
    const namer = (ids: (string | null)[]) => this.namer(ids);
    async function* rows() {
      for await (const entries of pages) {
        const name = await namer(entries.map((e) => e.organisationId));
        for (const e of entries) {
          yield [
            e.seq,
            e.at.toISOString(),
            e.type,
            e.organisationId,
            e.organisationId ? name(e.organisationId) : null,
            e.representative,
            e.actorUserId,
            e.fromState,
            e.toState,
            summariseEntry(e.payload),
            JSON.stringify(e.payload),
            e.hash,
          ];
        }
      }
    }
    return {
      filename: `cycle-${cycleId}-history.csv`,
      columns: ['seq', 'at', 'type', 'organisationId', 'organisation', 'representative', 'actorUserId', 'fromState', 'toState', 'summary', 'payload', 'hash'],
      rows: rows(),
    };
  }

  /**
   * The learning recorded in the partnership's cycles (by their review panels and co-owners), oldest
   * cycle first: read a page of cycles at a time as the download is written (however many there are).
   */
  async learningTable(principal: Principal, partnershipId: string): Promise<DownloadTable> {
    await this.partnerships.requireVisible(principal, partnershipId);
    const { queries, learningPageSize: limit } = this;
    const namer = (ids: (string | null)[]) => this.namer(ids);
    async function* rows() {
      let after: ExportCursor | undefined;
      for (;;) {
        const page = await queries.learningPage(partnershipId, after, limit);
        const name = await namer(page.flatMap((r) => r.learnings.map((l) => l.organisationId)));
        for (const r of page) {
          for (const l of r.learnings) {
            yield [r.id, r.title, r.iteration, l.at, l.writtenBy, l.organisationId, l.organisationId ? name(l.organisationId) : null, l.recommendation, l.insight, l.evidence];
          }
        }
        if (page.length < limit) return;
        after = page[page.length - 1].cursor;
      }
    }
    return {
      filename: `partnership-${partnershipId}-learning.csv`,
      columns: ['cycleId', 'cycle', 'iteration', 'at', 'writtenBy', 'organisationId', 'organisation', 'recommendation', 'insight', 'evidence'],
      rows: rows(),
    };
  }

  /** Every metric reading of the partnership's cycles, oldest first, with its metric's baseline and target. */
  async readingsTable(principal: Principal, partnershipId: string): Promise<DownloadTable> {
    await this.partnerships.requireVisible(principal, partnershipId);
    const series = await this.seriesOf(partnershipId);
    const rows = series.flatMap((s) => s.readings.map((r) => ({ s, r }))).sort((a, b) => a.r.at.getTime() - b.r.at.getTime() || a.r.cycleNumber - b.r.cycleNumber || a.r.seq - b.r.seq);
    return {
      filename: `partnership-${partnershipId}-readings.csv`,
      columns: ['cycleId', 'cycle', 'iteration', 'seq', 'recordedAt', 'organisationId', 'organisation', 'outcome', 'metricId', 'metric', 'unit', 'value', 'baseline', 'target', 'direction'],
      rows: rows.map(({ s, r }) => [
        r.cycleId,
        r.cycleTitle,
        r.iteration,
        r.seq,
        r.at.toISOString(),
        r.organisationId,
        r.organisation,
        s.outcomeTitle,
        s.metric.id,
        s.metric.name,
        s.metric.unit,
        r.value,
        s.metric.baseline,
        s.metric.target,
        s.metric.direction,
      ]),
    };
  }

  /** Cash pledged and committed per member organisation, per financial year, in pounds. */
  async fundingTable(principal: Principal, partnershipId: string): Promise<DownloadTable> {
    const years = await this.queries.fundingByYear(principal, partnershipId);
    const name = await this.namer(years.flatMap((y) => y.byOrganisation.map((o) => o.organisationId)));
    return {
      filename: `partnership-${partnershipId}-funding.csv`,
      columns: ['year', 'organisationId', 'organisation', 'pledgedPounds', 'committedPounds'],
      rows: years.flatMap((y) => y.byOrganisation.map((o) => [y.year, o.organisationId, name(o.organisationId), pounds(o.pledgedPence), pounds(o.committedPence)])),
    };
  }

  /**
   * Each metric of the shared outcome framework with its readings from every cycle (the caller must
   * see the partnership). `stamp`: the partnership's series stamp, when the caller read it for others too.
   */
  async outcomeSeries(principal: Principal, partnershipId: string, stamp?: Promise<string>): Promise<MetricSeries[]> {
    await this.partnerships.requireVisible(principal, partnershipId);
    return this.seriesOf(partnershipId, {}, stamp);
  }

  /** The public page's content; 404 unless the partnership is published and not archived. */
  async publicPartnership(partnershipId: string): Promise<PublicPartnership> {
    const aggregate = await this.partnerships.getPublic(partnershipId);
    const [records, funding] = await Promise.all([this.queries.recordsOf(partnershipId), this.queries.fundingYearsOf(partnershipId)]);
    const series = await this.seriesOf(partnershipId, { outcomes: aggregate.outcomes, records });
    const name = await this.namer([
      ...records.flatMap((r) => [...r.proposals.map((p) => p.proposedByOrganisationId), ...r.learnings.map((l) => l.organisationId)]),
      ...funding.flatMap((y) => y.byOrganisation.map((o) => o.organisationId)),
    ]);
    const { id, name: title, destination, principles, updatedAt } = aggregate.partnership;
    return {
      partnership: { id, name: title, destination, principles, updatedAt },
      members: aggregate.members.map((m) => ({ name: m.organisation?.name ?? 'An organisation', kind: m.organisation?.kind ?? 'community' })),
      // Drafts are the commissioners' work in progress: public once launched.
      cycles: records.filter((r) => r.state !== 'draft').map((r) => this.publicCycle(r, name)),
      metrics: series,
      funding: fundingRows(funding, name),
    };
  }

  private publicCycle(r: PartnershipCycleRecord, name: (id: string) => string): PublicCycle {
    const optionTitle = (optionId: string) => r.options.find((o) => o.id === optionId)?.title ?? 'An option';
    const state = r.state as CycleState;
    return {
      id: r.id,
      title: r.title,
      iteration: r.iteration,
      state,
      stateLabel: STATE_META[state]?.label ?? r.state,
      decisions: r.proposals
        .filter((p) => p.status === 'accepted')
        .map((p) => ({
          options: p.optionIds.map(optionTitle),
          rationale: p.rationale,
          proposedBy: name(p.proposedByOrganisationId),
          decidedAt:
            p.consents
              .map((c) => c.at)
              .sort()
              .at(-1) ?? p.at,
        })),
      learnings: r.learnings.map((l) => ({
        insight: l.insight,
        evidence: l.evidence,
        recommendation: l.recommendation,
        writtenBy: l.writtenBy,
        organisation: l.organisationId ? name(l.organisationId) : null,
        at: l.at,
      })),
    };
  }

  /**
   * The outcome framework's metrics, each with its readings from every cycle of the partnership. A
   * reading names its metric by id (or, in early cycles, by the cycle's name for it).
   */
  /**
   * The series of a partnership as its cycles and outcomes stand: read again only when one of
   * its cycles has moved on (their versions) or its outcome framework changed, since reading every
   * reading of years of cycles is the costliest read of a partnership page.
   */
  private async seriesOf(partnershipId: string, known: { outcomes?: OutcomeEntity[]; records?: PartnershipCycleRecord[] } = {}, stamp?: Promise<string>): Promise<MetricSeries[]> {
    const now = await (stamp ?? this.queries.seriesStamp(partnershipId));
    const cached = this.series.get(partnershipId);
    if (cached?.stamp === now) return cached.series;
    const series = this.readSeries(partnershipId, known);
    this.series.set(partnershipId, { stamp: now, series });
    series.catch(() => this.series.delete(partnershipId));
    return series;
  }

  private readonly series = new LRUCache<string, { stamp: string; series: Promise<MetricSeries[]> }>({ max: 200 });

  private async readSeries(partnershipId: string, known: { outcomes?: OutcomeEntity[]; records?: PartnershipCycleRecord[] } = {}): Promise<MetricSeries[]> {
    const [outcomes, records, readings] = await Promise.all([
      known.outcomes ?? this.framework.outcomes(partnershipId),
      known.records ?? this.queries.recordsOf(partnershipId),
      this.queries.readingsOf(partnershipId),
    ]);
    const name = await this.namer(readings.map((r) => r.organisationId));
    const cycles = new Map(records.map((r, i) => [r.id, { record: r, number: i + 1 }]));
    const metricIdOf = (reading: PartnershipReading): string | undefined => {
      const cycle = cycles.get(reading.cycleId)?.record;
      return cycle?.metrics.find((m) => m.id === reading.metric || m.name === reading.metric)?.id ?? reading.metric;
    };
    return outcomes.flatMap((o) =>
      o.metrics.map((metric) => ({
        outcomeId: o.id,
        outcomeTitle: o.title,
        metric,
        readings: readings
          .filter((r) => metricIdOf(r) === metric.id && cycles.has(r.cycleId))
          .map((r) => {
            const { record, number } = cycles.get(r.cycleId)!;
            return {
              cycleId: r.cycleId,
              cycleTitle: record.title,
              iteration: record.iteration,
              cycleNumber: number,
              seq: r.seq,
              at: r.at,
              value: r.value,
              organisationId: r.organisationId,
              organisation: r.organisationId ? name(r.organisationId) : 'The system',
            };
          }),
      })),
    );
  }

  /** Organisation names by id, read in one go (a dissolved one "Former <name> (now <successors>)"; "A former organisation" for one not found). */
  private async namer(ids: (string | null)[]): Promise<(id: string) => string> {
    const unique = [...new Set(ids.filter((id): id is string => !!id))];
    const names = unique.length ? (await this.accounts.namesOf(unique, [])).organisations : new Map<string, string>();
    return (id: string) => names.get(id) ?? 'A former organisation';
  }
}

const fundingRows = (years: FundingYear[], name: (id: string) => string) =>
  years.map((y) => ({ year: y.year, rows: y.byOrganisation.map((o) => ({ organisation: name(o.organisationId), pledgedPence: o.pledgedPence, committedPence: o.committedPence })) }));
