/** The admin page of the retention policy: how long each kind of record is kept, shown and changed. */
import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, WebSession } from '@app/accounts';
import { MAX_KEEP_DAYS, RETENTION_INFO, RETENTION_RECORDS, RetentionService, UpdateRetentionDto, keepDaysInWords } from '@app/data-protection';
import { type Form, checkForm, number } from '../http/form';
import { LayoutService } from '../http/layout.service';
import { AdminPage, Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

/** A field's id on the page: `keep-` and the record. */
const fieldOf = (record: string) => `keep-${record}`;

/** Platform admins see the retention policy and change it, validated by the API's own request class. */
@AdminPage()
@Controller('admin/retention')
export class RetentionPagesController {
  constructor(
    private readonly retention: RetentionService,
    private readonly accounts: AccountsService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async page(@Session() session: WebSession, @Query('done') done: string | undefined, @Res() res: Response) {
    await this.render(res, 200, session, { done: done === 'saved' ? 'The retention policy is saved' : undefined });
  }

  @Post()
  async save(@Session() session: WebSession, @Body() body: Form, @Res() res: Response) {
    // Whole numbers only reach the schema as numbers; anything else as typed, which it refuses.
    const { value, errors } = await checkForm(
      UpdateRetentionDto,
      { rules: RETENTION_RECORDS.map((record) => ({ record, keepDays: number(body, record, /^\d+$/) })) },
      Object.fromEntries(
        RETENTION_RECORDS.map((record, i) => [
          `rules.${i}`,
          { field: fieldOf(record), text: `Enter how many days to keep ${RETENTION_INFO[record].label.toLowerCase()}, as a whole number from 0 to ${MAX_KEEP_DAYS.toLocaleString('en-GB')}` },
        ]),
      ),
    );
    if (errors.length) return this.render(res, 400, session, { errors, values: body });
    await this.retention.update(session.principal, value);
    res.redirect(303, '/admin/retention?done=saved');
  }

  private async render(res: Response, status: number, session: WebSession, extra: { done?: string; errors?: FormError[]; values?: Form }) {
    const policy = await this.retention.policy();
    const authors = new Map((await this.accounts.findUsers([...new Set(policy.flatMap((r) => (r.updatedByUserId ? [r.updatedByUserId] : [])))])).map((u) => [u.id, u.name]));
    res.status(status).render('admin-retention', {
      ...(await this.layout.of(session)),
      section: 'admin',
      title: 'Retention of records',
      rules: policy.map((rule) => {
        const info = RETENTION_INFO[rule.record];
        const sent = extra.values?.[rule.record];
        return {
          record: rule.record,
          id: fieldOf(rule.record),
          label: info.label,
          hint: info.countedFrom,
          appliedBy: rule.appliedBy,
          keepDays: rule.keepDays,
          inWords: keepDaysInWords(rule.keepDays),
          value: typeof sent === 'string' ? sent : String(rule.keepDays),
          changed: rule.updatedByUserId ? { at: rule.updatedAt, by: authors.get(rule.updatedByUserId) ?? 'A former admin' } : null,
        };
      }),
      done: extra.done,
      errors: extra.errors ?? [],
    });
  }
}
