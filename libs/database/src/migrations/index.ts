/** Every migration, in timestamp order: the list the data source runs. */
import { Foundation1763900000000 } from './1763900000000-foundation';
import { Cycles1763910000000 } from './1763910000000-cycles';
import { Milestones1763920000000 } from './1763920000000-milestones';
import { CycleListIndex1763930000000 } from './1763930000000-cycle-list-index';
import { ProgressFromHistory1763940000000 } from './1763940000000-progress-from-history';
import { ProgressIndex1763950000000 } from './1763950000000-progress-index';
import { WebSessions1763960000000 } from './1763960000000-web-sessions';
import { HashScheme1763970000000 } from './1763970000000-hash-scheme';
import { AccountLife1763985000000 } from './1763985000000-account-life';
import { RepresentativeHistory1763986000000 } from './1763986000000-representative-history';
import { PartnershipArchive1763987000000 } from './1763987000000-partnership-archive';
import { CalendarTokenIssued1763990000000 } from './1763990000000-calendar-token-issued';
import { TaskNotifications1763995000000 } from './1763995000000-task-notifications';
import { Webhooks1763996000000 } from './1763996000000-webhooks';
import { HistoryCheckpoints1763999000000 } from './1763999000000-history-checkpoints';
import { AgreementReviews1763998000000 } from './1763998000000-agreement-reviews';
import { Agreements1763997000000 } from './1763997000000-agreements';
import { PartnershipPublic1764000000000 } from './1764000000000-partnership-public';
import { ProgressCount1764100000000 } from './1764100000000-progress-count';
import { CycleTexts1764200000000 } from './1764200000000-cycle-texts';
import { WebhooksFollowAccess1764300000000 } from './1764300000000-webhooks-follow-access';
import { AccountGuards1764320000000 } from './1764320000000-account-guards';
import { PartnershipInvitations1764330000000 } from './1764330000000-partnership-invitations';
import { PartnershipHistory1764331000000 } from './1764331000000-partnership-history';
import { SignedCheckpoints1764340000000 } from './1764340000000-signed-checkpoints';
import { PersonalAccessTokens1764390000000 } from './1764390000000-personal-access-tokens';
import { CycleInvitations1764400000000 } from './1764400000000-cycle-invitations';
import { CycleGuests1764401000000 } from './1764401000000-cycle-guests';
import { SealedHistory1764420000000 } from './1764420000000-sealed-history';
import { SealedAgreementHistory1764430000000 } from './1764430000000-sealed-agreement-history';
import { Successions1764440000000 } from './1764440000000-successions';
import { Attachments1764450000000 } from './1764450000000-attachments';
import { Comments1764470000000 } from './1764470000000-comments';
import { SuccessionOutcomes1764500000000 } from './1764500000000-succession-outcomes';
import { EmailQueueOrder1764560000000 } from './1764560000000-email-queue-order';
import { Search1764480000000 } from './1764480000000-search';
import { AdminCycleList1764490000000 } from './1764490000000-admin-cycle-list';
import { IdentityProviders1764391000000 } from './1764391000000-identity-providers';
import { Retention1764410000000 } from './1764410000000-retention';

/** Every migration in order. A new one is added here as well as in this folder. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [
  Foundation1763900000000,
  Cycles1763910000000,
  Milestones1763920000000,
  CycleListIndex1763930000000,
  ProgressFromHistory1763940000000,
  ProgressIndex1763950000000,
  WebSessions1763960000000,
  HashScheme1763970000000,
  AccountLife1763985000000,
  RepresentativeHistory1763986000000,
  PartnershipArchive1763987000000,
  CalendarTokenIssued1763990000000,
  TaskNotifications1763995000000,
  Webhooks1763996000000,
  Agreements1763997000000,
  AgreementReviews1763998000000,
  HistoryCheckpoints1763999000000,
  PartnershipPublic1764000000000,
  ProgressCount1764100000000,
  CycleTexts1764200000000,
  WebhooksFollowAccess1764300000000,
  AccountGuards1764320000000,
  PartnershipInvitations1764330000000,
  PartnershipHistory1764331000000,
  SignedCheckpoints1764340000000,
  PersonalAccessTokens1764390000000,
  IdentityProviders1764391000000,
  CycleInvitations1764400000000,
  CycleGuests1764401000000,
  Retention1764410000000,
  SealedHistory1764420000000,
  SealedAgreementHistory1764430000000,
  Successions1764440000000,
  Attachments1764450000000,
  Comments1764470000000,
  SuccessionOutcomes1764500000000,
  Search1764480000000,
  AdminCycleList1764490000000,
  EmailQueueOrder1764560000000,
];
