/** The cycles feature: its tables, repositories and services, split by job, for the apps and other features. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { CycleEntity, CycleHistoryEntity, CycleTextEntity, HistoryCheckpointEntity } from './cycle.entity';
import { HistoryAuditService } from './history-audit.service';
import { PartnershipsModule } from '@app/partnerships';
import { CycleCreationService } from './cycle-creation.service';
import { CycleEventsService } from './cycle-events.service';
import { CycleQueriesService } from './cycle-queries.service';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { CycleStore } from './cycle-store';
import { CYCLES_REPOSITORIES } from './cycle-repositories';
import { CycleDirectory } from './cycle-directory.service';
import { PartnershipMembersService } from './partnership-members.service';
import { TaskNotes } from './task-notes.service';
import { AuditSigningKey } from './audit-signing';
import { SignedCheckpointsService } from './signed-checkpoints.service';
import { NotificationsModule } from '@app/notifications';
import { CycleInvitationEntity } from './cycle-invitation.entity';
import { CycleInvitationsService } from './cycle-invitations.service';
import { CycleReleasesService } from './cycle-releases.service';
import { CyclesSubjectAccess } from './cycles.subject-access';
import { CycleHandoverService } from './cycle-handover.service';

/** Cycles, split by job: reading them, opening them, and the one write path of their events, over one store of what is kept of them. */
/** The tables this feature owns, registered with the data source by its module. */
export const CYCLES_ENTITIES = [CycleEntity, CycleHistoryEntity, HistoryCheckpointEntity, CycleTextEntity, CycleInvitationEntity];

/** What other features may inject: the cycles' services (the repositories stay inside). */
const CYCLES_SERVICES = [
  CycleQueriesService,
  CycleCreationService,
  CycleEventsService,
  PartnershipMembersService,
  HistoryAuditService,
  AuditSigningKey,
  SignedCheckpointsService,
  CycleInvitationsService,
  CycleReleasesService,
  CyclesSubjectAccess,
  CycleHandoverService,
  // The partnership and people the rules read, for a succession's dry run (libs/reorganisation).
  CycleDirectory,
];

@Module({
  imports: [AccountsModule, PartnershipsModule, NotificationsModule, TypeOrmModule.forFeature(CYCLES_ENTITIES)],
  providers: [{ provide: CycleStore, useFactory: (config: AppConfig) => new CycleStore(config.cycleCache), inject: [APP_CONFIG] }, ...CYCLES_REPOSITORIES, TaskNotes, ...CYCLES_SERVICES],
  // Other features read cycles through the services (the repositories stay inside); the store is the API's kept view JSON's too.
  exports: [CycleStore, ...CYCLES_SERVICES],
})
export class CyclesModule {}
