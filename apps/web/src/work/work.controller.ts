/** Your work: the signed-in person's cycles and what each awaits from them. */
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { LRUCache } from 'lru-cache';
import { Principal, WebSession } from '@app/accounts';
import { CycleQueriesService } from '@app/cycles';
import { CycleState } from '@app/domain';
import { STATE_LABELS, waitingFor } from '../cycles/cycle-page';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';
import { formatDateTime } from '../views/filters';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\\': '&#92;' };
/** Text made safe inside HTML, as nunjucks's `escape` makes it (its characters and theirs). */
const escapeHtml = (text: string) => text.replace(/[&<>"'\\]/g, (c) => HTML_ESCAPES[c]);

/** A row of Your work. */
interface WorkRow {
  id: string;
  title: string;
  iteration: number;
  state: string;
  waiting: string | null;
  updatedAt: Date;
}

/** At most this many cycles, the newest. */
const SHOWN = 200;

@Controller()
export class WorkController {
  constructor(
    private readonly cycles: CycleQueriesService,
    private readonly layout: LayoutService,
  ) {}

  /**
   * Each person's rows, kept until one of their organisation's partnerships or cycles moves on (or
   * whom they speak for changes): the page people open most need not work out every involved
   * cycle's next events on each view.
   */
  private readonly rows = new LRUCache<string, { stamp: string; rows: Promise<WorkRow[]> }>({ max: 2000 });

  private async rowsOf(principal: Principal): Promise<WorkRow[]> {
    const read = async () =>
      (await this.cycles.involvingSummaries(principal, SHOWN)).map((cycle) => ({
        id: cycle.id,
        title: cycle.title,
        iteration: cycle.iteration,
        state: STATE_LABELS[cycle.state as CycleState],
        waiting: waitingFor(cycle),
        updatedAt: cycle.updatedAt,
      }));
    const stamp = await this.cycles.involvementStamp(principal);
    if (stamp === null) return read();
    const held = this.rows.get(principal.userId);
    if (held?.stamp === stamp) return held.rows;
    const rows = read();
    this.rows.set(principal.userId, { stamp, rows });
    rows.catch(() => this.rows.delete(principal.userId));
    return rows;
  }

  /** Your work: cycles the user's organisation co-owns or the user reviews or facilitates, and what each waits for. */
  @Get()
  async work(@Session() session: WebSession, @Res() res: Response) {
    const { principal } = session;
    const rows = await this.rowsOf(principal);
    // The tables' cells made here, not in the template (a loop of two hundred rows there cost more
    // than drawing the table), and drawn by the kept GOV.UK table: the same rows draw once.
    const link = (r: WorkRow) => ({ html: `<a class="govuk-link" href="/cycles/${encodeURIComponent(r.id)}">${escapeHtml(r.title)}</a> (iteration ${r.iteration})` });
    const waiting = rows.filter((r) => r.waiting).map((r) => [link(r), { text: r.state }, { text: r.waiting }]);
    const other = rows.filter((r) => !r.waiting).map((r) => [link(r), { text: r.state }, { text: formatDateTime(r.updatedAt) }]);
    res.render('work', { ...(await this.layout.of(session)), section: 'work', title: 'Your work', waiting, other, isAdmin: principal.role === 'admin' });
  }
}
