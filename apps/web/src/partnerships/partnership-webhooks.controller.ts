/** The partnership page's webhooks: a commissioner member subscribes partner systems to its events, or removes them. */
import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { Conflict, TransitionRefused, ValidationFailed, formErrorStatus } from '@app/domain';
import { IdPipe } from '@app/http';
import { CreateWebhookDto, WebhooksService } from '@app/webhooks';
import { Form, checkForm, text } from '../http/form';
import { Session } from '../http/session.guard';
import { PartnershipId } from './partnership-forms';
import { PartnershipPageService } from './partnership-page.service';

/** A partnership's webhooks: a commissioner member subscribes partner systems to its events, or removes them. */
@Controller('partnerships')
export class PartnershipWebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly pages: PartnershipPageService,
  ) {}

  /** A commissioner member subscribes a partner system; its secret is shown on this page, once. */
  @Post(':id/webhooks')
  async addWebhook(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Form, @Res() res: Response) {
    const { value, errors } = await checkForm(
      CreateWebhookDto,
      {
        url: text(body, 'url'),
        events: text(body, 'events')
          ?.split(/[\s,]+/)
          .filter(Boolean) ?? ['*'],
      },
      {
        url: { field: 'webhook-url', text: 'Enter the address the partner system receives events at (2,000 characters at most)' },
        events: { field: 'webhook-events', text: 'Enter event types such as CONSENT LAUNCH (at most 100), or leave it empty for all' },
      },
    );
    if (errors.length) return this.pages.render(res, 400, session, id, { errors, values: body });
    try {
      const created = await this.webhooks.create(session.principal, id, value);
      await this.pages.render(res, 201, session, id, { webhookSecret: { url: created.url, secret: created.secret } });
    } catch (error) {
      // Over the partnership's cap (422), or an address it already has (409).
      const status = formErrorStatus(error, [Conflict, TransitionRefused]);
      if (status) return this.pages.render(res, status, session, id, { errors: [{ field: 'webhook-url', text: (error as Error).message }], values: body });
      if (!(error instanceof ValidationFailed)) throw error;
      await this.pages.render(res, 400, session, id, { errors: error.errors.map((e) => ({ field: 'webhook-url', text: `The address ${e.message}` })), values: body });
    }
  }

  @Post(':id/webhooks/:webhookId/remove')
  async removeWebhook(@Session() session: WebSession, @PartnershipId() id: string, @Param('webhookId', new IdPipe('webhook')) webhookId: string, @Res() res: Response) {
    await this.webhooks.remove(session.principal, id, webhookId);
    res.redirect(303, `/partnerships/${id}?done=webhook-removed#webhooks`);
  }
}
