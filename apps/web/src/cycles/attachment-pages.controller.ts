/**
 * Attachments from the cycle page: downloading one (its bytes streamed from the store, with the
 * API's headers), and a commissioner's user withdrawing one with a reason on a small form of its
 * own. Uploading is the cycle page's own form (CyclePagesController), whose errors show on that page.
 */
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { WebSession } from '@app/accounts';
import { CycleQueriesService } from '@app/cycles';
import { Forbidden, NotFound, TransitionRefused, ValidationFailed, formErrorStatus } from '@app/domain';
import { AttachmentsService, MAX_WITHDRAW_REASON_LENGTH } from '@app/evidence';
import { IdPipe, sendDownload } from '@app/http';
import { LayoutService } from '../http/layout.service';
import { text } from '../http/form';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

const CycleId = () => Param('id', new IdPipe('cycle'));
const AttachmentId = () => Param('attachmentId', new IdPipe('attachment'));

@Controller('cycles')
export class AttachmentPagesController {
  constructor(
    private readonly attachments: AttachmentsService,
    private readonly cycles: CycleQueriesService,
    private readonly layout: LayoutService,
  ) {}

  /** The bytes, to those who may see the cycle (404 otherwise): as the API sends them (attachment, nosniff, the sniffed type). */
  @Get(':id/attachments/:attachmentId')
  async download(@Session() session: WebSession, @CycleId() id: string, @AttachmentId() attachmentId: string, @Res() res: Response) {
    const file = await this.attachments.download(session.principal, id, attachmentId);
    await sendDownload(res, file);
  }

  @Get(':id/attachments/:attachmentId/withdraw')
  async withdrawPage(@Session() session: WebSession, @CycleId() id: string, @AttachmentId() attachmentId: string, @Res() res: Response) {
    const found = await this.withdrawable(session, id, attachmentId);
    await this.form(res, 200, session, id, found, '', []);
  }

  @Post(':id/attachments/:attachmentId/withdraw')
  async withdraw(@Session() session: WebSession, @CycleId() id: string, @AttachmentId() attachmentId: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const found = await this.withdrawable(session, id, attachmentId);
    const reason = text(body, 'reason') ?? '';
    const errors: FormError[] = [];
    let status = 400;
    if (!reason.trim()) errors.push({ field: 'withdraw-reason', text: 'Enter why you are withdrawing this attachment' });
    else if (reason.trim().length > MAX_WITHDRAW_REASON_LENGTH)
      errors.push({ field: 'withdraw-reason', text: `The reason must be ${MAX_WITHDRAW_REASON_LENGTH.toLocaleString('en-GB')} characters or fewer` });
    else {
      try {
        await this.attachments.withdraw(session.principal, id, attachmentId, { reason });
        return res.redirect(303, `/cycles/${id}?done=ATTACHMENT_WITHDRAWN#attachments`);
      } catch (error) {
        status = formErrorStatus(error, [ValidationFailed, TransitionRefused]);
        if (!status) throw error;
        errors.push({ field: 'withdraw-reason', text: error instanceof ValidationFailed ? `The reason ${error.errors[0]?.message ?? 'is not valid'}` : (error as Error).message });
      }
    }
    await this.form(res, status, session, id, found, reason, errors);
  }

  /** 404 for a cycle or an attachment the caller cannot see (or one already withdrawn), 403 unless they withdraw attachments: before the form is read. */
  private async withdrawable(session: WebSession, id: string, attachmentId: string) {
    const page = await this.attachments.forPage(session.principal, id);
    if (!page.withdraw) throw new Forbidden('Only the users of the cycle’s commissioners withdraw attachments.');
    const found = page.items.find((a) => a.id === attachmentId);
    if (!found) throw new NotFound('attachment');
    return found;
  }

  private async form(res: Response, status: number, session: WebSession, id: string, attachment: { id: string; name: string }, reason: string, errors: FormError[]) {
    const { row } = await this.cycles.visible(session.principal, id);
    res.status(status).render('attachment-withdraw', {
      ...(await this.layout.of(session)),
      section: 'work',
      title: 'Withdraw an attachment',
      cycle: { id, title: row.title },
      attachment,
      reason,
      errors,
    });
  }
}
