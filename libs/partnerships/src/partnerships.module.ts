/** The partnerships feature: its tables, repositories and services, for the apps and other features to import. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { NotificationsModule } from '@app/notifications';
import {
  AnchorEntity,
  OutcomeEntity,
  PartnershipEntity,
  PartnershipHistoryEntity,
  PartnershipInvitationEntity,
  PartnershipMemberEntity,
  PartnershipProposalEntity,
  TableDeclarationEntity,
} from './partnership.entity';
import { PartnershipsRepository } from './partnerships.repository';
import { PartnershipInvitationsRepository } from './partnership-invitations.repository';
import { PartnershipCalendarRepository } from './partnership-calendar.repository';
import { PartnershipFrameworkRepository } from './partnership-framework.repository';
import { PartnershipHistoryRepository } from './partnership-history.repository';
import { PartnershipsService } from './partnerships.service';
import { PartnershipDecisionsService } from './partnership-decisions.service';
import { PartnershipGovernanceService } from './partnership-governance.service';
import { PartnershipInvitationsService } from './partnership-invitations.service';
import { PartnershipCalendarService } from './partnership-calendar.service';
import { PartnershipFrameworkService } from './partnership-framework.service';
import { PartnershipsSubjectAccess } from './partnerships.subject-access';

/** The tables this feature owns, registered with the data source by its module. */
export const PARTNERSHIPS_ENTITIES = [
  PartnershipEntity,
  PartnershipMemberEntity,
  TableDeclarationEntity,
  OutcomeEntity,
  AnchorEntity,
  PartnershipInvitationEntity,
  PartnershipHistoryEntity,
  PartnershipProposalEntity,
];

const SERVICES = [PartnershipsSubjectAccess, PartnershipsService, PartnershipGovernanceService, PartnershipInvitationsService, PartnershipCalendarService, PartnershipFrameworkService];

@Module({
  imports: [AccountsModule, NotificationsModule, TypeOrmModule.forFeature(PARTNERSHIPS_ENTITIES)],
  providers: [
    PartnershipsRepository,
    PartnershipInvitationsRepository,
    PartnershipCalendarRepository,
    PartnershipFrameworkRepository,
    PartnershipHistoryRepository,
    PartnershipDecisionsService,
    ...SERVICES,
  ],
  exports: SERVICES,
})
export class PartnershipsModule {}
