/** Subject-access exports over the API: a person's own (`/v1/me/export`) and, for admins, anyone's (`/v1/users/:id/export`). */
import { Controller, Get, Logger, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Principal } from '@app/accounts';
import { SubjectAccessFile, SubjectAccessService } from '@app/data-protection';
import { ExpensiveRead, IdPipe } from '@app/http';
import { AdminOnly, Caller } from '../http/auth.guard';
import { SubjectAccessDto } from './subject-access.dto';

const DESCRIPTION =
  'One JSON file (an attachment, `cocommission-subject-access-<userId>-<date>.json`) with everything held about the person: the account, ' +
  'their organisation, sign-ins and personal access tokens (by name, scope and dates: never a secret nor its hash), identity-provider links, ' +
  'notifications with their email deliveries, tasks, every history entry they made in cycles, agreements and partnerships with the free texts they wrote, ' +
  'their panel seats and facilitator roles, what they opened, scheduled, proposed, declared or subscribed to, and invitations sent and received. ' +
  'Long lists are written as they are read; a failure part way cuts the file short (invalid JSON). docs/data-protection.md lists where each table’s rows go.';

@ApiTags('data protection')
@ApiBearerAuth()
@ExpensiveRead()
@Controller('v1')
export class SubjectAccessController {
  private readonly logger = new Logger(SubjectAccessController.name);

  constructor(private readonly subjectAccess: SubjectAccessService) {}

  @Get('me/export')
  @ApiOperation({ summary: 'Everything held about you, as one JSON file (UK GDPR article 15)', description: `${DESCRIPTION} A guest may ask too, and so may a read personal access token.` })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: SubjectAccessDto, description: 'The export, as an attachment' })
  async mine(@Caller() caller: Principal, @Res() res: FastifyReply): Promise<void> {
    this.send(res, await this.subjectAccess.export(caller, caller.userId), caller.userId);
  }

  @Get('users/:id/export')
  @AdminOnly()
  @ApiOperation({ summary: 'Everything held about a person, as one JSON file, to answer their subject-access request (admins)', description: DESCRIPTION })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: SubjectAccessDto, description: 'The export, as an attachment' })
  @ApiForbiddenResponse({ description: 'The caller is not a platform admin' })
  @ApiNotFoundResponse({ description: 'No such user' })
  async theirs(@Caller() caller: Principal, @Param('id', new IdPipe('user')) id: string, @Res() res: FastifyReply): Promise<void> {
    this.send(res, await this.subjectAccess.export(caller, id), id);
  }

  private send(res: FastifyReply, file: SubjectAccessFile, userId: string): void {
    // Once some of the file is out, a failure cuts it short: why is logged.
    file.body.on('error', (error) => this.logger.error({ err: error, userId }, 'The subject-access export stopped part way'));
    res
      .headers({
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${file.filename}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      })
      .send(file.body);
  }
}
