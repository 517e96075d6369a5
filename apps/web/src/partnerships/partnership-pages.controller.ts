/** The partnerships list and a partnership's own page: opening one, members' tables, outcomes and funding. */
import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, WebSession } from '@app/accounts';
import { CycleQueriesService } from '@app/cycles';
import { TransitionRefused, ValidationFailed, formatPence } from '@app/domain';
import { CreateOutcomeDto, CreatePartnershipDto, PartnershipFrameworkService, PartnershipInvitationsService, PartnershipsService, TableDto } from '@app/partnerships';
import { LayoutService } from '../http/layout.service';
import { Form, checkForm, lines, number, text, ticked } from '../http/form';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';
import { fundingChartSvg } from './funding-chart';
import { PartnershipId, fromTheList } from './partnership-forms';
import { PartnershipPageService } from './partnership-page.service';

/** The partnerships list and a partnership's own page: opening one, the tables members declare, outcomes and funding. */
@Controller('partnerships')
export class PartnershipPagesController {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly framework: PartnershipFrameworkService,
    private readonly invitations: PartnershipInvitationsService,
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
  async create(@Session() session: WebSession, @Body() body: Form, @Res() res: Response) {
    const { value, errors } = await checkForm(
      CreatePartnershipDto,
      { name: text(body, 'name'), memberOrganisationIds: ticked(body, 'memberOrganisationIds'), destination: text(body, 'destination'), principles: lines(body, 'principles') },
      {
        name: { field: 'partnership-name', text: 'Enter the partnership’s name (200 characters at most)' },
        destination: { field: 'partnership-destination', text: 'The shared destination must be 5,000 characters or fewer' },
        principles: { field: 'partnership-principles', text: 'Write at most 100 principles of 2,000 characters each' },
        memberOrganisationIds: fromTheList('partnership-members'),
      },
    );
    if (!errors.length) {
      try {
        const created = await this.partnerships.create(session.principal, value);
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
    const chosen = new Set(ticked(extra.values, 'memberOrganisationIds'));
    const organisations = canCreate ? await this.accounts.listOrganisations() : [];
    res.status(status).render('partnerships', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: 'Partnerships',
      partnerships: await this.partnerships.list(principal),
      invitationsWaiting: (await this.invitations.invitationsToAnswer(principal)).length,
      canCreate,
      isAdmin: principal.role === 'admin',
      organisationItems: organisations.filter((o) => o.id !== principal.organisationId).map((o) => ({ value: o.id, text: `${o.name} (${o.kind})`, checked: chosen.has(o.id) })),
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
  async declare(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Form, @Res() res: Response) {
    const said = (field: 'on' | 'off') => (message: string) => ({ field, text: `${field}: ${message}` });
    const { value, errors } = await checkForm(TableDto, { on: lines(body, 'on'), off: lines(body, 'off') }, { on: said('on'), off: said('off') });
    if (errors.length) return this.pages.render(res, 400, session, id, { errors });
    try {
      await this.framework.declareTable(session.principal, id, value.on, value.off);
      res.redirect(303, `/partnerships/${id}?done=table#table`);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      await this.pages.render(res, 400, session, id, { errors: error.errors.map((e) => said(e.field === 'off' ? 'off' : 'on')(e.message)) });
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
  async addOutcome(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Form, @Res() res: Response) {
    const metric = { name: text(body, 'metric'), unit: text(body, 'unit'), baseline: number(body, 'baseline'), target: number(body, 'target'), direction: text(body, 'direction') };
    const { value, errors } = await checkForm(
      CreateOutcomeDto,
      { title: text(body, 'title'), metrics: [metric] },
      {
        title: { field: 'outcome-title', text: 'Enter the outcome (500 characters at most)' },
        'metrics.0.name': { field: 'outcome-metric', text: 'Enter the name of the metric (200 characters at most)' },
        'metrics.0.unit': { field: 'outcome-unit', text: 'Enter the unit, for example “per 1,000 people” or “%”' },
        'metrics.0.baseline': { field: 'outcome-baseline', text: 'Enter the baseline as a number' },
        'metrics.0.target': { field: 'outcome-target', text: 'Enter the target as a number' },
        'metrics.0.direction': { field: 'outcome-direction', text: 'Choose whether higher or lower is better' },
      },
    );
    if (errors.length) return this.pages.render(res, 400, session, id, { errors, values: body });
    try {
      await this.framework.addOutcome(session.principal, id, value.title, value.metrics);
    } catch (error) {
      // The partnership has as many outcomes as it may hold.
      if (error instanceof TransitionRefused) return this.pages.render(res, 422, session, id, { errors: [{ field: 'outcome-title', text: error.message }], values: body });
      throw error;
    }
    res.redirect(303, `/partnerships/${id}?done=outcome#outcomes`);
  }
}
