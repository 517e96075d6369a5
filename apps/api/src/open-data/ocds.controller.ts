// The API's OCDS routes: a cycle's and a partnership's release package (the partnership's streamed).
import { Controller, Get, Logger, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Principal } from '@app/accounts';
import { ExpensiveRead, IdPipe } from '@app/http';
import { OcdsService } from '@app/open-data';
import { Caller } from '../http/auth.guard';

/** The OpenAPI shape of a release package (its full schema is the standard's). */
const RELEASE_PACKAGE = {
  type: 'object',
  description:
    'An OCDS 1.1 release package (https://standard.open-contracting.org/1.1/en/schema/release_package/): ' +
    '`{ uri, version: "1.1", publisher, releases: [release], publishedDate }`. Each release is a cycle’s planning ' +
    'process, `ocid` `<OCID_PREFIX>-<cycle id>`, `id` `<ocid>-<version>`, `date` its last change, `tag` `planning` ' +
    '(its first version) or `planningUpdate`; parties are organisations with roles (buyer, funder, interestedParty, ' +
    'reviewBody, mediationBody), never people; `planning` has the agreed problem and decision (`rationale`), the ' +
    'money (`budget`, GBP) and the milestones; `relatedProcesses` link iterations (`prior`: the previous one; ' +
    '`renewalProcess`: the next one).',
  required: ['version', 'releases'],
  properties: {
    uri: { type: 'string', format: 'uri' },
    version: { type: 'string', example: '1.1' },
    publisher: { type: 'object', properties: { name: { type: 'string' }, uri: { type: 'string' } } },
    publishedDate: { type: 'string', format: 'date-time', description: 'The newest release’s date (absent when there is none)' },
    releases: { type: 'array', items: { type: 'object', description: 'An OCDS release (release-schema.json)' } },
  },
};

@ApiTags('open data')
@ApiBearerAuth()
@ExpensiveRead()
@Controller('v1')
export class OcdsController {
  private readonly logger = new Logger(OcdsController.name);

  constructor(private readonly ocds: OcdsService) {}

  @Get('cycles/:id/ocds')
  @ApiOperation({ summary: 'The cycle as an Open Contracting Data Standard 1.1 release package (its latest release)' })
  @ApiProduces('application/json')
  @ApiOkResponse({ schema: RELEASE_PACKAGE })
  @ApiNotFoundResponse({ description: 'No such cycle, or one the caller may not read' })
  async cycle(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string, @Res() res: FastifyReply): Promise<void> {
    res.type('application/json; charset=utf-8').send(await this.ocds.cyclePackage(caller, id));
  }

  @Get('partnerships/:id/ocds')
  @ApiOperation({
    summary: 'Every cycle of the partnership as one OCDS 1.1 release package, oldest first',
    description: 'Streamed: the cycles are read a page at a time as the response is written (constant memory, however many there are).',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ schema: RELEASE_PACKAGE })
  @ApiNotFoundResponse({ description: 'No such partnership, or one the caller may not read' })
  async partnership(@Caller() caller: Principal, @Param('id', new IdPipe('partnership')) id: string, @Res() res: FastifyReply): Promise<void> {
    const chunks = await this.ocds.partnershipPackage(caller, id);
    // Not object mode: the buffer holds bytes up to its mark, so one page is read ahead at most.
    const body = Readable.from(chunks, { objectMode: false, highWaterMark: 64 * 1024 });
    // Once the status and some of the body are out, a failure cuts the response short (never a
    // valid-looking document with cycles missing): why is logged.
    body.on('error', (error) => this.logger.error({ err: error, partnershipId: id }, 'The OCDS export stopped part way'));
    res.type('application/json; charset=utf-8').send(body);
  }
}
