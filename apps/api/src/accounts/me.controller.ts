/** The caller's own account over the API: notifications, email preference, password and calendar token. */
import { Body, Controller, Delete, Get, HttpCode, Inject, Ip, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { AccountsService, Principal, TokenService } from '@app/accounts';
import { ChangePasswordDto, PreferencesDto, TokenDto } from './dto/accounts.dto';
import { APP_CONFIG, AppConfig } from '@app/config';
import { NotificationsService } from '@app/notifications';
import { Caller } from '../http/auth.guard';
import { IdPipe } from '@app/http';
import { NotificationDto, NotificationPageDto, NotificationQuery, mapNotification } from '../cycles/dto/milestones.dto';

class CalendarTokenDto {
  @ApiProperty({ description: 'Shown once; a new one replaces it' }) token!: string;
  @ApiProperty({ description: 'A year after it was issued; DELETE /v1/me/calendar-token ends it sooner' }) expiresAt!: string;
  @ApiProperty({ example: 'http://localhost:3000/v1/partnerships/{partnershipId}/calendar.ics?token=…' }) feedUrl!: string;
}

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(
    private readonly inbox: NotificationsService,
    private readonly accounts: AccountsService,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('notifications')
  @ApiOperation({ summary: 'Your notifications, newest first' })
  @ApiOkResponse({ type: NotificationPageDto })
  async notifications(@Caller() caller: Principal, @Query() query: NotificationQuery): Promise<NotificationPageDto> {
    const page = await this.inbox.page(caller.userId, query.limit ?? 20, query.cursor);
    return { items: page.items.map((n) => mapNotification(n, this.config.mail.publicWebUrl)), nextCursor: page.nextCursor, unread: page.unread, open: page.open };
  }

  @Post('notifications/:id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationDto })
  async read(@Caller() caller: Principal, @Param('id', new IdPipe('notification')) id: string): Promise<NotificationDto> {
    return mapNotification(await this.inbox.markRead(caller.userId, id), this.config.mail.publicWebUrl);
  }

  @Put('preferences')
  @ApiOperation({ summary: 'How you get notifications by email', description: 'With SMTP_URL unset the service sends no email whatever you choose.' })
  @ApiOkResponse({ type: PreferencesDto })
  async preferences(@Caller() caller: Principal, @Body() body: PreferencesDto): Promise<PreferencesDto> {
    await this.accounts.setEmailPreference(caller.userId, body.email);
    return { email: body.email };
  }

  @Post('password')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Change your password',
    description:
      'Every earlier token, web session and calendar token of yours is refused from then on; the answer carries a fresh access token. ' +
      'Wrong current passwords count as failed logins do (per account and address): too many → 429 with Retry-After, and you are told by email.',
  })
  @ApiOkResponse({ type: TokenDto })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong current passwords for this account from this address; see Retry-After' })
  async changePassword(@Caller() caller: Principal, @Body() body: ChangePasswordDto, @Ip() address: string): Promise<TokenDto> {
    return this.tokens.issue(await this.accounts.changePassword(caller, body.currentPassword, body.newPassword, address));
  }

  @Post('calendar-token')
  @ApiOperation({ summary: 'A secret for subscribing to calendar feeds from Outlook or Google Calendar, for a year' })
  @ApiOkResponse({ type: CalendarTokenDto })
  async calendarToken(@Caller() caller: Principal): Promise<CalendarTokenDto> {
    const { token, expiresAt } = await this.accounts.issueCalendarToken(caller.userId);
    const base = this.config.http.publicUrl.replace(/\/$/, '');
    return { token, expiresAt: expiresAt.toISOString(), feedUrl: `${base}/v1/partnerships/{partnershipId}/calendar.ics?token=${token}` };
  }

  @Delete('calendar-token')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke your calendar token: every subscription link made with it stops working' })
  @ApiNoContentResponse({ description: 'Revoked (also when there was none)' })
  async revokeCalendarToken(@Caller() caller: Principal): Promise<void> {
    await this.accounts.revokeCalendarToken(caller.userId);
  }
}
