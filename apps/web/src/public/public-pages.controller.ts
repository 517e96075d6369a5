import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AgreementsService } from '@app/agreements';
import { OpenDataService } from '@app/cycles';
import { formatPence } from '@app/domain';
import { IdPipe } from '@app/http';
import { PublicPage } from '../http/session.guard';
import { fundingChartSvg } from '../partnerships/funding-chart';
import { outcomeFigures } from '../partnerships/outcome-chart';

/** How long a CDN or browser may keep a public page: a withdrawn page is gone within five minutes. */
export const PUBLIC_PAGE_CACHE = 'public, max-age=300';

const RECOMMENDATIONS: Record<string, string> = { continue: 'Continue', adapt: 'Adapt', stop: 'Stop' };

/**
 * A partnership's public page, without sign-in, once a commissioner member publishes it:
 * destination and principles, cycles with their stage, decisions with their rationale, learning,
 * metrics and funding. It names organisations only, never people, and is the same for everyone
 * (no session is read), so a CDN may cache it.
 */
@Controller('public/partnerships')
export class PublicPagesController {
  constructor(
    private readonly openData: OpenDataService,
    private readonly agreements: AgreementsService,
  ) {}

  @PublicPage()
  @Get(':id')
  async page(@Param('id', new IdPipe('partnership')) id: string, @Res() res: Response) {
    const view = await this.openData.publicPartnership(id);
    const agreed = await this.agreements.agreedVersion(id);
    const bars = view.funding.flatMap((y) =>
      y.rows.flatMap((o) => [
        { year: y.year, organisation: o.organisation, measure: 'Pledged' as const, pounds: o.pledgedPence / 100 },
        { year: y.year, organisation: o.organisation, measure: 'Committed' as const, pounds: o.committedPence / 100 },
      ]),
    );
    const sum = (rows: { pledgedPence: number; committedPence: number }[], field: 'pledgedPence' | 'committedPence') => rows.reduce((s, o) => s + o[field], 0);
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    res.render('public-partnership', {
      unread: 0,
      title: view.partnership.name,
      partnership: view.partnership,
      destination: agreed ? agreed.destination : view.partnership.destination,
      horizonYear: agreed?.horizonYear ?? null,
      principles: agreed ? agreed.principles : view.partnership.principles,
      agreedNumber: agreed?.number ?? null,
      members: view.members,
      cycles: view.cycles.map((c) => ({
        ...c,
        learnings: c.learnings.map((l) => ({
          ...l,
          recommendation: RECOMMENDATIONS[l.recommendation] ?? l.recommendation,
          by: l.writtenBy === 'panel' ? `The review panel${l.organisation ? ` (${l.organisation})` : ''}` : (l.organisation ?? 'A co-owner'),
        })),
      })),
      outcomeFigures: await outcomeFigures(view.metrics),
      fundingChart: await fundingChartSvg(bars),
      fundingSummary: view.funding.map((y) => `${y.year}: ${formatPence(sum(y.rows, 'pledgedPence'))} pledged, ${formatPence(sum(y.rows, 'committedPence'))} committed.`).join(' '),
      funding: view.funding.map((y) => ({
        year: y.year,
        pledgedHeading: formatPence(sum(y.rows, 'pledgedPence'), { wholePounds: true }),
        committedHeading: formatPence(sum(y.rows, 'committedPence'), { wholePounds: true }),
        rows: y.rows.map((o) => ({ organisation: o.organisation, pledged: formatPence(o.pledgedPence), committed: formatPence(o.committedPence) })),
      })),
    });
  }
}
