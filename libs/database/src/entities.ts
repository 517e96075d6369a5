import { OrganisationEntity } from '@app/accounts/organisation.entity';
import { UserEntity } from '@app/accounts/user.entity';
import { WebSessionEntity } from '@app/accounts/web-session.entity';
import { CycleEntity, CycleHistoryEntity } from '@app/cycles/cycle.entity';
import { IncidentEntity, MilestoneEntity, NotificationEntity, OutboxEntity } from '@app/milestones/milestone.entity';
import {
  AnchorEntity,
  OutcomeEntity,
  PartnershipEntity,
  PartnershipMemberEntity,
  TableDeclarationEntity,
} from '@app/partnerships/partnership.entity';

/** Every entity, listed once, for the Nest module and the TypeORM CLI alike. */
export const ENTITIES = [
  OrganisationEntity,
  UserEntity,
  WebSessionEntity,
  PartnershipEntity,
  PartnershipMemberEntity,
  TableDeclarationEntity,
  OutcomeEntity,
  AnchorEntity,
  CycleEntity,
  CycleHistoryEntity,
  MilestoneEntity,
  OutboxEntity,
  NotificationEntity,
  IncidentEntity,
];
