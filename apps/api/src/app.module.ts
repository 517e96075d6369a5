/** The API app's module: the features' libraries and the HTTP controllers over them. */
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AccountsModule } from '@app/accounts';
import { loggerModule } from '@app/http';
import { AppConfigModule } from '@app/config';
import { CyclesModule } from '@app/cycles';
import { DatabaseModule } from '@app/database';
import { MilestonesModule } from '@app/milestones';
import { NotificationsModule } from '@app/notifications';
import { PartnershipsModule } from '@app/partnerships';
import { QueueModule } from '@app/queue';
import { AuthController } from './accounts/auth.controller';
import { OrganisationsController } from './accounts/organisations.controller';
import { HandoverController } from './accounts/handover.controller';
import { AdminBootstrap } from './accounts/admin.bootstrap';
import { AuditController } from './audit/audit.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { AuthGuard } from './http/auth.guard';
import { ProblemFilter } from './http/problem.filter';
import { validationPipe } from '@app/http';
import { PartnershipInvitationsController, PartnershipsController } from './partnerships/partnerships.controller';
import { WebhooksController } from './partnerships/webhooks.controller';
import { WebhooksModule } from '@app/webhooks';
import { AgreementsModule } from '@app/agreements';
import { AgreementController } from './partnerships/agreement.controller';
import { CyclesController } from './cycles/cycles.controller';
import { MilestonesController } from './cycles/milestones.controller';
import { CycleInvitationsController } from './cycles/cycle-invitations.controller';
import { CalendarController } from './partnerships/calendar.controller';
import { MeController } from './accounts/me.controller';
import { PersonalTokensController } from './accounts/personal-tokens.controller';
import { IdentityProviderController } from './accounts/identity-provider.controller';
import { DownloadsController } from './open-data/downloads.controller';
import { OpenDataModule } from '@app/open-data';
import { OcdsController } from './open-data/ocds.controller';
import { DataProtectionModule } from '@app/data-protection';
import { ReorganisationModule } from '@app/reorganisation';
import { SuccessionController } from './reorganisation/succession.controller';
import { RetentionController } from './data-protection/retention.controller';
import { SubjectAccessController } from './data-protection/subject-access.controller';
import { ErasureController } from './data-protection/erasure.controller';
import { ConversationModule } from '@app/conversation';
import { CommentsController } from './cycles/comments.controller';
import { EvidenceModule } from '@app/evidence';
import { AttachmentsController } from './cycles/attachments.controller';
import { SearchModule } from '@app/search';
import { SearchController } from './search/search.controller';

@Module({
  imports: [
    AppConfigModule,
    loggerModule,
    DatabaseModule,
    QueueModule,
    TerminusModule.forRoot({ logger: false }),
    AccountsModule,
    PartnershipsModule,
    CyclesModule,
    MilestonesModule,
    NotificationsModule,
    WebhooksModule,
    AgreementsModule,
    OpenDataModule,
    DataProtectionModule,
    ConversationModule,
    EvidenceModule,
    SearchModule,
    ReorganisationModule,
  ],
  controllers: [
    HealthController,
    MetricsController,
    AuthController,
    OrganisationsController,
    HandoverController,
    PartnershipsController,
    PartnershipInvitationsController,
    CalendarController,
    CyclesController,
    MilestonesController,
    CycleInvitationsController,
    MeController,
    PersonalTokensController,
    IdentityProviderController,
    WebhooksController,
    AgreementController,
    DownloadsController,
    OcdsController,
    AuditController,
    RetentionController,
    SubjectAccessController,
    ErasureController,
    CommentsController,
    AttachmentsController,
    SearchController,
    SuccessionController,
  ],
  providers: [AdminBootstrap, { provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_PIPE, useFactory: validationPipe }, { provide: APP_FILTER, useClass: ProblemFilter }],
})
export class AppModule {}
