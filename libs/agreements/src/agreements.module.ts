/** The agreements feature: its tables and services, for the apps to import. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { PartnershipsModule } from '@app/partnerships';
import { AgreementEntity, AgreementHistoryEntity, AgreementReviewEntity } from './agreement.entity';
import { AgreementReviewsService } from './agreement-reviews.service';
import { AgreementsService } from './agreements.service';
import { AgreementReleasesService } from './agreement-releases.service';
import { AgreementsSubjectAccess } from './agreements.subject-access';

/** The tables this feature owns, registered with the data source by its module. */
export const AGREEMENTS_ENTITIES = [AgreementEntity, AgreementHistoryEntity, AgreementReviewEntity];

@Module({
  imports: [AccountsModule, PartnershipsModule, TypeOrmModule.forFeature(AGREEMENTS_ENTITIES)],
  providers: [AgreementsService, AgreementReviewsService, AgreementsSubjectAccess, AgreementReleasesService],
  exports: [AgreementsService, AgreementReviewsService, AgreementsSubjectAccess, AgreementReleasesService],
})
export class AgreementsModule {}
