/** A partnership's public page, without sign-in, once a commissioner member publishes it. */
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { LRUCache } from 'lru-cache';
import { AgreementsService } from '@app/agreements';
import { PartnershipsService } from '@app/partnerships';
import { AuditSigningKey, SignedCheckpointsService } from '@app/cycles';
import { OpenDataService } from '@app/open-data';
import { formatPence } from '@app/domain';
import { IdPipe } from '@app/http';
import { PublicPage } from '../http/session.guard';
import { fundingChartSvg } from '../partnerships/funding-chart';
import { outcomeFigures } from '../partnerships/outcome-chart';

/** How long a CDN or browser may keep a public page: a withdrawn page is gone within five minutes. */
export const PUBLIC_PAGE_CACHE = 'public, max-age=300';
const PUBLIC_PAGE_TTL_MS = 300_000;

const RECOMMENDATIONS: Record<string, string> = { continue: 'Continue', adapt: 'Adapt', stop: 'Stop' };

/**
 * A partnership's public page, without sign-in, once a commissioner member publishes it:
 * destination and principles, cycles with their stage, decisions with their rationale, learning,
 * metrics and funding. It names organisations only, never people, and is the same for everyone
 * (no session is read), so a CDN may cache it.
 */
@Controller('public/partnerships')
export class PublicPagesController {
  /**
   * Pages rendered in the last five minutes, per partnership: anyone may ask for a public page as
   * often as they like, and drawing it reads every cycle and draws every chart. Whether it is still
   * published is checked on every request, so a withdrawn page is gone at once from this server.
   */
  private readonly rendered = new LRUCache<string, string>({ max: 500, ttl: PUBLIC_PAGE_TTL_MS });

  constructor(
    private readonly openData: OpenDataService,
    private readonly agreements: AgreementsService,
    private readonly partnerships: PartnershipsService,
    private readonly checkpoints: SignedCheckpointsService,
    private readonly signing: AuditSigningKey,
  ) {}

  @PublicPage()
  @Get(':id')
  async page(@Param('id', new IdPipe('partnership')) id: string, @Res() res: Response) {
    await this.partnerships.requirePublic(id);
    let html = this.rendered.get(id);
    if (html === undefined) {
      html = await this.render(res, id);
      this.rendered.set(id, html);
    }
    // Set only once the page is drawn, so that an error page is never cached publicly.
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    res.type('html').send(html);
  }

  private async render(res: Response, id: string): Promise<string> {
    const view = await this.openData.publicPartnership(id);
    const agreed = await this.agreements.agreedVersion(id);
    // Each cycle's newest head signed with the audit key: anyone may keep it and check the history against it later.
    const signed = await this.checkpoints.newestOfCycles(view.cycles.map((c) => c.id));
    const bars = view.funding.flatMap((y) =>
      y.rows.flatMap((o) => [
        { year: y.year, organisation: o.organisation, measure: 'Pledged' as const, pounds: o.pledgedPence / 100 },
        { year: y.year, organisation: o.organisation, measure: 'Committed' as const, pounds: o.committedPence / 100 },
      ]),
    );
    const sum = (rows: { pledgedPence: number; committedPence: number }[], field: 'pledgedPence' | 'committedPence') => rows.reduce((s, o) => s + o[field], 0);
    const locals = {
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
      signedHeads: view.cycles.flatMap((c) => {
        const head = signed.get(c.id);
        return head ? [{ title: c.title, iteration: c.iteration, ...head }] : [];
      }),
      auditPublicKey: this.signing.get()?.publicKeyPem ?? null,
      outcomeFigures: await outcomeFigures(view.metrics),
      fundingChart: await fundingChartSvg(bars),
      fundingSummary: view.funding.map((y) => `${y.year}: ${formatPence(sum(y.rows, 'pledgedPence'))} pledged, ${formatPence(sum(y.rows, 'committedPence'))} committed.`).join(' '),
      funding: view.funding.map((y) => ({
        year: y.year,
        pledgedHeading: formatPence(sum(y.rows, 'pledgedPence'), { wholePounds: true }),
        committedHeading: formatPence(sum(y.rows, 'committedPence'), { wholePounds: true }),
        rows: y.rows.map((o) => ({ organisation: o.organisation, pledged: formatPence(o.pledgedPence), committed: formatPence(o.committedPence) })),
      })),
    };
    return new Promise((resolve, reject) => res.render('public-partnership', locals, (error: Error | null, html: string) => (error ? reject(error) : resolve(html))));
  }
}
