import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountsService } from '@app/accounts';
import { AdminOnly } from '../http/auth.guard';
import { IdPipe } from '@app/http';
import {
  CreateOrganisationDto,
  CreateUserDto,
  ListUsersQuery,
  OrganisationDto,
  UserDto,
  mapOrganisation,
  mapUser,
} from './dto/accounts.dto';

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

  @AdminOnly()
  @Post('users')
  @ApiOperation({ summary: 'Create a user of an organisation (admin)' })
  @ApiCreatedResponse({ type: UserDto })
  async createUser(@Body() body: CreateUserDto): Promise<UserDto> {
    return mapUser(await this.accounts.createUser(body));
  }

  @AdminOnly()
  @Get('users')
  @ApiOperation({ summary: 'Users, optionally of one organisation (admin)' })
  @ApiOkResponse({ type: [UserDto] })
  async listUsers(@Query() query: ListUsersQuery): Promise<UserDto[]> {
    return (await this.accounts.listUsers(query.organisationId)).map(mapUser);
  }

  @AdminOnly()
  @Get('users/:id')
  @ApiOkResponse({ type: UserDto })
  async getUser(@Param('id', new IdPipe('user')) id: string): Promise<UserDto> {
    return mapUser(await this.accounts.getUser(id));
  }
}
