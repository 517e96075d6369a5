import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { NotificationsModule } from '@app/notifications';
import { AnchorEntity, OutcomeEntity, PartnershipEntity, PartnershipHistoryEntity, PartnershipInvitationEntity, PartnershipMemberEntity, PartnershipProposalEntity, TableDeclarationEntity } from './partnership.entity';
import { PartnershipsRepository } from './partnerships.repository';
import { PartnershipsService } from './partnerships.service';
import { PartnershipHistoryRepository } from './partnership-history.repository';

/** The tables this feature owns, registered with the data source by its module. */
export const PARTNERSHIPS_ENTITIES = [PartnershipEntity, PartnershipMemberEntity, TableDeclarationEntity, OutcomeEntity, AnchorEntity, PartnershipInvitationEntity, PartnershipHistoryEntity, PartnershipProposalEntity];

@Module({
  imports: [AccountsModule, NotificationsModule, TypeOrmModule.forFeature(PARTNERSHIPS_ENTITIES)],
  providers: [PartnershipsRepository, PartnershipHistoryRepository, PartnershipsService],
  exports: [PartnershipsService],
})
export class PartnershipsModule {}
