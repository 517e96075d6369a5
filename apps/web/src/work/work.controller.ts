import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { CycleQueriesService } from '@app/cycles';
import { CycleState } from '@app/domain';
import { STATE_LABELS, waitingFor } from '../cycles/cycle-page';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';

/** At most this many cycles, the newest. */
const SHOWN = 200;

@Controller()
export class WorkController {
  constructor(
    private readonly cycles: CycleQueriesService,
    private readonly layout: LayoutService,
  ) {}

  /** Your work: cycles the user's organisation co-owns or the user reviews or facilitates, and what each waits for. */
  @Get()
  async work(@Session() session: WebSession, @Res() res: Response) {
    const { principal } = session;
    const rows = (await this.cycles.involvingSummaries(principal, SHOWN)).map((cycle) => ({
      id: cycle.id,
      title: cycle.title,
      iteration: cycle.iteration,
      state: STATE_LABELS[cycle.state as CycleState],
      waiting: waitingFor(cycle),
      updatedAt: cycle.updatedAt,
    }));
    const waiting = rows.filter((r) => r.waiting);
    const other = rows.filter((r) => !r.waiting);
    res.render('work', { ...(await this.layout.of(session)), section: 'work', title: 'Your work', waiting, other, isAdmin: principal.role === 'admin' });
  }
}
