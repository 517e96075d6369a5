/** What "Your work" reads of the cycles (the web app's list of a person's cycles, through CycleQueriesService): the cycles a person is involved in, and a stamp of when that may change. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IS_ARCHIVED, IS_MEMBER, MEMBERSHIPS_STAMP, PARTNERSHIPS_OF } from '@app/partnerships/partnerships.fragment';
import type { JsonObject } from '@app/database';

/** A cycle as "Your work" needs it (see involvingSummaries). */
export interface InvolvingSummary {
  id: string;
  title: string;
  iteration: number;
  state: string;
  updatedAt: Date;
  archived: boolean;
  snapshot: JsonObject;
}

@Injectable()
export class CycleWorkRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The cycles "Your work" lists, newest first: those the person's organisation co-owns, or the
   * person reviews or facilitates, and only those the person may see (a member organisation's; an
   * independent facilitator's where named), read in one statement with what deciding who must act
   * needs: the snapshot (stored without the texts of problem revisions and options).
   */
  async involvingSummaries(organisationId: string, userId: string, facilitatorKind: boolean, limit: number): Promise<InvolvingSummary[]> {
    const rows: { id: string; title: string; iteration: number; state: string; updated_at: Date; archived: boolean; snapshot: JsonObject }[] = await this.dataSource.query(
      `SELECT c.id, c.title, c.iteration, c.state, c.updated_at, ${IS_ARCHIVED('c.partnership_id')} AS archived, c.snapshot
       FROM cycles c
       WHERE CASE WHEN $4 THEN c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($2::text)
         ELSE ${IS_MEMBER('c.partnership_id', '$1')}
           AND (c.snapshot->'context'->'coOwners' @> jsonb_build_array(jsonb_build_object('organisationId', $1::text))
             OR c.snapshot->'context'->'panelUserIds' @> jsonb_build_array($2::text)
             OR c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($2::text)) END
       ORDER BY c.created_at DESC, c.id DESC LIMIT $3`,
      [organisationId, userId, limit, facilitatorKind],
    );
    return rows.map((r) => ({ id: r.id, title: r.title, iteration: r.iteration, state: r.state, updatedAt: r.updated_at, archived: r.archived, snapshot: r.snapshot }));
  }

  /**
   * What changes whenever "Your work" may for a member organisation's people: its partnerships
   * (joined, left, archived) and every event of their cycles (versions), read without snapshots.
   */
  async involvementStamp(organisationId: string): Promise<string> {
    const [row]: { n: string; v: string; ps: string | null }[] = await this.dataSource.query(
      `SELECT count(c.id) AS n, coalesce(sum(c.version), 0) AS v,
         ${MEMBERSHIPS_STAMP('$1')} AS ps
       FROM cycles c WHERE c.partnership_id IN (${PARTNERSHIPS_OF('$1')})`,
      [organisationId],
    );
    return `${row.n}:${row.v}:${row.ps ?? ''}`;
  }
}
