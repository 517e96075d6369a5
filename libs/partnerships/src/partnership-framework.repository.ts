/** What each member puts on and keeps off the table (every version kept) and the shared outcome framework. */
import { Injectable } from '@nestjs/common';
import { FeatureRepository } from '@app/database';
import { Metric, OutcomeEntity, PartnershipMemberEntity, TableDeclarationEntity } from './partnership.entity';

@Injectable()
export class PartnershipFrameworkRepository extends FeatureRepository {
  declarationHistories(partnershipId: string): Promise<TableDeclarationEntity[]> {
    return this.dataSource.getRepository(TableDeclarationEntity).find({ where: { partnershipId }, order: { organisationId: 'ASC', version: 'DESC' } });
  }

  declarationHistory(partnershipId: string, organisationId: string): Promise<TableDeclarationEntity[]> {
    return this.dataSource.getRepository(TableDeclarationEntity).find({ where: { partnershipId, organisationId }, order: { version: 'DESC' } });
  }

  /** Appends the next version; the member row is locked so two declarations never clash. */
  declare(partnershipId: string, organisationId: string, declaredByUserId: string, on: string[], off: string[]): Promise<TableDeclarationEntity> {
    return this.transactions.run(async () => {
      await this.manager
        .getRepository(PartnershipMemberEntity)
        .createQueryBuilder('m')
        .setLock('pessimistic_write')
        .where('m.partnership_id = :partnershipId AND m.organisation_id = :organisationId', {
          partnershipId,
          organisationId,
        })
        .getOne();
      const latest = await this.manager.getRepository(TableDeclarationEntity).findOne({ where: { partnershipId, organisationId }, order: { version: 'DESC' } });
      return this.manager.save(
        this.manager.create(TableDeclarationEntity, {
          partnershipId,
          organisationId,
          declaredByUserId,
          on,
          off,
          version: (latest?.version ?? 0) + 1,
        }),
      );
    });
  }

  /** How many outcomes the partnership has, read in the caller's transaction. */
  countOutcomes(partnershipId: string): Promise<number> {
    return this.manager.getRepository(OutcomeEntity).countBy({ partnershipId });
  }

  insertOutcome(outcome: { partnershipId: string; title: string; metrics: Metric[]; createdByUserId: string }) {
    const repository = this.manager.getRepository(OutcomeEntity);
    return repository.save(repository.create(outcome));
  }

  outcomes(partnershipId: string): Promise<OutcomeEntity[]> {
    return this.dataSource.getRepository(OutcomeEntity).find({ where: { partnershipId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
