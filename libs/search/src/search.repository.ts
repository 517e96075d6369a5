/** The search's one statement: the caller's visible documents matching a query, ranked, a page at a time, with their snippets. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CYCLE_FIELD, CYCLES_OF_GUEST } from '@app/cycles/cycles.fragment';
import { PARTNERSHIPS_OF } from '@app/partnerships/partnerships.fragment';

export const SEARCH_KINDS = ['cycle', 'option', 'learning', 'comment'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** Whose visibility a search keeps to, as CycleQueriesService.loadVisible decides it. */
export type SearchViewer = { all: true } | { facilitatorUserId: string } | { guestUserId: string } | { memberOrganisationId: string };

/** Where a page ended: the last row's rank (as PostgreSQL wrote it, exact) and key. */
export interface SearchPosition {
  rank: string;
  cycleId: string;
  key: string;
}

export interface SearchRow {
  kind: SearchKind;
  cycleId: string;
  key: string;
  title: string;
  cycleTitle: string;
  withdrawn: boolean;
  /** The snippet with each hit between HIT_START and HIT_END (characters no stored text holds: they are taken out first). */
  snippet: string;
  position: SearchPosition;
}

/** Private-use characters marking the hits in a snippet, out of reach of what people write (stripped from the texts before highlighting). */
export const HIT_START = '\uE000';
export const HIT_END = '\uE001';
/**
 * ts_headline drops what its parser reads as markup (`<b>`, `&amp;`): `<`, `>` and `&` go in as
 * these private-use characters, and come back as themselves in the snippet (snippetParts).
 */
export const STAND_INS: Record<string, string> = { '\uE002': '<', '\uE003': '>', '\uE004': '&' };
const OURS = `${HIT_START}${HIT_END}${Object.keys(STAND_INS).join('')}`;
const SHIELDED = (text: string) => `translate(translate(${text}, '${OURS}', ''), '${Object.values(STAND_INS).join('')}', '${Object.keys(STAND_INS).join('')}')`;

const HEADLINE = `StartSel=${HIT_START}, StopSel=${HIT_END}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;

@Injectable()
export class SearchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Up to `limit` documents, best first (rank, then cycle and key, so that pages never overlap), after `after`. */
  async search(viewer: SearchViewer, query: string, after: SearchPosition | undefined, limit: number): Promise<SearchRow[]> {
    const params: unknown[] = [query, limit];
    const param = (value: unknown) => `$${params.push(value)}`;
    // Visibility in the statement that ranks and limits: a page holds only what the caller may see, and so does whether there is a next one.
    const visible =
      'all' in viewer
        ? 'true'
        : 'facilitatorUserId' in viewer
          ? `d.facilitator_user_ids @> ARRAY[${param(viewer.facilitatorUserId)}::text]`
          : 'guestUserId' in viewer
            ? `d.cycle_id IN (${CYCLES_OF_GUEST(`${param(viewer.guestUserId)}::uuid`)})`
            : `d.partnership_id IN (${PARTNERSHIPS_OF(`${param(viewer.memberOrganisationId)}::uuid`)})`;
    const afterCondition = after
      ? `AND (ts_rank(d.document, q.query) < ${param(after.rank)}::real
          OR (ts_rank(d.document, q.query) = ${param(after.rank)}::real AND (d.cycle_id, d.key) > (${param(after.cycleId)}::uuid, ${param(after.key)}::text)))`
      : '';
    const rows: {
      kind: SearchKind;
      cycle_id: string;
      key: string;
      title: string;
      cycle_title: string;
      withdrawn: boolean;
      snippet: string;
      rank: string;
    }[] = await this.dataSource.query(
      `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query),
       page AS (
         SELECT d.cycle_id, d.key, d.kind, d.title, d.body, d.withdrawn, ts_rank(d.document, q.query) AS rank
         FROM search_documents d, q
         WHERE d.document @@ q.query AND ${visible} ${afterCondition}
         ORDER BY rank DESC, d.cycle_id, d.key LIMIT $2)
       SELECT p.kind, p.cycle_id, p.key, p.title, p.withdrawn, p.rank::text AS rank, ${CYCLE_FIELD('title', 'p.cycle_id')} AS cycle_title,
         ts_headline('english', ${SHIELDED("CASE WHEN to_tsvector('english', p.body) @@ q.query THEN p.body ELSE p.title END")}, q.query, '${HEADLINE}') AS snippet
       FROM page p, q ORDER BY p.rank DESC, p.cycle_id, p.key`,
      params,
    );
    return rows.map((r) => ({
      kind: r.kind,
      cycleId: r.cycle_id,
      key: r.key,
      title: r.title,
      cycleTitle: r.cycle_title,
      withdrawn: r.withdrawn,
      snippet: r.snippet,
      position: { rank: r.rank, cycleId: r.cycle_id, key: r.key },
    }));
  }
}
