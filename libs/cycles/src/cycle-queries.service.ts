/** Reading cycles: one, a page of them, those a person is involved in, their history and its verdict. */
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AccountsService, Principal, isAdmin } from '@app/accounts';
import {
  Actor,
  CycleOption,
  CycleSnapshot,
  type CycleTexts,
  CycleState,
  NotFound,
  OptionStatus,
  Revision,
  dateInEngland,
  financialYear,
  joinTexts,
  optionTextKey,
  ProgressEntry,
  revisionTextKey,
  UserEventType,
  ValidationFailed,
  nextEvents,
  restoreCycle,
  withStatement,
  withSummary,
} from '@app/domain';
import { PartnershipsService } from '@app/partnerships';
import { CycleEntity, CycleHistoryEntity } from './cycle.entity';
import type { CycleMilestoneView, CycleView, StatesReached } from './cycle-rows';
import type { ReadAlong } from './cycle-store';
import { CycleViewsRepository } from './cycle-views.repository';
import { CycleExportRow, CycleListsRepository, CycleSummaryRow, ExportCursor } from './cycle-lists.repository';
import { CycleWorkRepository, InvolvingSummary } from './cycle-work.repository';
import { CycleFundingRepository } from './cycle-funding.repository';
import { CycleTableItemsRepository } from './cycle-table-items.repository';
import { CycleActionRemindersRepository } from './cycle-action-reminders.repository';
import { CycleSeriesRepository, PartnershipCycleRecord, PartnershipReading } from './cycle-series.repository';
import type { ChainHead, ChainVerdict } from '@app/history';
import { HistoryAuditService, HistoryPage } from './history-audit.service';
import { SignedCheckpointsService, SignedHead } from './signed-checkpoints.service';

/** A cycle "Your work" lists: its summary, its snapshot without texts, and the person's next events. */
export type InvolvedCycle = Omit<InvolvingSummary, 'snapshot'> & { snapshot: CycleSnapshot; nextEvents: UserEventType[] };

/** An on-the-table item a live option uses. */
export interface TableItemInUse {
  cycleTitle: string;
  optionTitle: string;
  organisationId: string;
  item: string;
}

export interface CycleRecord {
  row: CycleEntity;
  snapshot: CycleSnapshot;
  /** The event types the caller may send now (from the machine). */
  nextEvents: UserEventType[];
  /** Its milestones, as read with the cycle. */
  milestones: CycleMilestoneView[];
  /** Its newest progress updates (RECENT_PROGRESS at most), oldest first. */
  progress: ProgressEntry[];
  /** How many progress updates it has in all. */
  progressCount: number;
  /** Whether its partnership is archived (read-only), as read with it. */
  archived: boolean;
}

export interface FundingYear {
  /** "2027-28": 1 April 2027 to 31 March 2028. */
  year: string;
  byOrganisation: { organisationId: string; pledgedPence: number; committedPence: number }[];
}

/** A page of one of a cycle's lists, and the cursor for the next page (null: the last). */
export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}
export type ProgressPage = ListPage<ProgressEntry>;

/** A page of a partnership's cycles for an export, and where the next one starts (null: none). */
export interface CycleExportPage {
  items: CycleExportRow[];
  next: ExportCursor | null;
}

export interface CyclePage {
  items: CycleSummaryRow[];
  nextCursor: string | null;
}

/** Reading cycles: one, a page of them, those a person is involved in, their history and its verdict. */
@Injectable()
export class CycleQueriesService {
  constructor(
    private readonly cycles: CycleViewsRepository,
    private readonly lists: CycleListsRepository,
    private readonly work: CycleWorkRepository,
    private readonly funding: CycleFundingRepository,
    private readonly tableItems: CycleTableItemsRepository,
    private readonly reminders: CycleActionRemindersRepository,
    private readonly series: CycleSeriesRepository,
    private readonly partnerships: PartnershipsService,
    private readonly accounts: AccountsService,
    private readonly audit: HistoryAuditService,
    private readonly checkpoints: SignedCheckpointsService,
  ) {}

  /** Everyone taking part in a cycle: the users of its co-owners, its panel and its facilitators. */
  participants(row: CycleEntity): Promise<string[]> {
    const { coOwners, panelUserIds, facilitatorUserIds } = restoreCycle(row.snapshot).context;
    return this.accounts.userIdsOf(
      coOwners.map((c) => c.organisationId),
      [...panelUserIds, ...facilitatorUserIds],
    );
  }

  async get(principal: Principal, id: string): Promise<CycleRecord> {
    const [{ row, ...read }, actor] = await Promise.all([this.loadVisible(principal, id), this.actorOf(principal)]);
    return this.recordOf(row, actor, read);
  }

  async list(principal: Principal, query: { partnershipId?: string; state?: CycleState; limit: number; cursor?: string }): Promise<CyclePage> {
    if (query.partnershipId) await this.partnerships.requireVisible(principal, query.partnershipId);
    let after: { createdAt: string; id: string } | undefined;
    if (query.cursor) {
      // A cursor is a cycle of this list: one the caller can see, of the partnership asked for.
      const position = await this.lists.cursorOf(query.cursor, principal.organisationId);
      const visible = position && (await this.cycles.find(position.id));
      const fits = position && visible && sees(principal, { row: visible, member: position.member }) && (!query.partnershipId || position.partnershipId === query.partnershipId);
      if (!fits) throw notACursor();
      after = { createdAt: position.createdAt, id: position.id };
    }
    const visibleTo = isAdmin(principal) ? null : principal.organisationId;
    if (!isAdmin(principal) && !visibleTo) return { items: [], nextCursor: null };
    const rows = await this.lists.list({
      visibleToOrganisationId: principal.organisationKind === 'facilitator' ? null : visibleTo,
      facilitatorUserId: principal.organisationKind === 'facilitator' ? principal.userId : undefined,
      partnershipId: query.partnershipId,
      state: query.state,
      after,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].id : null };
  }

  /** The cycles the caller's organisation co-owns or the caller reviews or facilitates, newest first. */
  /**
   * The cycles a person is involved in (see `involving`), newest first, each with the caller's next
   * events, in one read: what "Your work" lists and says each one waits for.
   */
  async involvingSummaries(principal: Principal, limit: number): Promise<InvolvedCycle[]> {
    const organisationId = principal.organisationId;
    if (!organisationId) return [];
    const [rows, actor] = await Promise.all([this.work.involvingSummaries(organisationId, principal.userId, principal.organisationKind === 'facilitator', limit), this.actorOf(principal)]);
    return rows.map((r) => {
      const snapshot = restoreCycle(r.snapshot as never);
      return { ...r, snapshot, nextEvents: r.archived ? [] : nextEvents(snapshot, actor) };
    });
  }

  /**
   * What changes whenever a member's "Your work" may: their organisation's partnerships and every
   * event of their cycles, and whom they speak for (read without snapshots). Null for an
   * independent facilitator, whose cycles are in partnerships their organisation is no member of.
   */
  async involvementStamp(principal: Principal): Promise<string | null> {
    if (!principal.organisationId || principal.organisationKind === 'facilitator') return null;
    const [stamp, actor] = await Promise.all([this.work.involvementStamp(principal.organisationId), this.actorOf(principal)]);
    return `${stamp}:${actor.representative ? 'r' : ''}:${(actor.representatives ?? []).join(',')}`;
  }

  /** Every progress update, oldest first, a page at a time (the view carries only the newest). */
  async progress(principal: Principal, id: string, page: { cursor?: string; limit: number }): Promise<ProgressPage> {
    await this.loadVisible(principal, id, false);
    // A cursor is the history position of the last update of the page before.
    const rows = await this.cycles.progressPage(id, positionAfter(page.cursor), page.limit + 1);
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: rows.length > page.limit ? String(items[items.length - 1].seq) : null };
  }

  /** Every problem revision, oldest first, a page at a time (the view carries only the latest); only the page's statements are read. */
  async revisions(principal: Principal, id: string, page: { cursor?: string; limit: number }): Promise<ListPage<Revision>> {
    const { row } = await this.loadVisible(principal, id, false);
    // A cursor is the number of the last revision of the page before (they are numbered from 1, in order).
    const after = positionAfter(page.cursor);
    const rest = restoreCycle(row.snapshot).context.problem.revisions.filter((r) => r.number > after);
    const items = rest.slice(0, page.limit);
    const texts = await this.cycles.textsOf(
      id,
      items.map((r) => revisionTextKey(r.number)),
    );
    return { items: items.map((r) => withStatement(r, texts)), nextCursor: rest.length > page.limit ? String(items[items.length - 1].number) : null };
  }

  /**
   * The options in the order they were submitted (`status`: only those with it), a page at a time:
   * the view carries the live ones. Options are only ever added, so the id of the last option of a
   * page says where the next begins; only the page's summaries are read.
   */
  async options(principal: Principal, id: string, page: { status?: OptionStatus; cursor?: string; limit: number }): Promise<ListPage<CycleOption>> {
    const { row } = await this.loadVisible(principal, id, false);
    const all = restoreCycle(row.snapshot).context.options;
    const from = page.cursor === undefined ? 0 : all.findIndex((o) => o.id === page.cursor) + 1;
    if (from === 0 && page.cursor !== undefined) throw notACursor();
    const rest = all.slice(from).filter((o) => !page.status || o.status === page.status);
    const items = rest.slice(0, page.limit);
    const texts = await this.cycles.textsOf(
      id,
      items.map((o) => optionTextKey(o.id)),
    );
    return { items: items.map((o) => withSummary(o, texts)), nextCursor: rest.length > page.limit ? items[items.length - 1].id : null };
  }

  /**
   * What each member organisation pledged (cash) and committed (by consenting to allocations) across
   * the partnership's cycles, per financial year in England (1 April to 31 March): a pledge counts
   * in the year it was made, a commitment in the year of the consent.
   */
  async fundingByYear(principal: Principal, partnershipId: string): Promise<FundingYear[]> {
    await this.partnerships.requireVisible(principal, partnershipId);
    return this.fundingYearsOf(partnershipId);
  }

  /** fundingByYear without a caller, for other features' services (no visibility check: callers have made it). */
  async fundingYearsOf(partnershipId: string): Promise<FundingYear[]> {
    const years = new Map<string, Map<string, { pledgedPence: number; committedPence: number }>>();
    const add = (at: string, organisationId: string, field: 'pledgedPence' | 'committedPence', pence: number) => {
      const year = financialYear(new Date(at), dateInEngland);
      const orgs = years.get(year) ?? new Map();
      const row = orgs.get(organisationId) ?? { pledgedPence: 0, committedPence: 0 };
      row[field] += pence;
      orgs.set(organisationId, row);
      years.set(year, orgs);
    };
    for (const cycle of await this.funding.fundingOf(partnershipId)) {
      for (const p of cycle.pledges ?? []) if (p.kind === 'cash' && p.amountPence) add(p.at, p.organisationId, 'pledgedPence', p.amountPence);
      for (const proposal of cycle.proposals.filter((x) => x.status === 'open' || x.status === 'accepted')) {
        for (const consent of proposal.consents) if (consent.committedPence) add(consent.at, consent.organisationId, 'committedPence', consent.committedPence);
      }
    }
    return [...years.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([year, orgs]) => ({ year, byOrganisation: [...orgs.entries()].map(([organisationId, v]) => ({ organisationId, ...v })) }));
  }

  /**
   * Which on-the-table items the partnership's live options use, and which options. `stamp`: the
   * partnership's series stamp, when the caller read it for others too (read in this request).
   */
  async tableItemsInUse(principal: Principal, partnershipId: string, stamp?: Promise<string>): Promise<TableItemInUse[]> {
    await this.partnerships.requireVisible(principal, partnershipId);
    // Read from every cycle's options (years of them in old cycles): again only once a cycle has moved on.
    const now = await (stamp ?? this.series.seriesStamp(partnershipId));
    const cached = this.itemsInUse.get(partnershipId);
    if (cached?.stamp === now) return cached.items;
    const items = this.tableItems
      .tableItemsInUse(partnershipId)
      .then((rows) => rows.map((r) => ({ cycleTitle: r.cycle_title, optionTitle: r.option_title, organisationId: r.organisation_id, item: r.item })));
    this.itemsInUse.set(partnershipId, { stamp: now, items });
    items.catch(() => this.itemsInUse.delete(partnershipId));
    return items;
  }

  private readonly itemsInUse = new LRUCache<string, { stamp: string; items: Promise<TableItemInUse[]> }>({ max: 200 });

  /** What changes whenever a partnership's cycles or outcome framework may have (for the kept series and items in use; no visibility check: it tells nothing). */
  seriesStamp(partnershipId: string): Promise<string> {
    return this.series.seriesStamp(partnershipId);
  }

  /** A partnership's cycles with what their snapshots publish, oldest first (open data; no visibility check: callers have made it). */
  recordsOf(partnershipId: string): Promise<PartnershipCycleRecord[]> {
    return this.series.recordsOf(partnershipId);
  }

  /** Every metric reading of a partnership's cycles, oldest first (open data; no visibility check). */
  readingsOf(partnershipId: string): Promise<PartnershipReading[]> {
    return this.series.readingsOf(partnershipId);
  }

  /** Cycles in delivery with open actions, for the action reminders (no visibility check: the system's pass). */
  async withOpenActions() {
    return (await this.reminders.withOpenActions()).map((r) => ({ id: r.id, title: r.title, partnershipId: r.partnership_id, actions: r.actions.filter((a) => !a.doneAt) }));
  }

  /** Verified from the checkpoint on, or (`full`) from the first entry; the stored snapshot and texts compared with it. */
  async verify(principal: Principal, id: string, options: { full?: boolean } = {}): Promise<ChainVerdict> {
    await this.loadVisible(principal, id, false);
    const verdict = await this.audit.verify(id, { ...options, stored: true });
    if (!verdict) throw new NotFound('cycle');
    return verdict;
  }

  /** The cycle's signed heads (the daily checkpoints'), newest first. */
  async signedHeads(principal: Principal, id: string): Promise<SignedHead[]> {
    await this.loadVisible(principal, id, false);
    return this.checkpoints.heads('cycle', id);
  }

  /** A page of the history, oldest first, after the cursor (a seq this list gave out). */
  async historyPage(principal: Principal, id: string, page: { cursor?: string; limit: number }): Promise<HistoryPage> {
    await this.loadVisible(principal, id, false);
    return this.audit.page(id, positionAfter(page.cursor), page.limit);
  }

  /** The whole history, oldest first, in pages (for streaming it in constant memory). */
  async historyPages(principal: Principal, id: string): Promise<AsyncGenerator<CycleHistoryEntity[]>> {
    await this.loadVisible(principal, id, false);
    return this.audit.all(id);
  }

  /** The head the cycle's row keeps now and its entries up to it, in pages, for the offline audit's export (as `historyPages`: 404 when the caller may not see it). */
  async historyExport(principal: Principal, id: string): Promise<{ head: ChainHead; pages: AsyncGenerator<CycleHistoryEntity[]> }> {
    await this.loadVisible(principal, id, false);
    const found = await this.audit.exportOf(id);
    if (!found) throw new NotFound('cycle');
    return found;
  }

  /** The cycle, if the caller may see it (as `get`), with when it first reached each state (open data). */
  async withStatesReached(principal: Principal, id: string): Promise<{ record: CycleRecord; reached: StatesReached }> {
    const record = await this.get(principal, id);
    const reached = (await this.cycles.statesReached([id])).get(id) ?? {};
    return { record, reached };
  }

  /**
   * A page of a partnership's cycles, oldest first, for exports that stream them (no visibility
   * check: the caller has checked the partnership's). `after` is the `next` of the page before.
   */
  async exportPage(partnershipId: string, after: ExportCursor | undefined, limit: number): Promise<CycleExportPage> {
    const rows = await this.lists.exportPage(partnershipId, after, limit);
    return {
      items: rows.map(({ cursor: _, ...item }) => item),
      next: rows.length === limit ? rows[rows.length - 1].cursor : null,
    };
  }

  /** The learning of a partnership's cycles, a page at a time, oldest cycle first (open data's download; no visibility check: the caller has made it). */
  learningPage(partnershipId: string, after: ExportCursor | undefined, limit: number) {
    return this.lists.learningPage(partnershipId, after, limit);
  }

  /** The cycle as stored, for other features' services (no visibility check). */
  find(id: string): Promise<CycleEntity | null> {
    return this.cycles.find(id);
  }

  /** The cycle, if the caller may see it, with its snapshot (without its long texts: for checks, not views) and the caller's next events. */
  async visible(principal: Principal, id: string): Promise<CycleRecord> {
    const [{ row, ...read }, actor] = await Promise.all([this.loadVisible(principal, id, false), this.actorOf(principal)]);
    return this.recordOf(row, actor, read);
  }

  /**
   * What the write statement must check for the caller to see a cycle this process holds (not read
   * again), as `loadVisible` would: the organisation that must be a member of its partnership, or
   * nothing (a platform admin; an independent facilitator the cycle names). Undefined when the
   * caller cannot see it at all.
   */
  visibilityToCheck(principal: Principal, row: CycleEntity): { memberOf?: string } | undefined {
    if (isAdmin(principal)) return {};
    if (principal.organisationKind === 'facilitator') return facilitates(row, principal.userId) ? {} : undefined;
    return principal.organisationId ? { memberOf: principal.organisationId } : undefined;
  }

  /** The caller as the machine sees them: with who commits their organisation (its representatives). */
  async actorOf(principal: Principal): Promise<Actor> {
    return { userId: principal.userId, organisationId: principal.organisationId, ...(await this.accounts.representationOf(principal.userId, principal.organisationId)) };
  }

  /** The cycle's record: its snapshot with its texts put back where they were read (a view), without them where not (a minimal answer). */
  recordOf(row: CycleEntity, actor: Actor, { milestones, progress, progressCount, archived, texts }: ReadAlong): CycleRecord {
    const snapshot = this.restored(row.snapshot, texts ?? null);
    return {
      row,
      snapshot,
      // An archived partnership's cycles are read-only: nothing to send.
      nextEvents: archived ? [] : nextEvents(snapshot, actor),
      milestones,
      progress,
      progressCount,
      archived,
    };
  }

  /**
   * The stored snapshot restored, with the texts put back, made once for the same two objects: a
   * cycle this process holds (or keeps) keeps its snapshot and texts objects from one event to the
   * next while the machine does not move it (a progress update), and an old cycle's hundreds of
   * options and revisions were copied again for every answer. Neither object is ever changed (the
   * machine makes new ones: CycleStore), so the restored snapshot stays true of them.
   */
  private restored(stored: CycleEntity['snapshot'], texts: CycleTexts | null): CycleSnapshot {
    const made = this.restoredOf.get(stored);
    if (made && made.texts === texts) return made.snapshot;
    const snapshot = restoreCycle(texts ? joinTexts(stored, texts) : stored);
    this.restoredOf.set(stored, { texts, snapshot });
    return snapshot;
  }

  private readonly restoredOf = new WeakMap<object, { texts: CycleTexts | null; snapshot: CycleSnapshot }>();

  async mustFind(id: string): Promise<CycleEntity> {
    const row = await this.cycles.find(id);
    if (!row) throw new NotFound('cycle');
    return row;
  }

  /**
   * The cycle, if the caller's organisation belongs to its partnership (admins see all). The users
   * of an independent facilitator see only the cycles that name them, member or not. `texts`: whether
   * its long texts are read too (for a view; deciding an event does not need them).
   */
  async loadVisible(principal: Principal, id: string, texts = true): Promise<CycleView> {
    const found = await this.cycles.view(id, principal.organisationId, texts);
    const guestSees = principal.role === 'guest' && found !== undefined && (await this.cycles.invitedGuest(id, principal.userId));
    if (!found || !(sees(principal, found) || guestSees)) throw new NotFound('cycle');
    return found;
  }
}

const notACursor = () => new ValidationFailed([{ field: 'cursor', message: 'is not a cursor this list gave out' }]);

/** A cursor that is a position in a list (a history seq, a revision number): where the next page begins after; 0 without one. */
function positionAfter(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  if (!/^\d{1,9}$/.test(cursor)) throw notACursor();
  return Number(cursor);
}

/** What is read with a cycle's row for its view. */
const sees = (principal: Principal, { row, member }: { row: CycleEntity; member: boolean }): boolean => {
  if (isAdmin(principal)) return true;
  if (principal.organisationKind === 'facilitator') return facilitates(row, principal.userId);
  return member;
};

const facilitates = (row: CycleEntity, userId: string): boolean => ((row.snapshot as { context?: { facilitatorUserIds?: string[] } }).context?.facilitatorUserIds ?? []).includes(userId);

export type { ReadAlong } from './cycle-store';
