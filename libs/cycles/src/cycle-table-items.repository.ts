/** What a partnership's on-the-table items page reads of its cycles (through CycleQueriesService): the live options that use those items. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

@Injectable()
export class CycleTableItemsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Live options of a partnership's cycles (cancelled ones aside) that use on-the-table items. */
  async tableItemsInUse(partnershipId: string): Promise<{ cycle_title: string; option_title: string; organisation_id: string; item: string }[]> {
    return this.dataSource.query(
      `SELECT c.title AS cycle_title, o->>'title' AS option_title, t->>'organisationId' AS organisation_id, t->>'item' AS item
       FROM cycles c, jsonb_array_elements(c.snapshot->'context'->'options') AS o, jsonb_array_elements(coalesce(o->'tableItems', '[]'::jsonb)) AS t
       WHERE c.partnership_id = $1 AND c.state <> 'cancelled' AND o->>'status' = 'live'
       ORDER BY c.created_at, o->>'title'`,
      [partnershipId],
    );
  }
}
