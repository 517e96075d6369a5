/** The account routes' bodies and answers, with the mappers from organisations and users. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { EMAIL_PREFERENCES, EmailPreference, ORGANISATION_KINDS, OrganisationEntity, OrganisationKind, UserEntity, UserRole } from '@app/accounts';

// The request bodies are the accounts feature's (the web app's forms validate with them too).
export { ChangePasswordDto, CreateOrganisationDto, CreateUserDto, LoginDto, PreferencesDto, UpdateUserDto } from '@app/accounts';

export class TokenDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
  @ApiProperty({ description: 'Seconds until the token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'The account is still on the development default password: change it (POST /v1/me/password) before anything else' })
  usesDefaultCredentials!: boolean;
}

export class OrganisationDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ORGANISATION_KINDS }) kind!: OrganisationKind;
  @ApiProperty() createdAt!: string;
  /** `dissolved` once a succession has been carried out: it acts no more. */
  @ApiProperty({ enum: ['active', 'dissolved'] }) state!: 'active' | 'dissolved';
  @ApiProperty({ type: [String] }) successorOrganisationIds!: string[];
}

export const mapOrganisation = (o: OrganisationEntity): OrganisationDto => ({
  id: o.id,
  name: o.name,
  kind: o.kind,
  createdAt: o.createdAt.toISOString(),
  state: o.dissolvedAt ? 'dissolved' : 'active',
  successorOrganisationIds: o.successorOrganisationIds ?? [],
});

export class UserDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['admin', 'member', 'lead'], description: 'A lead manages the users of their own organisation' }) role!: UserRole;
  @ApiProperty({ description: 'A deactivated user cannot sign in; their earlier tokens and sessions are refused' }) active!: boolean;
  @ApiProperty({ description: 'May commit their organisation (endorse, object, consent, pledge, leave) where it names representatives' })
  representative!: boolean;
  @ApiProperty({ enum: EMAIL_PREFERENCES }) emailPreference!: EmailPreference;
  @ApiProperty({ description: 'Still on the development default password (the first platform admin of a development run): the web app asks for a new one first' })
  usesDefaultCredentials!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) organisationId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: OrganisationDto }) organisation!: OrganisationDto | null;
  @ApiProperty() createdAt!: string;
}

export const mapUser = (u: UserEntity): UserDto => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
  representative: u.representative,
  emailPreference: u.emailPreference,
  usesDefaultCredentials: u.mustChangePassword,
  organisationId: u.organisationId,
  organisation: u.organisation ? mapOrganisation(u.organisation) : null,
  createdAt: u.createdAt.toISOString(),
});

export class ListUsersQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}
