import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { CreateCycleInvitationDto, CycleInvitation, CycleInvitationsService, INVITATION_ROLES, InvitationRole } from '@app/cycles';
import { IdPipe } from '@app/http';
import { Caller } from '../http/auth.guard';

export class CycleInvitationDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: INVITATION_ROLES }) role!: InvitationRole;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ enum: ['sent', 'used', 'expired'], description: 'sent: the link still works; used: followed once; expired: not followed in time' }) state!: CycleInvitation['state'];
}

export class CycleInvitationListDto {
  @ApiProperty({ type: [CycleInvitationDto] }) items!: CycleInvitationDto[];
}

const mapInvitation = (i: CycleInvitation): CycleInvitationDto => ({ id: i.id, email: i.email, name: i.name, role: i.role, expiresAt: i.expiresAt.toISOString(), state: i.state });

@ApiTags('cycles')
@ApiBearerAuth()
@Controller('v1/cycles/:id/invitations')
export class CycleInvitationsController {
  constructor(private readonly invitations: CycleInvitationsService) {}

  @Post()
  @ApiOperation({
    summary: 'Invite a guest (a resident, a person without an account) to the cycle',
    description:
      'A member of one of the cycle’s commissioners (403 otherwise) invites a person by email to its review panel or to give their view. ' +
      'The email carries a single-use link to the web app (`/invitations/<token>`) that expires after INVITATION_TTL_HOURS; only its hash is kept. ' +
      'Sends are limited per inviter and per invited address (429).',
  })
  @ApiCreatedResponse({ type: CycleInvitationDto })
  async create(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string, @Body() body: CreateCycleInvitationDto): Promise<CycleInvitationDto> {
    return mapInvitation(await this.invitations.invite(caller, id, body));
  }

  @Get()
  @ApiOperation({ summary: 'The cycle’s invitations, newest first (a commissioner’s members only)' })
  @ApiOkResponse({ type: CycleInvitationListDto })
  async list(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string): Promise<CycleInvitationListDto> {
    return { items: (await this.invitations.list(caller, id)).map(mapInvitation) };
  }

  @Delete(':invitationId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw an invitation: its link stops working' })
  @ApiNoContentResponse({ description: 'Withdrawn' })
  async withdraw(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string, @Param('invitationId', new IdPipe('invitation')) invitationId: string): Promise<void> {
    await this.invitations.withdraw(caller, id, invitationId);
  }
}
