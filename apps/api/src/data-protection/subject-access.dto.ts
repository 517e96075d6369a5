/** The subject-access export's shape, as OpenAPI describes it (the service writes it as a stream; these classes only document it). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const list = (description: string) => ApiProperty({ type: 'array', items: { type: 'object' }, description });

export class SubjectUserDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['admin', 'member', 'lead', 'guest'] }) role!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) organisationId!: string | null;
  @ApiProperty() active!: boolean;
  @ApiProperty() activeSetByAdmin!: boolean;
  @ApiProperty() roleSetByAdmin!: boolean;
  @ApiProperty() representative!: boolean;
  @ApiProperty() mustChangePassword!: boolean;
  @ApiPropertyOptional({ nullable: true, type: Object, description: '`{ issuedAt }` when a calendar token is held (never the token)' }) calendarToken!: { issuedAt: string | null } | null;
  @ApiProperty() createdAt!: string;
}

export class SubjectOrganisationDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() kind!: string;
}

export class SubjectSessionDto {
  @ApiProperty() createdAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ description: 'Still valid now' }) current!: boolean;
}

export class SubjectTokenDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['read', 'write'] }) scope!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) lastUsedAt!: string | null;
}

export class SubjectHistoryEntryDto {
  @ApiProperty() cycleId!: string;
  @ApiProperty() seq!: number;
  @ApiProperty() type!: string;
  @ApiProperty() at!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The organisation they acted for' }) organisationId!: string | null;
  @ApiProperty({ description: 'Whether they acted as its representative' }) representative!: boolean;
}

export class SubjectTextDto {
  @ApiProperty() cycleId!: string;
  @ApiProperty() seq!: number;
  @ApiProperty({ description: 'The field’s path in the entry: `statement`, `reason`, `insight`…', example: 'statement' }) field!: string;
  @ApiProperty() text!: string;
}

export class SubjectAccessDto {
  @ApiProperty() exportedAt!: string;
  @ApiProperty({ type: SubjectUserDto, description: 'The account (no password hash, no token hashes)' }) user!: SubjectUserDto;
  @ApiPropertyOptional({ nullable: true, type: SubjectOrganisationDto }) organisation!: SubjectOrganisationDto | null;
  @ApiProperty({ description: '`{ email: immediate|daily|off }`' }) preferences!: { email: string };
  @ApiProperty({ type: [SubjectSessionDto], description: 'Web sign-ins' }) sessions!: SubjectSessionDto[];
  @ApiProperty({ type: [SubjectTokenDto], description: 'Personal access tokens, by name, scope and dates' }) tokens!: SubjectTokenDto[];
  @list('Identity providers’ subjects linked to the account: `{ issuer, subject, linkedAt }`') identities!: object[];
  @list('Notifications, oldest first, each with its email deliveries and the task it tells of') notifications!: object[];
  @list('Tasks given to them: `{ notificationId, cycleId, key, state, createdAt, doneAt }`') tasks!: object[];
  @ApiProperty({ type: [SubjectHistoryEntryDto], description: 'Every entry they made in a cycle’s history' }) historyEntries!: SubjectHistoryEntryDto[];
  @ApiProperty({ type: [SubjectTextDto], description: 'The free texts of those entries' }) texts!: SubjectTextDto[];
  @list('Cycles whose review panel names them now: `{ cycleId, title, state }`') panelSeats!: object[];
  @list('Cycles whose facilitators name them now: `{ cycleId, title, state }`') facilitatorRoles!: object[];
  @list('Cycles they opened') cyclesCreated!: object[];
  @list('Invitations they sent or received: `kind` cycle or partnership, `relation` sent, received or decided (the invitee’s own details are not given)') invitations!: object[];
  @list('Milestones they scheduled') milestonesScheduled!: object[];
  @list('Milestone incidents they retried') incidentsRetried!: object[];
  @list('Partnerships they opened') partnershipsCreated!: object[];
  @list('Partnerships they archived') partnershipsArchived!: object[];
  @list('Partnership proposals they made or decided') partnershipProposals!: object[];
  @list('On/off-the-table declarations they made for their organisation') tableDeclarations!: object[];
  @list('Outcomes they added') outcomesAdded!: object[];
  @list('Entries they made in partnerships’ histories: `{ partnershipId, seq, type, at, organisationId, representative }`') partnershipHistoryEntries!: object[];
  @list('Entries they made in partnership agreements’ histories: `{ partnershipId, seq, type, at, organisationId, representative }`') agreementHistoryEntries!: object[];
  @list('The free texts of those entries: `{ partnershipId, seq, field, text }`') agreementTexts!: object[];
  @list('Agreement review dates they set') agreementReviews!: object[];
  @list('Webhook subscriptions they made (never the signing secret)') webhooks!: object[];
  @list('Comments they wrote') comments!: object[];
  @list('Files they attached') attachments!: object[];
}
