import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { CyclesService } from '@app/cycles';
import { CycleState } from '@app/domain';
import { STATE_LABELS, waitingFor } from '../cycles/cycle-page';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';

/** How many of the newest visible cycles the page looks through. */
const LOOK_AT = 100;

@Controller()
export class WorkController {
  constructor(
    private readonly cycles: CyclesService,
    private readonly layout: LayoutService,
  ) {}

  /** Your work: cycles the user's organisation co-owns or the user reviews or facilitates, and what each waits for. */
  @Get()
  async work(@Session() session: WebSession, @Res() res: Response) {
    const { principal } = session;
    const page = await this.cycles.list(principal, { limit: LOOK_AT });
    const records = await Promise.all(page.items.map((c) => this.cycles.get(principal, c.id)));
    const rows = records
      .filter(({ snapshot: { context: c } }) =>
        c.coOwners.some((o) => o.organisationId === principal.organisationId) ||
        c.panelUserIds.includes(principal.userId) ||
        c.facilitatorUserIds.includes(principal.userId),
      )
      .map((record) => ({
        id: record.row.id,
        title: record.row.title,
        iteration: record.row.iteration,
        state: STATE_LABELS[record.row.state as CycleState],
        waiting: waitingFor(record, principal.userId, principal.organisationId),
        updatedAt: record.row.updatedAt,
      }));
    const waiting = rows.filter((r) => r.waiting);
    const other = rows.filter((r) => !r.waiting);
    res.render('work', { ...(await this.layout.of(session)), section: 'work', title: 'Your work', waiting, other, isAdmin: principal.role === 'admin' });
  }
}
