/** The invitation pages: an invited organisation's lead (or an admin) accepts or declines joining a partnership. */
import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { TransitionRefused } from '@app/domain';
import { IdPipe } from '@app/http';
import { PartnershipInvitationsService, PartnershipsService } from '@app/partnerships';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';

/** Invitations to join partnerships: an invited organisation's lead (or an admin) accepts or declines them here. */
@Controller('partnership-invitations')
export class InvitationPagesController {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly invitations: PartnershipInvitationsService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async index(@Session() session: WebSession, @Query('done') done: string | undefined, @Res() res: Response) {
    await this.render(res, 200, session, { done: done === 'declined' ? 'The invitation is declined: your organisation is not a member' : undefined });
  }

  @Post(':partnershipId/:organisationId/accept')
  async accept(
    @Session() session: WebSession,
    @Param('partnershipId', new IdPipe('invitation')) partnershipId: string,
    @Param('organisationId', new IdPipe('invitation')) organisationId: string,
    @Res() res: Response,
  ) {
    await this.answer(res, session, partnershipId, organisationId, 'accepted', `/partnerships/${partnershipId}?done=joined`);
  }

  @Post(':partnershipId/:organisationId/decline')
  async decline(
    @Session() session: WebSession,
    @Param('partnershipId', new IdPipe('invitation')) partnershipId: string,
    @Param('organisationId', new IdPipe('invitation')) organisationId: string,
    @Res() res: Response,
  ) {
    await this.answer(res, session, partnershipId, organisationId, 'declined', '/partnership-invitations?done=declined');
  }

  private async answer(res: Response, session: WebSession, partnershipId: string, organisationId: string, answer: 'accepted' | 'declined', then: string) {
    try {
      await this.invitations.answerInvitation(session.principal, partnershipId, organisationId, answer);
      res.redirect(303, then);
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      await this.render(res, 422, session, { errors: [{ field: 'invitations', text: error.message }] });
    }
  }

  private async render(res: Response, status: number, session: WebSession, extra: { done?: string; errors?: { field: string; text: string }[] }) {
    res.status(status).render('partnership-invitations', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: 'Invitations to join partnerships',
      invitations: await this.invitations.invitationsToAnswer(session.principal),
      mayAnswer: session.principal.role === 'lead' || session.principal.role === 'admin',
      done: extra.done,
      errors: extra.errors ?? [],
    });
  }
}
