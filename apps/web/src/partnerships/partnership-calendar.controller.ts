/** The partnership's calendar pages: its anchors, moving them, and each person's subscription link. */
import { Body, Controller, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, WebSession } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { IdPipe } from '@app/http';
import { MilestonesService } from '@app/milestones';
import { CreateAnchorDto, PartnershipCalendarService, PartnershipsService, UpdateAnchorDto } from '@app/partnerships';
import { Form, checkForm, text } from '../http/form';
import { Session } from '../http/session.guard';
import { dateFromForm } from '../views/dates';
import { PartnershipId } from './partnership-forms';
import { PartnershipPageService } from './partnership-page.service';

/** The partnership's calendar: the anchors cycles align to, moving them, and each person's subscription link. */
@Controller('partnerships')
export class PartnershipCalendarController {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly calendar: PartnershipCalendarService,
    private readonly milestones: MilestonesService,
    private readonly accounts: AccountsService,
    private readonly pages: PartnershipPageService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A commissioner member adds a dated anchor (a budget, a planning round) that cycles align to. */
  @Post(':id/anchors')
  async addAnchor(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Form, @Res() res: Response) {
    const date = dateFromForm(body, 'anchor-date');
    const { value, errors } = await checkForm(
      CreateAnchorDto,
      { name: text(body, 'name'), date: date.value?.toISOString() },
      { name: { field: 'anchor-name', text: 'Enter the anchor’s name (200 characters at most)' }, date: date.errors[0] },
    );
    if (!errors.length) {
      await this.calendar.addAnchor(session.principal, id, value.name, date.value!);
      return res.redirect(303, `/partnerships/${id}?done=anchor#calendar`);
    }
    await this.pages.render(res, 400, session, id, { errors, values: body });
  }

  /** Moving an anchor moves every milestone aligned to it, in every cycle. */
  @Post(':id/anchors/:anchorId')
  async moveAnchor(@Session() session: WebSession, @PartnershipId() id: string, @Param('anchorId', new IdPipe('anchor')) anchorId: string, @Body() body: Form, @Res() res: Response) {
    const date = dateFromForm(body, `move-${anchorId}`);
    const { errors } = await checkForm(UpdateAnchorDto, { date: date.value?.toISOString() }, { date: date.errors[0] });
    if (errors.length) return this.pages.render(res, 400, session, id, { errors, values: body });
    const { moved } = await this.milestones.moveAnchor(session.principal, id, anchorId, { date: date.value! });
    res.redirect(303, `/partnerships/${id}?done=moved-${moved}#calendar`);
  }

  /** A secret link for Outlook or Google Calendar (a new one replaces the old). */
  @Post(':id/calendar-link')
  async calendarLink(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    await this.partnerships.requireVisible(session.principal, id);
    const { token, expiresAt } = await this.accounts.issueCalendarToken(session.principal.userId);
    const link = `${this.config.http.publicUrl}/v1/partnerships/${id}/calendar.ics?token=${encodeURIComponent(token)}`;
    await this.pages.render(res, 200, session, id, { calendarLink: link, calendarLinkExpires: expiresAt });
  }

  /** Revokes the person's calendar token: every subscription link made with it stops working. */
  @Post(':id/calendar-link/revoke')
  async revokeCalendarLink(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    await this.partnerships.requireVisible(session.principal, id);
    await this.accounts.revokeCalendarToken(session.principal.userId);
    res.redirect(303, `/partnerships/${id}?done=calendar-revoked#subscribe`);
  }
}
