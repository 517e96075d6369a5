/** Reading cycles many at a time: lists (keyset pages), exports and learning downloads, their cursors, and a partnership's unfinished co-owned cycles. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type QueryRow, Transactions, withoutJit } from '@app/database';
import { MILESTONE_SUMMARIES_OF } from '@app/milestones/milestones.fragment';
import { ALL_PARTNERSHIPS, IS_MEMBER, PARTNERSHIPS_OF } from '@app/partnerships/partnerships.fragment';
import type { CycleContext, Learning } from '@app/domain';
import { type CycleHeadFields, type CycleMilestoneView, type CycleRow, commonFields, headFields, STATES_REACHED, type StatesReached } from './cycle-rows';

/**
 * What publishing a cycle reads of its context (open data): its people, pledges and cancellation,
 * its latest problem revision and its accepted proposal. The rest of the snapshot stays in PostgreSQL.
 */
export type PublishedContext = Pick<CycleContext, 'coOwners' | 'panelUserIds' | 'facilitatorUserIds' | 'pledges' | 'cancellation' | 'proposals'> & {
  problem: Pick<CycleContext['problem'], 'revisions'>;
};

/** A cycle as exports read it: its head, what is published of its context, its milestones and when it first reached each state. */
export interface CycleExportRow extends CycleHeadFields {
  id: string;
  updatedAt: Date;
  context: PublishedContext;
  milestones: Pick<CycleMilestoneView, 'id' | 'kind' | 'dueAt' | 'status'>[];
  reached: StatesReached;
}

/** Where a page of an export ends: the last cycle's exact creation time (microseconds kept) and id. */
export interface ExportCursor {
  createdAt: string;
  id: string;
}

/** The columns of an export's page (`x.ctx` the context): only what is published is sent, so a page stays small however rich its cycles. */
const EXPORT_COLUMNS = `c.id, c.title, c.iteration, c.previous_cycle_id, c.next_cycle_id, c.state, c.version, c.updated_at,
    to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
    jsonb_build_object(
      'coOwners', x.ctx->'coOwners', 'panelUserIds', x.ctx->'panelUserIds', 'facilitatorUserIds', x.ctx->'facilitatorUserIds',
      'pledges', COALESCE(x.ctx->'pledges', '[]'::jsonb), 'cancellation', x.ctx->'cancellation',
      'problem', jsonb_build_object('revisions', COALESCE((SELECT jsonb_agg(CASE WHEN jsonb_typeof(r->'statement') = 'string' THEN r
          ELSE r || jsonb_build_object('statement', coalesce(t.body, '')) END)
        FROM jsonb_path_query(x.ctx, '$.problem.revisions[last]') r
        LEFT JOIN cycle_texts t ON t.cycle_id = c.id AND t.key = 'revision:' || (r->>'number')), '[]'::jsonb)),
      'proposals', jsonb_path_query_array(x.ctx, '$.proposals[*] ? (@.status == "accepted")')) AS context,
    ${MILESTONE_SUMMARIES_OF('c.id')} AS milestones,
    COALESCE(${STATES_REACHED}, '{}') AS reached`;

export interface CycleListFilter {
  /** null: every partnership (admins); otherwise only partnerships this organisation belongs to. */
  visibleToOrganisationId: string | null;
  partnershipId?: string;
  state?: string;
  /** Only the cycles that name this user as a facilitator (an independent facilitator's list). */
  facilitatorUserId?: string;
  /** Keyset: rows strictly older than this one (created_at as exact text, microseconds kept). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export interface CycleSummaryRow extends CycleHeadFields {
  id: string;
  partnershipId: string;
  coOwners: { organisationId: string; role: string }[];
  panelUserIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

@Injectable()
export class CycleListsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** The titles of a partnership's unfinished cycles an organisation co-owns. */
  async unfinishedCoOwnedBy(partnershipId: string, organisationId: string): Promise<string[]> {
    const rows: { title: string }[] = await this.transactions.manager.query(
      `SELECT c.title FROM cycles c WHERE c.partnership_id = $1 AND c.state NOT IN ('closed', 'cancelled')
         AND c.snapshot->'context'->'coOwners' @> jsonb_build_array(jsonb_build_object('organisationId', $2::text))
       ORDER BY c.created_at, c.id`,
      [partnershipId, organisationId],
    );
    return rows.map((r) => r.title);
  }

  /** Newest first, keyset-paginated. */
  async list(filter: CycleListFilter): Promise<CycleSummaryRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const conditions: string[] = [];
    if (filter.state) conditions.push(`c.state = ${param(filter.state)}`);
    if (filter.facilitatorUserId) conditions.push(`c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array(${param(filter.facilitatorUserId)}::text)`);
    if (filter.after) {
      conditions.push(`(c.created_at, c.id) < (${param(filter.after.createdAt)}::timestamptz, ${param(filter.after.id)}::uuid)`);
    }
    const limit = param(filter.limit);
    const columns = `c.id, c.partnership_id, c.title, c.iteration, c.previous_cycle_id, c.next_cycle_id, c.state, c.version,
      c.snapshot->'context'->'coOwners' AS co_owners, c.snapshot->'context'->'panelUserIds' AS panel_user_ids,
      c.created_at, c.updated_at`;
    // A platform admin's list of every cycle: the newest of all through the (created_at, id) index, a
    // page reading its own rows only (merging every partnership's newest read 21 rows of each of 500
    // partnerships for a page of 21: 250-440 ms on the national data set).
    if (filter.visibleToOrganisationId === null && !filter.partnershipId && !filter.facilitatorUserId) {
      const rows: QueryRow[] = await this.dataSource.query(
        `SELECT ${columns} FROM cycles c ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY c.created_at DESC, c.id DESC LIMIT ${limit}`,
        params,
      );
      return rows.map((r) => ({ ...commonFields(r as CycleRow), coOwners: r.co_owners, panelUserIds: r.panel_user_ids }));
    }
    // The newest of each visible partnership through its (partnership_id, created_at, id) index,
    // merged: a page costs the same however many cycles other partnerships hold.
    const partnerships =
      filter.visibleToOrganisationId === null
        ? ALL_PARTNERSHIPS(filter.partnershipId && param(filter.partnershipId))
        : PARTNERSHIPS_OF(param(filter.visibleToOrganisationId), filter.partnershipId && param(filter.partnershipId));
    const sql = `SELECT c.* FROM (${partnerships}) m
      CROSS JOIN LATERAL (
        SELECT ${columns} FROM cycles c
        WHERE c.partnership_id = m.partnership_id ${conditions.map((x) => `AND ${x}`).join(' ')}
        ORDER BY c.created_at DESC, c.id DESC LIMIT ${limit}) c
      ORDER BY c.created_at DESC, c.id DESC LIMIT ${limit}`;
    const rows: QueryRow[] = await this.dataSource.query(sql, params);
    return rows.map((r) => ({ ...commonFields(r as CycleRow), coOwners: r.co_owners, panelUserIds: r.panel_user_ids }));
  }

  /**
   * The learning of a partnership's cycles, oldest cycle first, `limit` cycles at most after `after`
   * (keyset as exportPage), and nothing else of them: the learning download reads a page, writes it
   * out and forgets it.
   */
  async learningPage(partnershipId: string, after: ExportCursor | undefined, limit: number): Promise<{ id: string; title: string; iteration: number; learnings: Learning[]; cursor: ExportCursor }[]> {
    const rows: { id: string; title: string; iteration: number; learnings: Learning[] | null; cursor_at: string }[] = await this.dataSource.query(
      `SELECT c.id, c.title, c.iteration, c.snapshot->'context'->'learnings' AS learnings,
         to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM cycles c
       WHERE c.partnership_id = $1 ${after ? 'AND (c.created_at, c.id) > ($3::timestamptz, $4::uuid)' : ''}
       ORDER BY c.created_at, c.id LIMIT $2`,
      after ? [partnershipId, limit, after.createdAt, after.id] : [partnershipId, limit],
    );
    return rows.map((r) => ({ id: r.id, title: r.title, iteration: r.iteration, learnings: r.learnings ?? [], cursor: { createdAt: r.cursor_at, id: r.id } }));
  }

  /**
   * A partnership's cycles oldest first, `limit` at most after `after` (keyset on its
   * (partnership_id, created_at, id) index: every page costs the same, however far in), with
   * their milestones and the times they first reached each state: an export reads a page, writes
   * it out and forgets it.
   */
  async exportPage(partnershipId: string, after: ExportCursor | undefined, limit: number): Promise<(CycleExportRow & { cursor: ExportCursor })[]> {
    // A page's estimate passes JIT's threshold by its subplans' count, not their work: compiled, a page cost twice as much.
    const rows: QueryRow[] = await withoutJit(this.dataSource, (manager) =>
      manager.query(
        `SELECT ${EXPORT_COLUMNS} FROM cycles c CROSS JOIN LATERAL (SELECT c.snapshot->'context' AS ctx) x
         WHERE c.partnership_id = $1 ${after ? 'AND (c.created_at, c.id) > ($3::timestamptz, $4::uuid)' : ''}
         ORDER BY c.created_at, c.id LIMIT $2`,
        after ? [partnershipId, limit, after.createdAt, after.id] : [partnershipId, limit],
      ),
    );
    return rows.map((r) => ({
      id: r.id,
      ...headFields(r as CycleRow),
      updatedAt: r.updated_at,
      context: r.context,
      milestones: r.milestones,
      reached: r.reached,
      cursor: { createdAt: r.cursor_at, id: r.id },
    }));
  }

  /**
   * The exact creation time of a cycle, for keyset pagination (microseconds kept), with its
   * partnership and whether an organisation belongs to it (a cursor must be one the caller could see).
   */
  async cursorOf(id: string, organisationId: string | null): Promise<{ createdAt: string; id: string; partnershipId: string; member: boolean } | undefined> {
    const rows: { created_at: string; partnership_id: string; member: boolean }[] = await this.dataSource.query(
      `SELECT to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at, c.partnership_id,
         ${IS_MEMBER('c.partnership_id', '$2')} AS member
       FROM cycles c WHERE c.id = $1`,
      [id, organisationId],
    );
    const r = rows[0];
    return r ? { createdAt: r.created_at, id, partnershipId: r.partnership_id, member: r.member } : undefined;
  }
}
