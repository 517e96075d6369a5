import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, WebSession } from '@app/accounts';
import { CycleQueriesService } from '@app/cycles';
import { TransitionRefused, ValidationFailed, formatPence } from '@app/domain';
import { PartnershipsService } from '@app/partnerships';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';
import { fundingChartSvg } from './funding-chart';
import { PartnershipId, lines, list, notFromTheList } from './partnership-forms';
import { PartnershipPageService } from './partnership-page.service';

/** The partnerships list and a partnership's own page: opening one, the tables members declare, outcomes and funding. */
@Controller('partnerships')
export class PartnershipPagesController {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly cycles: CycleQueriesService,
    private readonly accounts: AccountsService,
    private readonly layout: LayoutService,
    private readonly pages: PartnershipPageService,
  ) {}

  @Get()
  async index(@Session() session: WebSession, @Res() res: Response) {
    await this.renderIndex(res, 200, session, {});
  }

  /** Admins and commissioners open a partnership with the organisations they choose. */
  @Post()
  async create(@Session() session: WebSession, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    const destination = typeof body.destination === 'string' ? body.destination.trim() : '';
    const errors: FormError[] = [];
    if (!name || name.length > 300) errors.push({ field: 'partnership-name', text: 'Enter the partnership’s name (300 characters at most)' });
    if (destination.length > 5000) errors.push({ field: 'partnership-destination', text: 'The shared destination must be 5,000 characters or fewer' });
    const principles = lines(body.principles);
    if (principles.length > 50 || principles.some((p) => p.length > 1000)) errors.push({ field: 'partnership-principles', text: 'Write at most 50 principles of 1,000 characters each' });
    errors.push(...notFromTheList(body));
    if (!errors.length) {
      try {
        const created = await this.partnerships.create(session.principal, {
          name,
          memberOrganisationIds: list(body.memberOrganisationIds),
          destination: destination || undefined,
          principles,
        });
        return res.redirect(303, `/partnerships/${created.partnership.id}`);
      } catch (error) {
        if (!(error instanceof ValidationFailed)) throw error;
        errors.push({ field: 'partnership-members', text: 'Choose organisations from the list' });
      }
    }
    await this.renderIndex(res, 400, session, { errors, values: body });
  }

  private async renderIndex(res: Response, status: number, session: WebSession, extra: { errors?: FormError[]; values?: Record<string, unknown> }) {
    const { principal } = session;
    const canCreate = principal.role === 'admin' || principal.organisationKind === 'commissioner';
    const chosen = new Set(list(extra.values?.memberOrganisationIds));
    const organisations = canCreate ? await this.accounts.listOrganisations() : [];
    res.status(status).render('partnerships', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: 'Partnerships',
      partnerships: await this.partnerships.list(principal),
      invitationsWaiting: (await this.partnerships.invitationsToAnswer(principal)).length,
      canCreate,
      isAdmin: principal.role === 'admin',
      organisationItems: organisations
        .filter((o) => o.id !== principal.organisationId)
        .map((o) => ({ value: o.id, text: `${o.name} (${o.kind})`, checked: chosen.has(o.id) })),
      errors: extra.errors ?? [],
      values: extra.values ?? {},
    });
  }

  @Get(':id')
  async page(@Session() session: WebSession, @PartnershipId() id: string, @Query('done') done: string | undefined, @Res() res: Response) {
    await this.pages.render(res, 200, session, id, { done });
  }

  /** The caller's organisation declares what it puts on the table and keeps off it (a new version). */
  @Post(':id/table')
  async declare(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    try {
      await this.partnerships.declareTable(session.principal, id, lines(body.on), lines(body.off));
      res.redirect(303, `/partnerships/${id}?done=table#table`);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      await this.pages.render(res, 400, session, id, { errors: error.errors.map((e) => ({ field: e.field === 'off' ? 'off' : 'on', text: `${e.field}: ${e.message}` })) });
    }
  }

  /** Pledged and committed cash per member, per financial year: a chart and a table. */
  @Get(':id/funding')
  async funding(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    const [aggregate, years] = await Promise.all([this.partnerships.get(session.principal, id), this.cycles.fundingByYear(session.principal, id)]);
    const name = (organisationId: string) => aggregate.members.find((m) => m.organisationId === organisationId)?.organisation?.name ?? 'a former member';
    const bars = years.flatMap((y) =>
      y.byOrganisation.flatMap((o) => [
        { year: y.year, organisation: name(o.organisationId), measure: 'Pledged' as const, pounds: o.pledgedPence / 100 },
        { year: y.year, organisation: name(o.organisationId), measure: 'Committed' as const, pounds: o.committedPence / 100 },
      ]),
    );
    const sum = (list: { pledgedPence: number; committedPence: number }[], field: 'pledgedPence' | 'committedPence') => list.reduce((s, o) => s + o[field], 0);
    res.render('partnership-funding', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: `Funding: ${aggregate.partnership.name}`,
      partnership: aggregate.partnership,
      chart: await fundingChartSvg(bars),
      summary: years.map((y) => `${y.year}: ${formatPence(sum(y.byOrganisation, 'pledgedPence'))} pledged, ${formatPence(sum(y.byOrganisation, 'committedPence'))} committed.`).join(' '),
      years: years.map((y) => ({
        year: y.year,
        pledgedHeading: formatPence(sum(y.byOrganisation, 'pledgedPence'), { wholePounds: true }),
        committedHeading: formatPence(sum(y.byOrganisation, 'committedPence'), { wholePounds: true }),
        rows: y.byOrganisation.map((o) => ({ organisation: name(o.organisationId), pledged: formatPence(o.pledgedPence), committed: formatPence(o.committedPence) })),
      })),
    });
  }

  /** A member adds an outcome to the shared framework, with one metric (more can follow). */
  @Post(':id/outcomes')
  async addOutcome(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    const number = (name: string) => (/^-?\d+(\.\d+)?$/.test(text(name)) ? Number(text(name)) : NaN);
    const errors: FormError[] = [];
    if (!text('title') || text('title').length > 300) errors.push({ field: 'outcome-title', text: 'Enter the outcome (300 characters at most)' });
    if (!text('metric') || text('metric').length > 200) errors.push({ field: 'outcome-metric', text: 'Enter the name of the metric' });
    if (!text('unit') || text('unit').length > 50) errors.push({ field: 'outcome-unit', text: 'Enter the unit, for example “per 1,000 people” or “%”' });
    if (Number.isNaN(number('baseline'))) errors.push({ field: 'outcome-baseline', text: 'Enter the baseline as a number' });
    if (Number.isNaN(number('target'))) errors.push({ field: 'outcome-target', text: 'Enter the target as a number' });
    const direction = text('direction');
    if (direction !== 'increase' && direction !== 'decrease') errors.push({ field: 'outcome-direction', text: 'Choose whether higher or lower is better' });
    if (errors.length) return this.pages.render(res, 400, session, id, { errors, values: body });
    try {
      await this.partnerships.addOutcome(session.principal, id, text('title'), [
        { name: text('metric'), unit: text('unit'), baseline: number('baseline'), target: number('target'), direction: direction as 'increase' | 'decrease' },
      ]);
    } catch (error) {
      // The partnership has as many outcomes as it may hold.
      if (error instanceof TransitionRefused) return this.pages.render(res, 422, session, id, { errors: [{ field: 'outcome-title', text: error.message }], values: body });
      throw error;
    }
    res.redirect(303, `/partnerships/${id}?done=outcome#outcomes`);
  }
}
