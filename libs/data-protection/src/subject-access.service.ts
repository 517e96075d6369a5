/** A person's subject-access export (UK GDPR article 15): everything held about them, as one JSON file, gathered from each feature's own subject-access reads. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { AccountsSubjectAccess, Principal, isAdmin } from '@app/accounts';
import { AgreementsSubjectAccess } from '@app/agreements';
import { CLOCK } from '@app/config';
import { ConversationSubjectAccess } from '@app/conversation';
import { EvidenceSubjectAccess } from '@app/evidence';
import { CyclesSubjectAccess } from '@app/cycles';
import { Clock, Forbidden, NotFound, dateInEngland } from '@app/domain';
import { MilestonesSubjectAccess } from '@app/milestones';
import { NotificationsSubjectAccess } from '@app/notifications';
import { PartnershipsSubjectAccess } from '@app/partnerships';
import { WebhooksSubjectAccess } from '@app/webhooks';
import { Section, jsonObjectStream } from './json-object-stream';
import { SUBJECT_ACCESS_KEYS, SubjectAccessKey } from './subject-access.coverage';

/** The export as a download: its file name and its body, written as the client reads it. */
export interface SubjectAccessFile {
  filename: string;
  body: Readable;
}

@Injectable()
export class SubjectAccessService {
  private readonly logger = new Logger(SubjectAccessService.name);

  constructor(
    private readonly accounts: AccountsSubjectAccess,
    private readonly notifications: NotificationsSubjectAccess,
    private readonly cycles: CyclesSubjectAccess,
    private readonly milestones: MilestonesSubjectAccess,
    private readonly partnerships: PartnershipsSubjectAccess,
    private readonly agreements: AgreementsSubjectAccess,
    private readonly webhooks: WebhooksSubjectAccess,
    private readonly conversation: ConversationSubjectAccess,
    private readonly evidence: EvidenceSubjectAccess,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Everything held about the user: for an admin, or the person themself (a guest too). The
   * account is read before anything is sent (an unknown person is a 404, not half a file); the
   * rest is read key by key as the client takes it, the long lists (history entries, texts,
   * notifications) a page at a time, so a person with 100,000 entries costs one page of memory.
   */
  async export(principal: Principal, userId: string): Promise<SubjectAccessFile> {
    if (principal.userId !== userId && !isAdmin(principal)) throw new Forbidden('Only platform admins may export another person’s data.');
    const account = await this.accounts.of(userId);
    if (!account) throw new NotFound('user');
    const now = this.clock.now();
    // Who exported whose data, and when: an admin's export for a person is an act to account for.
    this.logger.log({ userId, byUserId: principal.userId }, 'A subject-access export is being made');
    let partnerships: ReturnType<PartnershipsSubjectAccess['of']> | undefined;
    let milestones: ReturnType<MilestonesSubjectAccess['of']> | undefined;
    let seats: ReturnType<CyclesSubjectAccess['seats']> | undefined;
    const partnershipsPart = () => (partnerships ??= this.partnerships.of(userId));
    const milestonesPart = () => (milestones ??= this.milestones.of(userId));
    const seatsPart = () => (seats ??= this.cycles.seats(userId));
    const sections: Record<SubjectAccessKey, Section> = {
      exportedAt: async () => now.toISOString(),
      user: async () => account.user,
      organisation: async () => account.organisation,
      preferences: async () => account.preferences,
      sessions: async () => account.sessions,
      tokens: async () => account.tokens,
      identities: async () => account.identities,
      notifications: () => this.notifications.notifications(userId),
      tasks: () => this.notifications.tasks(userId),
      historyEntries: () => this.cycles.historyEntries(userId),
      texts: () => this.cycles.texts(userId),
      panelSeats: async () => (await seatsPart()).panelSeats,
      facilitatorRoles: async () => (await seatsPart()).facilitatorRoles,
      cyclesCreated: () => this.cycles.created(userId),
      invitations: async () => [...(await this.cycles.invitations(userId, account.user.email)), ...(await partnershipsPart()).invitations],
      milestonesScheduled: async () => (await milestonesPart()).milestonesScheduled,
      incidentsRetried: async () => (await milestonesPart()).incidentsRetried,
      partnershipsCreated: async () => (await partnershipsPart()).partnershipsCreated,
      partnershipsArchived: async () => (await partnershipsPart()).partnershipsArchived,
      partnershipProposals: async () => (await partnershipsPart()).partnershipProposals,
      tableDeclarations: async () => (await partnershipsPart()).tableDeclarations,
      outcomesAdded: async () => (await partnershipsPart()).outcomesAdded,
      partnershipHistoryEntries: () => this.partnerships.historyEntries(userId),
      agreementHistoryEntries: () => this.agreements.historyEntries(userId),
      agreementTexts: () => this.agreements.texts(userId),
      agreementReviews: () => this.agreements.reviews(userId),
      webhooks: () => this.webhooks.of(userId),
      comments: () => this.conversation.comments(userId),
      attachments: () => this.evidence.attachments(userId),
    };
    return {
      filename: `cocommission-subject-access-${userId}-${dateInEngland(now)}.json`,
      body: jsonObjectStream(SUBJECT_ACCESS_KEYS.map((key) => [key, sections[key]])),
    };
  }
}
