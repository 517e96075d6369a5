/** Handing a person's work over to a colleague from their page: choose the colleague, confirm, see what moved. */
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { UserEntity, WebSession } from '@app/accounts';
import { CycleHandoverService, HandoverDto, HandoverOutcome } from '@app/cycles';
import { TransitionRefused } from '@app/domain';
import { IdPipe } from '@app/http';
import { checkForm, text } from '../http/form';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

const UserId = () => Param('id', new IdPipe('user'));
const CHOOSE = { field: 'to-user', text: 'Choose the colleague who takes over' };

/**
 * The person page's "Hand over their work" (issue 35): a lead of the person's organisation or a
 * platform admin chooses an active colleague of the same organisation, checks what will move and
 * confirms; the page then lists the cycles moved and those where a seat stayed, and why. The same
 * service and rules as `POST /v1/users/:id/handover`.
 */
@Controller('people/:id/handover')
export class HandoverController {
  constructor(
    private readonly handover: CycleHandoverService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async choose(@Session() session: WebSession, @UserId() id: string, @Res() res: Response) {
    await this.renderChoice(res, 200, session, await this.handover.leaver(session.principal, id), {});
  }

  /** The colleague chosen: the page that says what will move, with the button that moves it. */
  @Post('check')
  async check(@Session() session: WebSession, @UserId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const leaver = await this.handover.leaver(session.principal, id);
    const chosen = await this.chosen(leaver, body);
    if ('errors' in chosen) return this.renderChoice(res, chosen.status, session, leaver, { errors: chosen.errors, toUserId: text(body, 'toUserId') });
    res.status(200).render('handover', {
      ...(await this.layout.of(session)),
      section: 'people',
      title: `Hand over ${leaver.name}’s work to ${chosen.colleague.name}?`,
      step: 'confirm',
      person: { id: leaver.id, name: leaver.name },
      colleague: { id: chosen.colleague.id, name: chosen.colleague.name },
      candidates: await this.handover.candidates(leaver.id),
      errors: [],
    });
  }

  @Post()
  async confirm(@Session() session: WebSession, @UserId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const leaver = await this.handover.leaver(session.principal, id);
    const chosen = await this.chosen(leaver, body);
    if ('errors' in chosen) return this.renderChoice(res, chosen.status, session, leaver, { errors: chosen.errors, toUserId: text(body, 'toUserId') });
    let outcome: HandoverOutcome;
    try {
      outcome = await this.handover.handOver(session.principal, leaver.id, chosen.colleague.id);
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      return this.renderChoice(res, 422, session, leaver, { errors: [{ field: CHOOSE.field, text: error.message }] });
    }
    const titles = await this.handover.titlesOf([...outcome.cycles, ...outcome.skipped.map((s) => s.cycleId)]);
    // Answered on this page, not redirected: a reload posts again, which moves nothing more and shows the same.
    res.status(200).render('handover', {
      ...(await this.layout.of(session)),
      section: 'people',
      title: `${leaver.name}’s work is handed over`,
      step: 'done',
      person: { id: leaver.id, name: leaver.name },
      colleague: { id: chosen.colleague.id, name: chosen.colleague.name },
      moved: outcome.cycles.map((cycleId) => ({ cycleId, title: titles.get(cycleId) ?? cycleId })),
      skipped: outcome.skipped.map((s) => ({ ...s, title: titles.get(s.cycleId) ?? s.cycleId })),
      errors: [],
    });
  }

  /** The colleague the form names, or the errors to show on the choice (400 for none chosen, 422 for one who may not take over). */
  private async chosen(leaver: UserEntity, body: Record<string, unknown>): Promise<{ colleague: UserEntity } | { errors: FormError[]; status: number }> {
    const { value, errors } = await checkForm(HandoverDto, { toUserId: text(body, 'toUserId') }, { toUserId: CHOOSE });
    if (errors.length) return { errors, status: 400 };
    try {
      return { colleague: await this.handover.colleagueOf(leaver, value.toUserId) };
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      return { errors: [{ field: CHOOSE.field, text: error.message }], status: 422 };
    }
  }

  private async renderChoice(res: Response, status: number, session: WebSession, leaver: UserEntity, extra: { errors?: FormError[]; toUserId?: string }) {
    const [colleagues, candidates] = await Promise.all([this.handover.colleagues(leaver), this.handover.candidates(leaver.id)]);
    res.status(status).render('handover', {
      ...(await this.layout.of(session)),
      section: 'people',
      title: `Hand over ${leaver.name}’s work`,
      step: 'choose',
      person: { id: leaver.id, name: leaver.name, organisationName: leaver.organisation?.name ?? '' },
      colleagueItems: colleagues.map((u) => ({ value: u.id, text: u.name, hint: { text: u.email }, checked: u.id === extra.toUserId })),
      candidates,
      errors: extra.errors ?? [],
    });
  }
}
