/** The admin's page for redacting one personal field of a cycle's history entry, with a reason (issue 34). */
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { CycleReleasesService, HistoryAuditService } from '@app/cycles';
import { NotFound, ValidationFailed } from '@app/domain';
import { IdPipe } from '@app/http';
import { ParseIntPipe } from '@nestjs/common';
import { text } from '../http/form';
import { LayoutService } from '../http/layout.service';
import { AdminPage, Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

/** Platform admins redact an entry's personal field from the cycle's history table: the field chosen, a reason given (the API's own service and rules). */
@AdminPage()
@Controller('cycles/:id/history/:seq/redact')
export class RedactionPagesController {
  constructor(
    private readonly releases: CycleReleasesService,
    private readonly audit: HistoryAuditService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async page(@Session() session: WebSession, @Param('id', new IdPipe('cycle')) id: string, @Param('seq', ParseIntPipe) seq: number, @Res() res: Response) {
    await this.render(res, 200, session, id, seq, {});
  }

  @Post()
  async redact(@Session() session: WebSession, @Param('id', new IdPipe('cycle')) id: string, @Param('seq', ParseIntPipe) seq: number, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const values = { field: text(body, 'field') ?? '', reason: text(body, 'reason') ?? '' };
    try {
      await this.releases.redact(session.principal, id, seq, values);
      return res.redirect(303, `/cycles/${id}#history`);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const errors = error.errors.map((e) =>
        e.field === 'reason' ? { field: 'reason', text: 'Enter why the text is redacted (2,000 characters at most)' } : { field: 'field', text: 'Choose the text to redact' },
      );
      await this.render(res, 400, session, id, seq, { values, errors });
    }
  }

  private async render(res: Response, status: number, session: WebSession, id: string, seq: number, extra: { values?: { field: string; reason: string }; errors?: FormError[] }) {
    const [entry] = seq >= 1 ? await this.audit.newest(id, 1, seq + 1) : [];
    if (!entry || entry.seq !== seq) throw new NotFound('history entry');
    const fields = Object.entries(entry.seals ?? {})
      .filter(([, seal]) => seal.salt !== undefined)
      .map(([pointer]) => ({
        value: pointer.slice(1),
        text: pointer.slice(1),
        hint: { text: String((entry.payload as Record<string, unknown>)[pointer.slice(1)] ?? '') },
        checked: extra.values?.field === pointer.slice(1),
      }));
    res.status(status).render('history-redact', {
      ...(await this.layout.of(session)),
      section: 'cycles',
      title: `Redact entry ${seq} of the history`,
      cycleId: id,
      seq,
      type: entry.type,
      fields,
      reason: extra.values?.reason ?? '',
      errors: extra.errors ?? [],
    });
  }
}
