/** The data-protection feature: retention of records, subject-access exports, erasure and redaction (UK GDPR). */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntitySchema } from 'typeorm';
import { AccountsModule } from '@app/accounts';
import { RetentionRuleEntity } from './retention-rule.entity';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';
import { AgreementsModule } from '@app/agreements';
import { ConversationModule } from '@app/conversation';
import { EvidenceModule } from '@app/evidence';
import { CyclesModule } from '@app/cycles';
import { MilestonesModule } from '@app/milestones';
import { NotificationsModule } from '@app/notifications';
import { PartnershipsModule } from '@app/partnerships';
import { WebhooksModule } from '@app/webhooks';
import { SubjectAccessService } from './subject-access.service';
import { ErasureService } from './erasure.service';

/** The tables this feature owns, registered with the data source by its module. */
export const DATA_PROTECTION_ENTITIES: (abstract new () => object)[] | EntitySchema[] = [RetentionRuleEntity];

@Module({
  imports: [
    TypeOrmModule.forFeature(DATA_PROTECTION_ENTITIES),
    // Subject access (and erasure) read and change what each feature holds about a person through that feature's own services.
    AccountsModule,
    NotificationsModule,
    CyclesModule,
    MilestonesModule,
    PartnershipsModule,
    AgreementsModule,
    WebhooksModule,
    ConversationModule,
    EvidenceModule,
  ],
  providers: [RetentionRepository, RetentionService, SubjectAccessService, ErasureService],
  exports: [RetentionService, SubjectAccessService, ErasureService],
})
export class DataProtectionModule {}
