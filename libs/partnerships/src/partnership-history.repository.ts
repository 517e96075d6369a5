/** The partnership's chained history and the proposals that wait for a second commissioner member. */
import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { FeatureRepository } from '@app/database';
import { NotFound } from '@app/domain';
import { ChainHead, ChainVerdict, ChainedHistory } from '@app/history';
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

/** The partnership's history, its head on the partnership's row (@app/history: the chain's subject is the partnership's id). */
const HISTORY = new ChainedHistory(PartnershipHistoryEntity, 'partnershipId', { table: 'partnerships', key: 'id', version: 'history_version', hash: 'history_hash' });

/**
 * The partnership's chained history and its open proposals. Entries are chained, appended and
 * verified by the history library, in the caller's transaction, the partnership's row holding the head.
 */
@Injectable()
export class PartnershipHistoryRepository extends FeatureRepository {
  /** Chains the records after the head, locking the partnership's row until the caller's transaction ends. */
  async append(partnershipId: string, records: PartnershipRecord[]): Promise<PartnershipHistoryEntity[]> {
    if (!records.length) return [];
    const locked = await HISTORY.lock<{ archived_at: Date | null }>(this.manager, partnershipId, ['archived_at']);
    if (!locked) throw new NotFound('partnership');
    let state = locked.row.archived_at ? 'archived' : 'open';
    const contents = records.map((record) => {
      const toState = record.type === 'ARCHIVED' ? 'archived' : state;
      const content = { ...record, fromState: state, toState };
      state = toState;
      return content;
    });
    return HISTORY.append(this.manager, partnershipId, locked.head, contents);
  }

  entries(partnershipId: string): Promise<PartnershipHistoryEntity[]> {
    return HISTORY.entries(this.dataSource.manager, partnershipId);
  }

  /** The head the partnership's row keeps now and its entries up to it, in pages (undefined: no partnership). */
  async exportOf(partnershipId: string): Promise<{ head: ChainHead; pages: AsyncGenerator<PartnershipHistoryEntity[]> } | undefined> {
    const head = await HISTORY.currentHead(this.dataSource.manager, partnershipId);
    return head && { head, pages: HISTORY.pages(this.dataSource.manager, partnershipId, head.version) };
  }

  /** The whole chain checked, and its end against the head the partnership's row keeps (one snapshot of both). */
  verify(partnershipId: string): Promise<ChainVerdict> {
    return HISTORY.verify(this.dataSource, partnershipId);
  }

  /** The open proposal of this action (and member), locked with the caller's transaction. */
  openProposal(partnershipId: string, action: ProposalAction, organisationId: string | null): Promise<PartnershipProposalEntity | null> {
    return this.manager.getRepository(PartnershipProposalEntity).findOne({
      where: { partnershipId, action, organisationId: organisationId ?? IsNull(), state: 'open' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async propose(
    proposal: Pick<PartnershipProposalEntity, 'partnershipId' | 'action' | 'organisationId' | 'proposedByUserId' | 'proposedByOrganisationId' | 'proposedAt'>,
  ): Promise<PartnershipProposalEntity> {
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
