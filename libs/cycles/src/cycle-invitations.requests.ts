import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { MAX_EMAIL_LENGTH } from '@app/domain';
import { INVITATION_ROLES, InvitationRole } from './cycle-invitation.entity';

/** A guest invited to a cycle (the API's pipe validates with this class). */
export class CreateCycleInvitationDto {
  @ApiProperty({ example: 'sam.resident@example.org', maxLength: MAX_EMAIL_LENGTH })
  @IsEmail()
  @MaxLength(MAX_EMAIL_LENGTH)
  email!: string;

  @ApiProperty({ example: 'Sam Patel', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: INVITATION_ROLES, description: 'panel: a seat on the review panel (records learning, signs off); voice: gives their view' })
  @IsIn(INVITATION_ROLES)
  role!: InvitationRole;
}
