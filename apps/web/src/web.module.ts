/** The web app's module: GOV.UK-styled pages over the same library services as the API. */
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccountsModule } from '@app/accounts';
import { ReorganisationModule } from '@app/reorganisation';
import { AppConfigModule } from '@app/config';
import { CyclesModule } from '@app/cycles';
import { DatabaseModule } from '@app/database';
import { loggerModule } from '@app/http';
import { MilestonesModule } from '@app/milestones';
import { NotificationsModule } from '@app/notifications';
import { PartnershipsModule } from '@app/partnerships';
import { QueueModule } from '@app/queue';
import { WebhooksModule } from '@app/webhooks';
import { AgreementsModule } from '@app/agreements';
import { OpenDataModule } from '@app/open-data';
import { AgreementPagesController } from './partnerships/agreement-pages.controller';
import { AdminController } from './admin/admin.controller';
import { CyclePagesController } from './cycles/cycle-pages.controller';
import { LayoutService } from './http/layout.service';
import { NamesService } from './http/names.service';
import { ChoicesService } from './http/choices.service';
import { WordDiffs } from './http/word-diffs.service';
import { PageFilter } from './http/page.filter';
import { SessionGuard } from './http/session.guard';
import { NotificationsController } from './notifications/notifications.controller';
import { PartnershipPagesController } from './partnerships/partnership-pages.controller';
import { PartnershipGovernanceController } from './partnerships/partnership-governance.controller';
import { PartnershipCalendarController } from './partnerships/partnership-calendar.controller';
import { PartnershipWebhooksController } from './partnerships/partnership-webhooks.controller';
import { PartnershipCyclesController } from './partnerships/partnership-cycles.controller';
import { PartnershipPageService } from './partnerships/partnership-page.service';
import { InvitationPagesController } from './partnerships/invitation-pages.controller';
import { SignInController } from './sign-in/sign-in.controller';
import { HealthController } from './health/health.controller';
import { OidcController } from './sign-in/oidc.controller';
import { GuestInvitationsController } from './sign-in/guest-invitations.controller';
import { WorkController } from './work/work.controller';
import { PeopleController } from './people/people.controller';
import { HandoverController } from './people/handover.controller';
import { IdentityProviderPagesController } from './people/identity-provider.controller';
import { UnsubscribeController } from './notifications/unsubscribe.controller';
import { DownloadsController } from './open-data/downloads.controller';
import { HistoryExportsController } from './audit/history-exports.controller';
import { PublicPagesController } from './public/public-pages.controller';
import { DataProtectionModule } from '@app/data-protection';
import { RetentionPagesController } from './admin/retention.controller';
import { SuccessionPagesController } from './admin/successions.controller';
import { ErasurePagesController } from './admin/erasure.controller';
import { RedactionPagesController } from './admin/redaction.controller';
import { PrivacyPageController } from './public/privacy-page.controller';
import { StatementsController } from './public/statements.controller';
import { YourDataController } from './people/your-data.controller';
import { ConversationModule } from '@app/conversation';
import { CommentPagesController } from './cycles/comment-pages.controller';
import { SearchModule } from '@app/search';
import { SearchPagesController } from './search/search-pages.controller';
import { CommentThreads } from './cycles/comment-threads';
import { EvidenceModule } from '@app/evidence';
import { AttachmentPagesController } from './cycles/attachment-pages.controller';

/** The web app: GOV.UK-styled pages over the same library services as the API. */
@Module({
  imports: [
    AppConfigModule,
    loggerModule,
    DatabaseModule,
    QueueModule,
    AccountsModule,
    PartnershipsModule,
    ReorganisationModule,
    CyclesModule,
    MilestonesModule,
    NotificationsModule,
    WebhooksModule,
    AgreementsModule,
    OpenDataModule,
    DataProtectionModule,
    ConversationModule,
    SearchModule,
    EvidenceModule,
  ],
  controllers: [
    HealthController,
    YourDataController,
    SignInController,
    OidcController,
    GuestInvitationsController,
    WorkController,
    CyclePagesController,
    CommentPagesController,
    SearchPagesController,
    AttachmentPagesController,
    PartnershipPagesController,
    PartnershipGovernanceController,
    PartnershipCalendarController,
    PartnershipWebhooksController,
    PartnershipCyclesController,
    InvitationPagesController,
    NotificationsController,
    AdminController,
    PeopleController,
    HandoverController,
    IdentityProviderPagesController,
    UnsubscribeController,
    AgreementPagesController,
    DownloadsController,
    HistoryExportsController,
    PublicPagesController,
    RetentionPagesController,
    SuccessionPagesController,
    ErasurePagesController,
    RedactionPagesController,
    PrivacyPageController,
    StatementsController,
  ],
  providers: [
    CommentThreads,
    LayoutService,
    NamesService,
    ChoicesService,
    WordDiffs,
    PartnershipPageService,
    { provide: APP_GUARD, useClass: SessionGuard },
    { provide: APP_FILTER, useClass: PageFilter },
  ],
})
export class WebModule {}
