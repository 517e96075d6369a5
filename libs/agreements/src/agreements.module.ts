import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { PartnershipsModule } from '@app/partnerships';
import { AgreementEntity, AgreementHistoryEntity } from './agreement.entity';
import { AgreementsService } from './agreements.service';

/** The tables this feature owns, registered with the data source by its module. */
export const AGREEMENTS_ENTITIES = [AgreementEntity, AgreementHistoryEntity];

@Module({
  imports: [AccountsModule, PartnershipsModule, TypeOrmModule.forFeature(AGREEMENTS_ENTITIES)],
  providers: [AgreementsService],
  exports: [AgreementsService],
})
export class AgreementsModule {}
