/** A partnership's calendar over the API: as JSON, and as an iCalendar feed read with a token. */
import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import ical from 'ical-generator';
import { AccountsService, PERSONAL_TOKEN_PREFIX, PersonalAccessTokensService, Principal, TokenService } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Unauthenticated, ValidationFailed } from '@app/domain';
import { Calendar, LABEL, MilestonesService } from '@app/milestones';
import { Caller, Public } from '../http/auth.guard';
import { IdPipe } from '@app/http';

class CalendarMilestoneDto {
  @ApiProperty() id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty() cycleTitle!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() dueAt!: string;
  @ApiProperty() status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) anchorId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) offsetDays!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) offsetWorkingDays!: number | null;
}

class CalendarDto {
  @ApiProperty({ description: '[{ id, name, date }] in time order' }) anchors!: object[];
  @ApiProperty({ type: [CalendarMilestoneDto], description: 'Every cycle’s milestones, in time order' })
  milestones!: CalendarMilestoneDto[];
  @ApiProperty({
    description:
      '[{ type: "out-of-order" | "after-anchor", cycleId, milestoneIds, anchorId?, message }]: milestones out of lifecycle order within a cycle, and aligned milestones that should precede their anchor and no longer do',
  })
  conflicts!: object[];
}

const mapCalendar = (c: Calendar): CalendarDto => ({
  anchors: c.anchors.map((a) => ({ id: a.id, name: a.name, date: a.date.toISOString() })),
  milestones: c.milestones.map((m) => ({ ...m, dueAt: m.dueAt.toISOString() })),
  conflicts: c.conflicts,
});

@ApiTags('milestones')
@Controller('v1/partnerships')
export class CalendarController {
  constructor(
    private readonly milestones: MilestonesService,
    private readonly accounts: AccountsService,
    private readonly tokens: TokenService,
    private readonly personalTokens: PersonalAccessTokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ApiBearerAuth()
  @Get(':id/calendar')
  @ApiOperation({ summary: 'Anchors and every cycle’s milestones in time order, with alignment conflicts' })
  @ApiOkResponse({ type: CalendarDto })
  async calendar(@Caller() caller: Principal, @Param('id', new IdPipe('partnership')) id: string): Promise<CalendarDto> {
    return mapCalendar(await this.milestones.calendar(caller, id));
  }

  @Public()
  @Get(':id/calendar.ics')
  @ApiOperation({
    summary: 'The calendar as an iCalendar (RFC 5545) feed',
    description: 'Send a bearer token, or (for Outlook and Google Calendar subscriptions) `?token=` from POST /v1/me/calendar-token.',
  })
  @ApiQuery({ name: 'token', required: false })
  @ApiProduces('text/calendar')
  @ApiTooManyRequestsResponse({ description: 'More reads than ANONYMOUS_READS_PER_MINUTE allows one address (an IPv6 address by its /64) in a minute: try again after Retry-After seconds' })
  async ics(@Param('id', new IdPipe('partnership')) id: string, @Headers('authorization') authorization: string | undefined, @Query('token') token: unknown, @Res() res: FastifyReply): Promise<void> {
    const caller = await this.callerOf(authorization, token);
    const calendar = await this.milestones.calendar(caller, id);
    const base = this.config.http.publicUrl.replace(/\/$/, '');
    const feed = ical({
      name: 'Cocommission partnership calendar',
      prodId: { company: 'Cocommission', product: 'Partnership calendar', language: 'EN' },
      url: `${base}/v1/partnerships/${id}/calendar.ics`,
    });
    for (const anchor of calendar.anchors) {
      feed.createEvent({ id: `anchor-${anchor.id}@cocommission`, start: anchor.date, allDay: true, summary: anchor.name });
    }
    for (const m of calendar.milestones.filter((x) => x.status !== 'cancelled')) {
      const url = `${base}/cycles/${m.cycleId}`;
      feed.createEvent({
        id: `milestone-${m.id}@cocommission`,
        start: m.dueAt,
        end: new Date(m.dueAt.getTime() + 30 * 60 * 1000),
        summary: `${LABEL[m.kind]}: ${m.cycleTitle}`,
        description: `${LABEL[m.kind]} (${m.status}) for the cycle "${m.cycleTitle}". ${url}`,
        url,
      });
    }
    res.type('text/calendar; charset=utf-8').header('Content-Disposition', 'inline; filename="calendar.ics"').send(feed.toString());
  }

  private async callerOf(authorization: string | undefined, token: unknown): Promise<Principal> {
    // `?token=a&token=b` arrives as an array (and `?token[x]=` as an object): one token or none.
    if (token !== undefined && typeof token !== 'string') {
      throw new ValidationFailed([{ field: 'token', message: 'must be given once, as text' }]);
    }
    const [scheme, bearer] = (authorization ?? '').split(' ');
    if (scheme?.toLowerCase() === 'bearer' && bearer?.startsWith(PERSONAL_TOKEN_PREFIX)) {
      const caller = await this.personalTokens.principalFor(bearer);
      if (!caller) throw new Unauthenticated('The personal access token is unknown, revoked or expired, or its owner is deactivated.');
      return caller;
    }
    if (scheme?.toLowerCase() === 'bearer' && bearer) {
      const caller = this.tokens.verify(bearer);
      await this.accounts.requireCurrent(caller);
      return caller;
    }
    const principal = token && token.length <= 100 ? await this.accounts.principalForCalendarToken(token) : undefined;
    if (!principal) throw new Unauthenticated('Send an access token, or the calendar token from POST /v1/me/calendar-token.');
    return principal;
  }
}
