import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, WebSession } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CycleCreationService, CycleQueriesService, PartnershipMembersService } from '@app/cycles';
import { OpenDataService } from '@app/open-data';
import { Conflict, TransitionRefused, ValidationFailed, formErrorStatus, formatPence } from '@app/domain';
import { fundingChartSvg } from './funding-chart';
import { outcomeFigures } from './outcome-chart';
import { isUUID } from 'class-validator';
import { IdPipe } from '@app/http';
import { MilestonesService } from '@app/milestones';
import { PartnershipCalendarService, PartnershipFrameworkService, PartnershipGovernanceService, PartnershipInvitationsService, PartnershipsService } from '@app/partnerships';
import { WebhooksService } from '@app/webhooks';
import { AgreementsService } from '@app/agreements';
import { ChoicesService } from '../http/choices.service';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';
import { dateFromForm } from '../views/dates';

const PartnershipId = () => Param('id', new IdPipe('partnership'));
const lines = (value: unknown) =>
  (typeof value === 'string' ? value : '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : typeof value === 'string' && value ? [value] : []);
/** Fields that hold ids of a list the page offered: anything else was not chosen from it. */
const ID_FIELDS = ['memberOrganisationIds', 'commissionerOrganisationIds', 'providerOrganisationIds', 'communityOrganisationIds', 'panelUserIds', 'facilitatorUserIds', 'outcomeIds'];
const notFromTheList = (body: Record<string, unknown>): FormError[] =>
  ID_FIELDS.filter((f) => list(body[f]).some((id) => !isUUID(id))).map((f) => ({ field: f === 'memberOrganisationIds' ? 'partnership-members' : f, text: 'Choose from the list' }));

const doneText = (done: string | undefined) => {
  if (done === 'table') return 'Your organisation’s declaration is saved';
  if (done === 'anchor') return 'The anchor is added';
  if (done === 'outcome') return 'The outcome is added to the shared framework';
  if (done === 'member-removed') return 'The organisation is no longer a member';
  if (done === 'proposed') return 'Your proposal is recorded: it happens once a commissioner member of another organisation agrees';
  if (done === 'proposal-withdrawn') return 'Your proposal is withdrawn';
  if (done === 'joined') return 'Your organisation accepted the invitation: it is a member now';
  if (done === 'archived') return 'The partnership is archived';
  if (done === 'published') return 'The public page is published: anyone with the link can read it';
  if (done === 'withdrawn') return 'The public page is withdrawn: its link now finds nothing (copies kept by browsers and caches go within five minutes)';
  if (done === 'webhook-removed') return 'The webhook is removed';
  if (done === 'calendar-revoked') return 'Your subscription link is revoked: calendar apps that use it get no more updates';
  const moved = /^moved-(\d+)$/.exec(done ?? '');
  return moved ? `The anchor is moved, and ${moved[1]} aligned milestone${moved[1] === '1' ? '' : 's'} with it` : undefined;
};

/** A partnership history entry in words (the page's list). */
function historyText(type: string, payload: Record<string, unknown>, name: (organisationId: unknown) => string): string {
  const act = (action: unknown) => (action === 'archive' ? 'archive the partnership' : action === 'publish' ? 'publish the public page' : `remove ${name(payload.organisationId)}`);
  switch (type) {
    case 'CREATED':
      return 'Opened the partnership';
    case 'INVITED':
      return `Invited ${name(payload.organisationId)}`;
    case 'INVITATION_ACCEPTED':
      return `${name(payload.organisationId)} accepted the invitation and joined`;
    case 'INVITATION_DECLINED':
      return `${name(payload.organisationId)} declined the invitation`;
    case 'PROPOSED':
      return `Proposed to ${act(payload.action)}`;
    case 'AGREED':
      return `Agreed to the proposal to ${act(payload.action)}`;
    case 'PROPOSAL_WITHDRAWN':
      return `Withdrew the proposal to ${act(payload.action)}`;
    case 'MEMBER_REMOVED':
      return `Removed ${name(payload.organisationId)}${payload.alone ? ' (the only commissioner member)' : ''}`;
    case 'ARCHIVED':
      return `Archived the partnership${payload.alone ? ' (the only commissioner member)' : ''}`;
    case 'PUBLISHED':
      return `Published the public page${payload.alone ? ' (the only commissioner member)' : ''}`;
    case 'WITHDRAWN':
      return 'Withdrew the public page';
    default:
      return type;
  }
}

@Controller('partnerships')
export class PartnershipPagesController {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly invitations: PartnershipInvitationsService,
    private readonly governance: PartnershipGovernanceService,
    private readonly framework: PartnershipFrameworkService,
    private readonly calendar: PartnershipCalendarService,
    private readonly milestones: MilestonesService,
    private readonly cycles: CycleQueriesService,
    private readonly creation: CycleCreationService,
    private readonly members: PartnershipMembersService,
    private readonly accounts: AccountsService,
    private readonly choices: ChoicesService,
    private readonly webhooks: WebhooksService,
    private readonly agreements: AgreementsService,
    private readonly openData: OpenDataService,
    private readonly layout: LayoutService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
      invitationsWaiting: (await this.invitations.invitationsToAnswer(principal)).length,
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
    await this.render(res, 200, session, id, { done });
  }

  /** The caller's organisation declares what it puts on the table and keeps off it (a new version). */
  @Post(':id/table')
  async declare(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    try {
      await this.framework.declareTable(session.principal, id, lines(body.on), lines(body.off));
      res.redirect(303, `/partnerships/${id}?done=table#table`);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      await this.render(res, 400, session, id, { errors: error.errors.map((e) => ({ field: e.field === 'off' ? 'off' : 'on', text: `${e.field}: ${e.message}` })) });
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

  /** A commissioner member removes an organisation (refused while it co-owns an unfinished cycle). */
  @Post(':id/members/:organisationId/remove')
  async removeMember(
    @Session() session: WebSession,
    @PartnershipId() id: string,
    @Param('organisationId', new IdPipe('member')) organisationId: string,
    @Res() res: Response,
  ) {
    try {
      const decided = await this.members.remove(session.principal, id, organisationId);
      res.redirect(303, decided.done ? `/partnerships/${id}?done=member-removed#table` : `/partnerships/${id}?done=proposed#decisions`);
    } catch (error) {
      const status = formErrorStatus(error, [Conflict, TransitionRefused]);
      if (!status) throw error;
      await this.render(res, status, session, id, { errors: [{ field: 'table', text: (error as Error).message }] });
    }
  }

  /** A commissioner member subscribes a partner system; its secret is shown on this page, once. */
  @Post(':id/webhooks')
  async addWebhook(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const url = typeof body.url === 'string' ? body.url.trim() : '';
    const events = typeof body.events === 'string' && body.events.trim() ? body.events.split(/[\s,]+/).filter(Boolean) : ['*'];
    if (!url) return this.render(res, 400, session, id, { errors: [{ field: 'webhook-url', text: 'Enter the address the partner system receives events at' }], values: body });
    try {
      const created = await this.webhooks.create(session.principal, id, { url, events });
      await this.render(res, 201, session, id, { webhookSecret: { url: created.url, secret: created.secret } });
    } catch (error) {
      // Over the partnership's cap (422), or an address it already has (409).
      const status = formErrorStatus(error, [Conflict, TransitionRefused]);
      if (status) return this.render(res, status, session, id, { errors: [{ field: 'webhook-url', text: (error as Error).message }], values: body });
      if (!(error instanceof ValidationFailed)) throw error;
      await this.render(res, 400, session, id, { errors: error.errors.map((e) => ({ field: 'webhook-url', text: `The address ${e.message}` })), values: body });
    }
  }

  @Post(':id/webhooks/:webhookId/remove')
  async removeWebhook(
    @Session() session: WebSession,
    @PartnershipId() id: string,
    @Param('webhookId', new IdPipe('webhook')) webhookId: string,
    @Res() res: Response,
  ) {
    await this.webhooks.remove(session.principal, id, webhookId);
    res.redirect(303, `/partnerships/${id}?done=webhook-removed#webhooks`);
  }

  /** A commissioner member publishes the public page (no sign-in: organisations only), or withdraws it. */
  @Post(':id/public')
  async publish(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    if (body.public !== 'true' && body.public !== 'false') {
      return this.render(res, 400, session, id, { errors: [{ field: 'public-page', text: 'Choose whether to publish the public page or withdraw it' }] });
    }
    const publish = body.public === 'true';
    const { decided } = await this.partnerships.update(session.principal, id, { public: publish });
    res.redirect(303, decided.done ? `/partnerships/${id}?done=${publish ? 'published' : 'withdrawn'}#public-page` : `/partnerships/${id}?done=proposed#decisions`);
  }

  /** The organisation that proposed it withdraws its proposal. */
  @Post(':id/proposals/:proposalId/withdraw')
  async withdrawProposal(@Session() session: WebSession, @PartnershipId() id: string, @Param('proposalId', new IdPipe('proposal')) proposalId: string, @Res() res: Response) {
    try {
      await this.governance.withdrawProposal(session.principal, id, proposalId);
      res.redirect(303, `/partnerships/${id}?done=proposal-withdrawn#decisions`);
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      await this.render(res, 422, session, id, { errors: [{ field: 'decisions', text: error.message }] });
    }
  }

  /** The partnership history: every invitation and answer, removal, proposal and agreement, archive and public page, chained. */
  @Get(':id/history')
  async history(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    const [aggregate, entries, verdict] = await Promise.all([
      this.partnerships.get(session.principal, id),
      this.governance.historyOf(session.principal, id),
      this.governance.verifyHistory(session.principal, id),
    ]);
    const ids = [...new Set(entries.flatMap((e) => [e.organisationId, e.payload.organisationId]).filter((o): o is string => typeof o === 'string'))];
    const { organisations, users } = await this.accounts.namesOf(ids, [...new Set(entries.map((e) => e.actorUserId).filter((u): u is string => !!u))]);
    res.render('partnership-history', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: `History: ${aggregate.partnership.name}`,
      partnership: aggregate.partnership,
      verdict,
      entries: [...entries].reverse().map((e) => ({
        seq: e.seq,
        at: e.at,
        what: historyText(e.type, e.payload, (o) => (typeof o === 'string' && organisations.get(o)) || 'an organisation'),
        who: [e.actorUserId && users.get(e.actorUserId), e.organisationId && organisations.get(e.organisationId)].filter(Boolean).join(', '),
        hash: e.hash,
      })),
    });
  }

  /** A commissioner member archives the partnership: read-only, its milestones cancelled. */
  @Post(':id/archive')
  async archive(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    const decided = await this.milestones.archivePartnership(session.principal, id);
    res.redirect(303, decided.done ? `/partnerships/${id}?done=archived` : `/partnerships/${id}?done=proposed#decisions`);
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
    if (errors.length) return this.render(res, 400, session, id, { errors, values: body });
    try {
      await this.framework.addOutcome(session.principal, id, text('title'), [
        { name: text('metric'), unit: text('unit'), baseline: number('baseline'), target: number('target'), direction: direction as 'increase' | 'decrease' },
      ]);
    } catch (error) {
      // The partnership has as many outcomes as it may hold.
      if (error instanceof TransitionRefused) return this.render(res, 422, session, id, { errors: [{ field: 'outcome-title', text: error.message }], values: body });
      throw error;
    }
    res.redirect(303, `/partnerships/${id}?done=outcome#outcomes`);
  }

  /** A commissioner member adds a dated anchor (a budget, a planning round) that cycles align to. */
  @Post(':id/anchors')
  async addAnchor(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    const date = dateFromForm(body, 'anchor-date');
    const errors: FormError[] = [...date.errors];
    if (!name || name.length > 200) errors.unshift({ field: 'anchor-name', text: 'Enter the anchor’s name (200 characters at most)' });
    if (!errors.length) {
      await this.calendar.addAnchor(session.principal, id, name, date.value!);
      return res.redirect(303, `/partnerships/${id}?done=anchor#calendar`);
    }
    await this.render(res, 400, session, id, { errors, values: body });
  }

  /** Moving an anchor moves every milestone aligned to it, in every cycle. */
  @Post(':id/anchors/:anchorId')
  async moveAnchor(
    @Session() session: WebSession,
    @PartnershipId() id: string,
    @Param('anchorId', new IdPipe('anchor')) anchorId: string,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ) {
    const date = dateFromForm(body, `move-${anchorId}`);
    if (date.errors.length) return this.render(res, 400, session, id, { errors: date.errors, values: body });
    const { moved } = await this.milestones.moveAnchor(session.principal, id, anchorId, { date: date.value! });
    res.redirect(303, `/partnerships/${id}?done=moved-${moved}#calendar`);
  }

  /** A secret link for Outlook or Google Calendar (a new one replaces the old). */
  @Post(':id/calendar-link')
  async calendarLink(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    await this.partnerships.requireVisible(session.principal, id);
    const { token } = await this.accounts.issueCalendarToken(session.principal.userId);
    const link = `${this.config.http.publicUrl}/v1/partnerships/${id}/calendar.ics?token=${encodeURIComponent(token)}`;
    await this.render(res, 200, session, id, { calendarLink: link });
  }

  /** Revokes the person's calendar token: every subscription link made with it stops working. */
  @Post(':id/calendar-link/revoke')
  async revokeCalendarLink(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    await this.partnerships.requireVisible(session.principal, id);
    await this.accounts.revokeCalendarToken(session.principal.userId);
    res.redirect(303, `/partnerships/${id}?done=calendar-revoked#subscribe`);
  }

  @Get(':id/cycles/new')
  async newCycle(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    await this.renderNewCycle(res, 200, session, id, {});
  }

  @Post(':id/cycles')
  async createCycle(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const title = typeof body.title === 'string' ? body.title.trim() : '';
    const errors: FormError[] = [];
    if (!title) errors.push({ field: 'title', text: 'Enter a title for the cycle' });
    if (title.length > 300) errors.push({ field: 'title', text: 'The title must be 300 characters or fewer' });
    errors.push(...notFromTheList(body));
    if (!errors.length) {
      try {
        const record = await this.creation.create(session.principal, {
          partnershipId: id,
          title,
          commissionerOrganisationIds: list(body.commissionerOrganisationIds),
          providerOrganisationIds: list(body.providerOrganisationIds),
          communityOrganisationIds: list(body.communityOrganisationIds),
          panelUserIds: list(body.panelUserIds),
          facilitatorUserIds: list(body.facilitatorUserIds),
          outcomeIds: list(body.outcomeIds),
        });
        return res.redirect(303, `/cycles/${record.row.id}`);
      } catch (error) {
        if (!(error instanceof ValidationFailed)) throw error;
        errors.push(...error.errors.map((e) => ({ field: e.field, text: e.message.replace(/[0-9a-f-]{36}/g, 'an organisation') })));
      }
    }
    await this.renderNewCycle(res, 400, session, id, { errors, values: body });
  }

  private async renderNewCycle(res: Response, status: number, session: WebSession, id: string, extra: { errors?: FormError[]; values?: Record<string, unknown> }) {
    const aggregate = await this.partnerships.get(session.principal, id);
    const { users } = await this.choices.of(aggregate);
    const members = aggregate.members.map((m) => ({ value: m.organisationId, text: m.organisation?.name ?? m.organisationId, kind: m.organisation?.kind }));
    const chosen = (name: string) => new Set(list(extra.values?.[name]));
    const items = (name: string, all: { value: string; text: string }[]) => all.map((i) => ({ value: i.value, text: i.text, checked: chosen(name).has(i.value) }));
    const person = (u: (typeof users)[number]) => ({ value: u.id, text: `${u.name} (${u.organisationName})` });
    const memberIds = new Set(members.map((m) => m.value));
    res.status(status).render('new-cycle', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: 'Open a cycle',
      partnership: aggregate.partnership,
      errors: extra.errors ?? [],
      titleValue: typeof extra.values?.title === 'string' ? extra.values.title : '',
      commissioners: items('commissionerOrganisationIds', members.filter((m) => m.kind === 'commissioner' && m.value !== session.principal.organisationId)),
      providers: items('providerOrganisationIds', members.filter((m) => m.kind === 'provider')),
      community: items('communityOrganisationIds', members.filter((m) => m.kind === 'community')),
      panel: items('panelUserIds', users.filter((u) => memberIds.has(u.organisationId ?? '')).map(person)),
      facilitators: items('facilitatorUserIds', users.map(person)),
      outcomes: items('outcomeIds', aggregate.outcomes.map((o) => ({ value: o.id, text: o.title }))),
    });
  }

  private async render(
    res: Response,
    status: number,
    session: WebSession,
    id: string,
    extra: { done?: string; errors?: FormError[]; calendarLink?: string; values?: Record<string, unknown>; webhookSecret?: { url: string; secret: string } },
  ) {
    // Together: the calendar asks for the partnership too, and shares this read of it.
    const [aggregate, calendar, histories, cycles, calendarLinkExpires, inUse, agreement, series, invited, proposals] = await Promise.all([
      this.partnerships.get(session.principal, id),
      this.milestones.calendar(session.principal, id),
      this.framework.tableHistories(session.principal, id),
      this.cycles.list(session.principal, { partnershipId: id, limit: 100 }),
      this.accounts.calendarTokenExpiry(session.principal.userId),
      this.cycles.tableItemsInUse(session.principal, id),
      this.agreements.get(session.principal, id),
      this.openData.outcomeSeries(session.principal, id),
      this.invitations.invitations(session.principal, id),
      this.governance.proposals(session.principal, id),
    ]);
    const agreedNumber = agreement.snapshot.context.agreedNumber;
    const agreed = agreement.snapshot.context.versions.find((v) => v.number === agreedNumber) ?? null;
    const members = aggregate.members.map((m) => {
      const versions = [...(histories.get(m.organisationId) ?? [])].sort((a, b) => b.version - a.version);
      const uses = (item: string) => inUse.filter((u) => u.organisationId === m.organisationId && u.item === item).map((u) => `“${u.optionTitle}” (${u.cycleTitle})`);
      return {
        organisationId: m.organisationId,
        name: m.organisation?.name ?? 'an organisation',
        kind: m.organisation?.kind,
        isMine: m.organisationId === session.principal.organisationId,
        latest: versions[0] ?? null,
        earlier: versions.slice(1),
        onUses: (versions[0]?.on ?? []).map((item) => ({ item, uses: uses(item).join(', ') })),
      };
    });
    const archived = aggregate.partnership.archivedAt !== null;
    const commissions = session.principal.organisationKind === 'commissioner' && aggregate.members.some((m) => m.organisationId === session.principal.organisationId);
    const webhooks = commissions
      ? await Promise.all(
          (await this.webhooks.list(session.principal, id)).map(async (w) => ({ ...w, deliveries: await this.webhooks.deliveriesOf(session.principal, id, w.id, 10) })),
        )
      : [];
    const conflicted = new Set(calendar.conflicts.flatMap((c) => c.milestoneIds));
    const anchorName = (anchorId: string | null) => aggregate.anchors.find((a) => a.id === anchorId)?.name ?? null;
    // The timeline: anchors and milestones in date order, each milestone with its alignment.
    const timeline = [
      ...calendar.anchors.map((a) => ({ date: a.date, kind: 'anchor', text: a.name, detail: 'Anchor', conflict: false, cycleId: null as string | null })),
      ...calendar.milestones
        .filter((m) => m.status !== 'cancelled')
        .map((m) => ({
          date: m.dueAt,
          kind: 'milestone',
          text: `${m.cycleTitle}: ${m.kind}`,
          detail:
            (m.anchorId
              ? `${m.offsetWorkingDays ?? m.offsetDays} ${m.offsetWorkingDays !== null ? 'working days' : 'days'} from “${anchorName(m.anchorId)}”`
              : 'Fixed date') + ` · ${m.status}`,
          conflict: conflicted.has(m.id),
          cycleId: m.cycleId,
        })),
    ].sort((a, b) => new Date(a.date).getTime() - new Date(b.date).getTime());
    const mine = members.find((m) => m.isMine)?.latest;
    res.status(status).render('partnership', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: aggregate.partnership.name,
      partnership: aggregate.partnership,
      members,
      invited: invited.map((i) => ({ name: i.organisation?.name ?? 'an organisation', kind: i.organisation?.kind, invitedAt: i.invitedAt })),
      proposals: proposals
        .filter((p) => p.state === 'open')
        .map((p) => {
          const member = aggregate.members.find((m) => m.organisationId === p.organisationId)?.organisation?.name ?? 'an organisation';
          const proposer = aggregate.members.find((m) => m.organisationId === p.proposedByOrganisationId)?.organisation?.name ?? 'A former member';
          return {
            id: p.id,
            text: `${proposer} proposes to ${p.action === 'archive' ? 'archive the partnership' : p.action === 'publish' ? 'publish the public page' : `remove ${member} from the partnership`}`,
            proposedAt: p.proposedAt,
            ours: p.proposedByOrganisationId === session.principal.organisationId,
            // Agreeing is sending the same request: the form posts where the proposal's did.
            agreeAction: p.action === 'archive' ? `/partnerships/${id}/archive` : p.action === 'publish' ? `/partnerships/${id}/public` : `/partnerships/${id}/members/${p.organisationId}/remove`,
            publish: p.action === 'publish',
          };
        }),
      outcomes: aggregate.outcomes,
      outcomeFigures: await outcomeFigures(series),
      timeline,
      conflicts: calendar.conflicts,
      cycles: cycles.items,
      canOpenCycle: session.principal.organisationKind === 'commissioner' && members.some((m) => m.isMine) && !archived,
      canManage: session.principal.organisationKind === 'commissioner' && members.some((m) => m.isMine) && !archived,
      archived,
      agreed,
      publicLink: aggregate.partnership.public && !archived ? `${this.config.mail.publicWebUrl}/public/partnerships/${id}` : null,
      webhooks,
      showWebhooks: commissions,
      webhookSecret: extra.webhookSecret,
      isMember: members.some((m) => m.isMine),
      onValue: (mine?.on ?? []).join('\n'),
      offValue: (mine?.off ?? []).join('\n'),
      done: doneText(extra.done),
      anchors: aggregate.anchors,
      values: extra.values ?? {},
      errors: extra.errors ?? [],
      calendarLink: extra.calendarLink,
      calendarLinkExpires,
    });
  }
}
