import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Transactions } from '@app/database';
import { ChainVerdict, chainedEntry, verifyChain } from '@app/cycles/history-chain';
import { PartnershipHistoryEntity, PartnershipProposalEntity, ProposalAction } from './partnership.entity';

/** One thing that happened to a partnership, before it is chained. */
export interface PartnershipRecord {
  type: string;
  actorUserId: string | null;
  organisationId: string | null;
  representative: boolean;
  payload: Record<string, unknown>;
  at: Date;
}

/**
 * The partnership's chained history and its open proposals. Entries are chained with the cycles'
 * own code (history-chain: the chain's subject id is the partnership's, as the agreement's is),
 * in the caller's transaction, the partnership's row holding the head.
 */
@Injectable()
export class PartnershipHistoryRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  private get manager(): EntityManager {
    return this.transactions.manager;
  }

  /** Chains the records after the head, locking the partnership's row until the caller's transaction ends. */
  async append(partnershipId: string, records: PartnershipRecord[]): Promise<PartnershipHistoryEntity[]> {
    if (!records.length) return [];
    const [head]: { history_version: number; history_hash: string; archived_at: Date | null }[] = await this.manager.query(
      'SELECT history_version, history_hash, archived_at FROM partnerships WHERE id = $1 FOR UPDATE',
      [partnershipId],
    );
    let state = head.archived_at ? 'archived' : 'open';
    let seq = head.history_version;
    let prev = head.history_hash;
    const entries: PartnershipHistoryEntity[] = [];
    for (const record of records) {
      const toState = record.type === 'ARCHIVED' ? 'archived' : state;
      const { cycleId: _, ...entry } = chainedEntry(partnershipId, seq + 1, prev, { ...record, fromState: state, toState });
      entries.push({ ...entry, partnershipId, hashScheme: 3 });
      ({ seq, hash: prev } = entry);
      state = toState;
    }
    await this.manager.insert(
      PartnershipHistoryEntity,
      entries.map(({ hashScheme: _, ...e }) => e),
    );
    await this.manager.query('UPDATE partnerships SET history_version = $2, history_hash = $3 WHERE id = $1', [partnershipId, seq, prev]);
    return entries;
  }

  entries(partnershipId: string): Promise<PartnershipHistoryEntity[]> {
    return this.dataSource.getRepository(PartnershipHistoryEntity).find({ where: { partnershipId }, order: { seq: 'ASC' } });
  }

  /** The whole chain checked, and its end against the head the partnership's row keeps (one snapshot of both). */
  verify(partnershipId: string): Promise<ChainVerdict> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const [head]: { history_version: number; history_hash: string }[] = await m.query('SELECT history_version, history_hash FROM partnerships WHERE id = $1', [partnershipId]);
      const entries = await m.getRepository(PartnershipHistoryEntity).find({ where: { partnershipId }, order: { seq: 'ASC' } });
      return verifyChain(
        // The chain's subject id is the partnership's; the row's own column is not part of what was hashed.
        entries.map(({ partnershipId, partnership: _, ...e }) => ({ ...e, cycleId: partnershipId })),
        { version: head.history_version, historyHash: head.history_hash },
      );
    });
  }

  /** The open proposal of this action (and member), locked with the caller's transaction. */
  openProposal(partnershipId: string, action: ProposalAction, organisationId: string | null): Promise<PartnershipProposalEntity | null> {
    return this.manager.getRepository(PartnershipProposalEntity).findOne({
      where: { partnershipId, action, organisationId: organisationId ?? IsNull(), state: 'open' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async propose(proposal: Pick<PartnershipProposalEntity, 'partnershipId' | 'action' | 'organisationId' | 'proposedByUserId' | 'proposedByOrganisationId' | 'proposedAt'>): Promise<PartnershipProposalEntity> {
    const repository = this.manager.getRepository(PartnershipProposalEntity);
    return repository.save(repository.create(proposal));
  }

  async settle(id: string, state: 'agreed' | 'withdrawn', userId: string, organisationId: string | null, at: Date): Promise<void> {
    await this.manager.update(PartnershipProposalEntity, { id, state: 'open' }, { state, decidedByUserId: userId, decidedByOrganisationId: organisationId, decidedAt: at });
  }

  findProposal(partnershipId: string, id: string): Promise<PartnershipProposalEntity | null> {
    return this.manager.getRepository(PartnershipProposalEntity).findOneBy({ partnershipId, id });
  }

  /** Its proposals, open ones first, newest first. */
  proposals(partnershipId: string): Promise<PartnershipProposalEntity[]> {
    return this.dataSource
      .getRepository(PartnershipProposalEntity)
      .createQueryBuilder('p')
      .where('p.partnership_id = :partnershipId', { partnershipId })
      .orderBy(`p.state = 'open'`, 'DESC')
      .addOrderBy('p.proposed_at', 'DESC')
      .addOrderBy('p.id', 'ASC')
      .getMany();
  }
}
