import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { AnchorEntity, OutcomeEntity, PartnershipEntity, PartnershipMemberEntity, TableDeclarationEntity } from './partnership.entity';
import { PartnershipsRepository } from './partnerships.repository';
import { PartnershipsService } from './partnerships.service';

/** The tables this feature owns, registered with the data source by its module. */
export const PARTNERSHIPS_ENTITIES = [PartnershipEntity, PartnershipMemberEntity, TableDeclarationEntity, OutcomeEntity, AnchorEntity];

@Module({
  imports: [AccountsModule, TypeOrmModule.forFeature(PARTNERSHIPS_ENTITIES)],
  providers: [PartnershipsRepository, PartnershipsService],
  exports: [PartnershipsService],
})
export class PartnershipsModule {}
