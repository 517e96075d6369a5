import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Principal } from '@app/accounts';
import { AgreementRecord, AgreementsService } from '@app/agreements';
import { ValidationFailed } from '@app/domain';
import { IdPipe } from '@app/http';
import { Caller } from '../http/auth.guard';
import { HistoryEntryDto, VerifyDto, mapHistoryEntry } from '../cycles/dto/cycles.dto';

const PartnershipId = () => Param('id', new IdPipe('partnership'));

/** The agreement as API.md shows it, with who has not yet consented to the agreed version. */
function mapAgreement({ row, snapshot, members, nextEvents }: AgreementRecord) {
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
  constructor(private readonly agreements: AgreementsService) {}

  @Get()
  @ApiOperation({ summary: 'The agreement: its state, the version under consultation, the agreed one, positions, consents and objections' })
  async get(@Caller() caller: Principal, @PartnershipId() id: string, @Res({ passthrough: true }) res: Response) {
    const view = mapAgreement(await this.agreements.get(caller, id));
    res.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Post('events')
  @HttpCode(200)
  @ApiOperation({ summary: 'PROPOSE_AGREEMENT, STATE_POSITION, CONSENT_AGREEMENT, OBJECT_AGREEMENT or REOPEN_AGREEMENT (a member organisation)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The agreement version the client saw' })
  @ApiBody({ schema: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } })
  async send(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: unknown, @Headers('if-match') match: string | undefined, @Res({ passthrough: true }) res: Response) {
    const view = mapAgreement(await this.agreements.send(caller, id, body, ifMatch(match)));
    res.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Get('history')
  @ApiOkResponse({ type: [HistoryEntryDto] })
  async history(@Caller() caller: Principal, @PartnershipId() id: string): Promise<HistoryEntryDto[]> {
    return (await this.agreements.history(caller, id)).map((e) => mapHistoryEntry({ ...e, cycleId: e.partnershipId } as never));
  }

  @Get('history/verify')
  @ApiOkResponse({ type: VerifyDto })
  verify(@Caller() caller: Principal, @PartnershipId() id: string): Promise<VerifyDto> {
    return this.agreements.verify(caller, id);
  }
}
