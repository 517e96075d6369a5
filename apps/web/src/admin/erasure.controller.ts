/** The admin's page for erasing a person's personal data (UK GDPR article 17): what happens, a reason, the refusals named. */
import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, WebSession } from '@app/accounts';
import { ErasureService } from '@app/data-protection';
import { TransitionRefused, ValidationFailed } from '@app/domain';
import { IdPipe } from '@app/http';
import { Param } from '@nestjs/common';
import { text } from '../http/form';
import { LayoutService } from '../http/layout.service';
import { AdminPage, Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

const UserId = () => Param('id', new IdPipe('user'));

/** Platform admins erase a person from the person's page: a confirmation that says what happens, then the erasure (the API's own service and rules). */
@AdminPage()
@Controller('people/:id/erase')
export class ErasurePagesController {
  constructor(
    private readonly erasure: ErasureService,
    private readonly accounts: AccountsService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async page(@Session() session: WebSession, @UserId() id: string, @Res() res: Response) {
    await this.render(res, 200, session, id, {});
  }

  @Post()
  async erase(@Session() session: WebSession, @UserId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const reason = text(body, 'reason') ?? '';
    try {
      const erased = await this.erasure.erase(session.principal, id, { reason });
      res.status(200).render('person-erased', {
        ...(await this.layout.of(session)),
        section: 'people',
        title: 'The person’s personal data is erased',
        erased: { name: erased.name, cycles: erased.cycleIds.length, agreements: erased.agreementPartnershipIds.length, released: erased.released, retained: erased.retained },
      });
    } catch (error) {
      if (error instanceof ValidationFailed)
        return this.render(res, 400, session, id, {
          reason,
          errors: [{ field: 'reason', text: 'Enter why their personal data is erased (2,000 characters at most), such as the request’s reference' }],
        });
      // The last admin, or open tasks: what to do first, said on the page.
      if (error instanceof TransitionRefused) return this.render(res, 422, session, id, { reason, refused: error.message });
      throw error;
    }
  }

  private async render(res: Response, status: number, session: WebSession, id: string, extra: { reason?: string; errors?: FormError[]; refused?: string }) {
    const user = await this.accounts.getUser(id);
    res.status(status).render('person-erase', {
      ...(await this.layout.of(session)),
      section: 'people',
      title: `Erase ${user.name}’s personal data`,
      person: { id: user.id, name: user.name, organisationName: user.organisation?.name ?? 'Platform admin' },
      reason: extra.reason ?? '',
      refused: extra.refused,
      errors: extra.errors ?? [],
    });
  }
}
