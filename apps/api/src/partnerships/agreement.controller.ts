/** The partnership's agreement over the API: reading it, its events, its verified history and its review date. */
import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Logger, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Principal } from '@app/accounts';
import { AgreementRecord, AgreementReleasesService, AgreementReviewDto, AgreementReviewInput, AgreementReviewsService, AgreementsService } from '@app/agreements';
import { RedactEntryDto } from '@app/cycles';
import { type Clock, NotFound, ValidationFailed } from '@app/domain';
import { CLOCK } from '@app/config';
import { ExpensiveRead, IdPipe } from '@app/http';
import { AdminOnly, Caller } from '../http/auth.guard';
import { HistoryExportRoute, sendHistoryExport } from '../http/history-export';
import { HistoryEntryDto, VerifyDto, mapHistoryEntry } from '../cycles/dto/cycles.dto';

const PartnershipId = () => Param('id', new IdPipe('partnership'));

/** The agreement as API.md shows it, with who has not yet consented to the agreed version. */
function mapAgreement({ row, snapshot, members, nextEvents, review }: AgreementRecord) {
  const c = snapshot.context;
  const current = c.versions.at(-1) ?? null;
  const agreed = c.versions.find((v) => v.number === c.agreedNumber) ?? null;
  return {
    state: row.state,
    version: row.version,
    current,
    agreed,
    positions: c.positions.map((p) => ({ organisationId: p.organisationId, whatsInItForUs: p.whatsInItForUs, readiness: p.readiness, concerns: p.concerns, at: p.at })),
    consents: current ? c.consents.filter((x) => x.number === current.number).map((x) => x.organisationId) : [],
    objections: current ? c.objections.filter((x) => x.number === current.number).map((x) => ({ organisationId: x.organisationId, reason: x.reason })) : [],
    members,
    // A member that joined after the agreement (or has not consented to it) must consent at the next review.
    notConsentedToAgreed: agreed ? members.filter((m) => !c.agreedBy.includes(m)) : [],
    // The agreementReviewDue milestone: its date follows its anchor's.
    review: review && {
      id: review.id,
      kind: 'agreementReviewDue',
      anchorId: review.anchorId,
      anchorName: review.anchorName,
      offsetDays: review.offsetDays,
      offsetWorkingDays: review.offsetWorkingDays,
      dueAt: review.dueAt.toISOString(),
      status: review.status,
      changes: review.changes,
    },
    nextEvents,
  };
}

function ifMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new ValidationFailed([{ field: 'If-Match', message: 'must be the agreement version, a whole number' }]);
  return Number(match[1]);
}

/** The partnership's own agreement: destination, horizon and principles agreed by every member, reviewed again. */
@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('v1/partnerships/:id/agreement')
export class AgreementController {
  private readonly logger = new Logger(AgreementController.name);

  constructor(
    private readonly agreements: AgreementsService,
    private readonly reviews: AgreementReviewsService,
    private readonly releases: AgreementReleasesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The agreement: its state, the version under consultation, the agreed one, positions, consents and objections' })
  async get(@Caller() caller: Principal, @PartnershipId() id: string, @Res({ passthrough: true }) res: FastifyReply) {
    const view = mapAgreement(await this.agreements.get(caller, id));
    res.header('ETag', `"${view.version}"`);
    return view;
  }

  @Post('events')
  @HttpCode(200)
  @ApiOperation({ summary: 'PROPOSE_AGREEMENT, STATE_POSITION, CONSENT_AGREEMENT, OBJECT_AGREEMENT or REOPEN_AGREEMENT (a member organisation)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The agreement version the client saw' })
  @ApiBody({ schema: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } })
  async send(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: unknown, @Headers('if-match') match: string | undefined, @Res({ passthrough: true }) res: FastifyReply) {
    const view = mapAgreement(await this.agreements.send(caller, id, body, ifMatch(match)));
    res.header('ETag', `"${view.version}"`);
    return view;
  }

  @Get('history')
  @ApiOkResponse({ type: [HistoryEntryDto] })
  async history(@Caller() caller: Principal, @PartnershipId() id: string): Promise<HistoryEntryDto[]> {
    return (await this.agreements.history(caller, id)).map(mapHistoryEntry);
  }

  @Get('history/verify')
  @ExpensiveRead()
  @ApiOkResponse({ type: VerifyDto })
  verify(@Caller() caller: Principal, @PartnershipId() id: string): Promise<VerifyDto> {
    return this.agreements.verify(caller, id);
  }

  @Get('history/export')
  @HistoryExportRoute("The agreement's history")
  async exportHistory(@Caller() caller: Principal, @PartnershipId() id: string, @Res() res: FastifyReply): Promise<void> {
    const exportedAt = this.clock.now();
    const { head, pages } = await this.agreements.historyExport(caller, id);
    sendHistoryExport(res, this.logger, { history: 'agreement', subjectId: id, subjectKey: 'partnershipId', head, pages, exportedAt });
  }

  @Post('history/:seq/redact')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Redacts one personal field of one entry of the agreement’s history (admin), with a reason',
    description:
      'As for a cycle’s history: the field’s text becomes "[redacted]" in the history and the agreement’s view; its salted digest stays in the chain, so `verify` stays intact. A REDACTED entry records the field, who and why. Only fields the entry sealed can be redacted (400 otherwise, naming them).',
  })
  @ApiBody({ type: RedactEntryDto })
  @ApiOkResponse({ schema: { type: 'object', properties: { seq: { type: 'integer' }, field: { type: 'string' }, redactedBySeq: { type: 'integer' } } } })
  redact(@Caller() caller: Principal, @PartnershipId() id: string, @Param('seq') seq: string, @Body() body: RedactEntryDto) {
    // A path that is not an entry's number names nothing.
    if (!/^[1-9][0-9]{0,8}$/.test(seq)) throw new NotFound('history entry');
    return this.releases.redact(caller, id, Number(seq), body);
  }

  @Put('review')
  @ApiOperation({
    summary: 'Set the agreement’s review date (agreementReviewDue), aligned to an anchor (a commissioner member)',
    description: 'When it comes, an agreed agreement moves to reviewing; otherwise the date is moot. A new date replaces the one scheduled.',
  })
  async scheduleReview(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: AgreementReviewDto, @Res({ passthrough: true }) res: FastifyReply) {
    if (body.offsetDays !== undefined && body.offsetWorkingDays !== undefined) {
      throw new ValidationFailed([{ field: 'offsetDays', message: 'give offsetDays or offsetWorkingDays, not both' }]);
    }
    await this.reviews.schedule(caller, id, body as AgreementReviewInput);
    return this.get(caller, id, res);
  }

  @Delete('review')
  @HttpCode(204)
  @ApiOperation({ summary: 'Cancel the agreement’s scheduled review date (a commissioner member)' })
  @ApiNoContentResponse()
  async cancelReview(@Caller() caller: Principal, @PartnershipId() id: string): Promise<void> {
    await this.reviews.cancel(caller, id);
  }
}
