import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { NotificationsModule } from '@app/notifications';
import { AnchorEntity, OutcomeEntity, PartnershipEntity, PartnershipInvitationEntity, PartnershipMemberEntity, TableDeclarationEntity } from './partnership.entity';
import { PartnershipsRepository } from './partnerships.repository';
import { PartnershipsService } from './partnerships.service';

/** The tables this feature owns, registered with the data source by its module. */
export const PARTNERSHIPS_ENTITIES = [PartnershipEntity, PartnershipMemberEntity, TableDeclarationEntity, OutcomeEntity, AnchorEntity, PartnershipInvitationEntity];

@Module({
  imports: [AccountsModule, NotificationsModule, TypeOrmModule.forFeature(PARTNERSHIPS_ENTITIES)],
  providers: [PartnershipsRepository, PartnershipsService],
  exports: [PartnershipsService],
})
export class PartnershipsModule {}
