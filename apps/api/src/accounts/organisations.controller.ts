/** Organisations and their users over the API: created, listed, read and changed. */
import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountsService, Principal, isAdmin } from '@app/accounts';
import { Forbidden } from '@app/domain';
import { AdminOnly, Caller } from '../http/auth.guard';
import { IdPipe } from '@app/http';
import { CreateOrganisationDto, CreateUserDto, ListUsersQuery, OrganisationDto, UpdateUserDto, UserDto, mapOrganisation, mapUser } from './dto/accounts.dto';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v1')
export class OrganisationsController {
  constructor(private readonly accounts: AccountsService) {}

  @AdminOnly()
  @Post('organisations')
  @ApiOperation({ summary: 'Create an organisation (admin)' })
  @ApiCreatedResponse({ type: OrganisationDto })
  async createOrganisation(@Body() body: CreateOrganisationDto): Promise<OrganisationDto> {
    return mapOrganisation(await this.accounts.createOrganisation(body.name, body.kind));
  }

  @Get('organisations')
  @ApiOperation({ summary: 'Every organisation, so that partners can find each other' })
  @ApiOkResponse({ type: [OrganisationDto] })
  async listOrganisations(): Promise<OrganisationDto[]> {
    return (await this.accounts.listOrganisations()).map(mapOrganisation);
  }

  @Get('organisations/:id')
  @ApiOkResponse({ type: OrganisationDto })
  async getOrganisation(@Param('id', new IdPipe('organisation')) id: string): Promise<OrganisationDto> {
    return mapOrganisation(await this.accounts.getOrganisation(id));
  }

  @Post('users')
  @ApiOperation({ summary: 'Create a user of an organisation (admin; a lead, of their own organisation)' })
  @ApiCreatedResponse({ type: UserDto })
  async createUser(@Caller() caller: Principal, @Body() body: CreateUserDto): Promise<UserDto> {
    return mapUser(await this.accounts.createUser(body, caller));
  }

  @Get('users')
  @ApiOperation({ summary: 'Users, optionally of one organisation (admin; a lead, of their own organisation)' })
  @ApiOkResponse({ type: [UserDto] })
  async listUsers(@Caller() caller: Principal, @Query() query: ListUsersQuery): Promise<UserDto[]> {
    const organisationId = isAdmin(caller) ? query.organisationId : this.ownOrganisation(caller, query.organisationId);
    return (await this.accounts.listUsers(organisationId)).map(mapUser);
  }

  @Get('users/:id')
  @ApiOkResponse({ type: UserDto })
  async getUser(@Caller() caller: Principal, @Param('id', new IdPipe('user')) id: string): Promise<UserDto> {
    if (isAdmin(caller)) return mapUser(await this.accounts.getUser(id));
    // A lead reads their own organisation's users; a platform admin (no organisation) is nobody's
    // to read; and a user who does not exist gets the same 403 as another organisation's.
    const [user] = await this.accounts.findUsers([id]);
    if (!user || user.organisationId === null || this.ownOrganisation(caller, user.organisationId) !== user.organisationId) {
      throw new Forbidden('Only platform admins, and leads for their own organisation, read users.');
    }
    return mapUser(await this.accounts.getUser(id));
  }

  @Patch('users/:id')
  @ApiOperation({
    summary: 'Deactivate or reactivate a user, name representatives and leads, or set a password',
    description: 'Admins change anyone; a lead changes the users of their own organisation (not passwords).',
  })
  @ApiOkResponse({ type: UserDto })
  async updateUser(@Caller() caller: Principal, @Param('id', new IdPipe('user')) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return mapUser(await this.accounts.updateUser(caller, id, body));
  }

  /** A lead reads their own organisation's users; nobody else but admins reads users. */
  private ownOrganisation(caller: Principal, organisationId: string | undefined): string {
    if (caller.role !== 'lead' || !caller.organisationId || (organisationId !== undefined && organisationId !== caller.organisationId)) {
      throw new Forbidden('Only platform admins, and leads for their own organisation, read users.');
    }
    return caller.organisationId;
  }
}
