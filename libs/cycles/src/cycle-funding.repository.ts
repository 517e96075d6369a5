/** What funding by year reads of a partnership's cycles (through CycleQueriesService, for the partnership's pages and its open data): pledges and proposals. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Pledge, Proposal } from '@app/domain';

@Injectable()
export class CycleFundingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** What a partnership's cycles (cancelled ones aside) hold of money: pledges and proposals. */
  async fundingOf(partnershipId: string): Promise<{ pledges: Pledge[] | null; proposals: Proposal[] }[]> {
    return this.dataSource.query(
      `SELECT c.snapshot->'context'->'pledges' AS pledges, c.snapshot->'context'->'proposals' AS proposals
       FROM cycles c WHERE c.partnership_id = $1 AND c.state <> 'cancelled'`,
      [partnershipId],
    );
  }
}
