/** The cycle page: the cycle, the events the caller may send from it, and its milestones scheduled or cancelled. */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CLOCK } from '@app/config';
import type { Request, Response } from 'express';
import { Principal, WebSession, isAdmin, sameToken } from '@app/accounts';
import { CreateCycleInvitationDto, CycleEventsService, CycleInvitation, CycleInvitationsService, CycleQueriesService, CycleRecord, HistoryAuditService } from '@app/cycles';
import { type Clock, CycleState, Forbidden, RateLimited, TooLarge, TransitionRefused, UnsupportedType, ValidationFailed, VersionConflict, formErrorStatus } from '@app/domain';
import { AttachmentsService } from '@app/evidence';
import { ExpensiveRead, IdPipe, validateEvent } from '@app/http';
import { MilestonesService } from '@app/milestones';
import { PartnershipAggregate, PartnershipsService } from '@app/partnerships';
import { LayoutService } from '../http/layout.service';
import { NamesService } from '../http/names.service';
import { ChoicesService } from '../http/choices.service';
import { checkForm, text, typed } from '../http/form';
import { CsrfRefused, Session, TokenInMultipart, isMultipart } from '../http/session.guard';
import { WordDiffs } from '../http/word-diffs.service';
import { type FormError, formatDateTime } from '../views/filters';
import { STATE_LABELS, cyclePage } from './cycle-page';
import { EventForm, eventFromForm, formErrors, hasOwnPage, onCyclePage } from './event-forms';
import { eventFormOf } from './forms';
import { metricChartSvg } from './metric-chart';
import { MILESTONE_FIELDS, MILESTONE_KINDS, MILESTONE_LABELS, milestoneFromForm } from './milestone-form';
import { CommentThreads } from './comment-threads';
import { readUploadForm, subjectFields } from './attachment-upload';
import { attachmentUserIds, attachmentsSection, limitText } from './attachments-page';

const CycleId = () => Param('id', new IdPipe('cycle'));
/** The success banner after a form: its copy's for events, these for milestones. */
const MILESTONE_DONE: ReadonlyMap<string, string> = new Map([
  ['MILESTONE', 'The milestone is scheduled'],
  ['MILESTONE_CANCELLED', 'The milestone is cancelled'],
  ['INVITED', 'The invitation is sent by email'],
  ['INVITATION_WITHDRAWN', 'The invitation is withdrawn: its link no longer works'],
  ['COMMENTED', 'Your comment is posted'],
  ['COMMENT_CHANGED', 'Your comment is changed'],
  ['COMMENT_HIDDEN', 'The comment is hidden'],
  ['ATTACHED', 'The file is attached'],
  ['ATTACHMENT_WITHDRAWN', 'The attachment is withdrawn'],
]);
const UPLOAD_TYPES = 'The file must be a PDF, Word, Excel, PowerPoint, ODT, ODS, CSV, text, PNG or JPEG';
/** The invitation form's field for each field of the request. */
const INVITE_FIELDS: Record<string, string> = { email: 'invite-email', name: 'invite-name', role: 'invite-role' };
const INVITATION_STATES: Record<CycleInvitation['state'], { text: string; classes: string }> = {
  sent: { text: 'Sent', classes: 'govuk-tag--blue' },
  used: { text: 'Accepted', classes: 'govuk-tag--green' },
  expired: { text: 'Expired', classes: 'govuk-tag--grey' },
};
/** History entries a cycle page shows at a time, newest first (older ones a link away; the CSV has them all). */
const HISTORY_SHOWN = 25;
const CHOOSES_PEOPLE: ReadonlySet<string> = new Set(['EDIT_DRAFT', 'CHANGE_PANEL', 'CHANGE_FACILITATORS', 'INVITE_CO_OWNER', 'SUBMIT_OPTION']);
const doneBanner = (done: string) => MILESTONE_DONE.get(done) ?? eventFormOf(done)?.done;

@Controller('cycles')
export class CyclePagesController {
  /**
   * Metric charts, each set drawn once (drawing is the costliest part of a cycle page), by what they
   * draw: a cycle's version moves with every event, its charts only with its readings.
   */
  private readonly charts = new LRUCache<string, Promise<(string | null)[]>>({ max: 500 });

  private chartsOf(metrics: Parameters<typeof metricChartSvg>[0][]): Promise<(string | null)[]> {
    const data = metrics.map((m) => [m.baseline, m.target, m.readings.map((r) => [r.at, r.value])]);
    const key = createHash('sha256').update(JSON.stringify(data)).digest('base64');
    let drawn = this.charts.get(key);
    if (!drawn) {
      drawn = Promise.all(metrics.map((m) => metricChartSvg(m)));
      this.charts.set(key, drawn);
      drawn.catch(() => this.charts.delete(key));
    }
    return drawn;
  }

  constructor(
    private readonly cycles: CycleQueriesService,
    private readonly events: CycleEventsService,
    private readonly partnerships: PartnershipsService,
    private readonly milestones: MilestonesService,
    private readonly names: NamesService,
    private readonly choices: ChoicesService,
    private readonly layout: LayoutService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: HistoryAuditService,
    private readonly wordDiffs: WordDiffs,
    private readonly invitations: CycleInvitationsService,
    private readonly commentThreads: CommentThreads,
    private readonly attachments: AttachmentsService,
  ) {}

  @Get(':id')
  @ExpensiveRead()
  async page(
    @Session() session: WebSession,
    @CycleId() id: string,
    @Query('done') done: string | undefined,
    @Query('compare') compare: string | undefined,
    @Query('revisions') revisions: string | undefined,
    @Query('history') history: string | undefined,
    @Res() res: Response,
  ) {
    const record = await this.cycles.get(session.principal, id);
    const display = {
      compare: typeof compare === 'string' && /^\d{1,6}$/.test(compare) ? Number(compare) : undefined,
      allRevisions: revisions === 'all',
      // The history's entries before this one (an older page of it); anything else shows the newest.
      historyBefore: typeof history === 'string' && /^\d{1,9}$/.test(history) ? Number(history) : undefined,
    };
    await this.render(res, 200, session, record, { done: done && doneBanner(done), display });
  }

  /** A form with a list too long for the cycle page (a large partnership's people, an old cycle's options), on a page of its own. */
  @Get(':id/forms/:type')
  @ExpensiveRead()
  async formPage(@Session() session: WebSession, @CycleId() id: string, @Param('type') type: string, @Res() res: Response) {
    const record = await this.cycles.get(session.principal, id);
    const { view, frame, partnership } = await this.pageBasis(session, record);
    const form = view.forms.find((f) => f.type === type);
    // A form not offered now (the cycle moved on, or no such form): the cycle page says what is.
    if (!form) return res.redirect(303, `/cycles/${id}#forms`);
    this.renderForm(res, 200, frame, record, partnership.partnership, form, []);
  }

  @Post(':id/events')
  async send(@Session() session: WebSession, @CycleId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const type = typed(body, 'type') ?? '';
    try {
      // The page is read again after the redirect: the event's answer need not carry the cycle's view.
      await this.events.send(session.principal, id, await validateEvent(eventFromForm(type, body)), undefined, { minimal: true });
      return res.redirect(303, `/cycles/${id}?done=${encodeURIComponent(type)}`);
    } catch (error) {
      const status = formErrorStatus(error, [ValidationFailed, Forbidden, VersionConflict, TransitionRefused]);
      if (!status) throw error;
      const problems =
        error instanceof ValidationFailed
          ? error.errors
          : [{ field: 'form', message: error instanceof VersionConflict ? 'someone changed the cycle at the same moment: check it and try again' : (error as Error).message }];
      const record = await this.cycles.get(session.principal, id);
      await this.render(res, status, session, record, { failed: { type, problems, values: body } });
    }
  }

  /** A commissioner of the cycle schedules a milestone: on a date, or aligned to an anchor. */
  @Post(':id/milestones')
  async schedule(@Session() session: WebSession, @CycleId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const { input, errors } = await milestoneFromForm(body);
    if (input) {
      try {
        await this.milestones.schedule(session.principal, id, input);
        return res.redirect(303, `/cycles/${id}?done=MILESTONE#milestones`);
      } catch (error) {
        if (error instanceof ValidationFailed) errors.push(...error.errors.map((e) => ({ field: MILESTONE_FIELDS[e.field] ?? 'milestone-kind', text: e.message })));
        // Not theirs to schedule, or the cycle has as many milestones as it may hold.
        else if (error instanceof Forbidden || error instanceof TransitionRefused) errors.push({ field: 'milestone-kind', text: error.message });
        else throw error;
      }
    }
    const record = await this.cycles.get(session.principal, id);
    await this.render(res, 400, session, record, { milestoneErrors: errors, milestoneValues: body });
  }

  @Post(':id/milestones/:milestoneId/cancel')
  async cancelMilestone(@Session() session: WebSession, @CycleId() id: string, @Param('milestoneId', new IdPipe('milestone')) milestoneId: string, @Res() res: Response) {
    await this.milestones.cancel(session.principal, id, milestoneId);
    res.redirect(303, `/cycles/${id}?done=MILESTONE_CANCELLED#milestones`);
  }

  /**
   * A commissioner's member invites a guest (a resident, a person without an account) to the
   * cycle's review panel or to give their view: the API's request class checks the form, the
   * API's service sends the email. Anyone else who sees the cycle is refused before the form is read.
   */
  @Post(':id/invitations')
  async invite(@Session() session: WebSession, @CycleId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    // 404 for a cycle they cannot see, 403 unless they are a commissioner's member: as the API.
    await this.invitations.list(session.principal, id);
    const shape = { email: text(body, 'email'), name: text(body, 'name'), role: text(body, 'role') };
    const { value, errors } = await checkForm(CreateCycleInvitationDto, shape, {
      email: { field: 'invite-email', text: shape.email ? 'Enter an email address in the correct format, like name@example.com' : 'Enter the email address of the person you are inviting' },
      name: { field: 'invite-name', text: shape.name ? 'The name must be 100 characters or fewer' : 'Enter the name of the person you are inviting' },
      role: { field: 'invite-role', text: 'Choose what you are inviting them to do' },
    });
    let status = 400;
    if (!errors.length) {
      try {
        await this.invitations.invite(session.principal, id, value);
        return res.redirect(303, `/cycles/${id}?done=INVITED#invitations`);
      } catch (error) {
        if (error instanceof ValidationFailed) errors.push(...error.errors.map((e) => ({ field: INVITE_FIELDS[e.field] ?? 'invite-email', text: `The ${e.field} ${e.message}` })));
        else if (error instanceof RateLimited) {
          res.setHeader('Retry-After', String(error.retryAfterSeconds));
          status = 429;
          errors.push({ field: 'invite-email', text: error.message });
        } else if (error instanceof TransitionRefused) {
          // This service sends no email (no SMTP_URL): nobody can be invited.
          status = 422;
          errors.push({ field: 'invite-email', text: error.message });
        } else throw error;
      }
    }
    const record = await this.cycles.get(session.principal, id);
    await this.render(res, status, session, record, { inviteErrors: errors, inviteValues: body });
  }

  /** Withdraws an invitation (a commissioner's member): its link stops working. */
  @Post(':id/invitations/:invitationId/withdraw')
  async withdrawInvitation(@Session() session: WebSession, @CycleId() id: string, @Param('invitationId', new IdPipe('invitation')) invitationId: string, @Res() res: Response) {
    await this.invitations.withdraw(session.principal, id, invitationId);
    res.redirect(303, `/cycles/${id}?done=INVITATION_WITHDRAWN#invitations`);
  }

  /**
   * A co-owner's user or a panel member attaches a file: the form (multipart/form-data) is read as
   * it streams, its token and subject first, then the file's bytes straight into the API's service
   * (sniffed, limited, hashed there). A refusal comes back on the cycle page in its error summary,
   * with nothing stored; a form without the session's token is refused before a byte of the file is kept.
   */
  @Post(':id/attachments')
  @TokenInMultipart()
  async attach(@Session() session: WebSession, @CycleId() id: string, @Req() req: Request, @Res() res: Response) {
    const errors: FormError[] = [];
    let status = 400;
    let chosen: string | undefined;
    if (!isMultipart(req)) {
      errors.push({ field: 'attachment-file', text: 'Select a file' });
    } else {
      const form = await readUploadForm(req);
      chosen = form.fields.subject;
      try {
        if (!sameToken(form.fields._csrf, session.csrfToken)) throw new CsrfRefused();
        const fields = subjectFields(chosen);
        if (!form.file) {
          // Nothing to check the subject against the limiter for: 403 for those who may not attach, else the form's errors.
          if (!(await this.attachments.forPage(session.principal, id)).upload) throw new Forbidden('Only the users of the cycle’s co-owners and its review panel attach files to it.');
          if (!fields.subject) errors.push({ field: 'attachment-subject', text: 'Choose what the file is about' });
          throw new ValidationFailed([{ field: 'file', message: 'Select a file' }]);
        }
        const { subject, subjectId } = await this.attachments.checkUpload(session.principal, id, fields);
        await this.attachments.store(session.principal, id, subject, subjectId, { ...fields, name: form.file.name, bytes: form.file.bytes });
        await form.drain();
        return res.redirect(303, `/cycles/${id}?done=ATTACHED#attachments`);
      } catch (error) {
        await form.drain();
        status = this.uploadError(error, errors, res);
      }
    }
    const record = await this.cycles.get(session.principal, id);
    await this.render(res, status, session, record, { attachmentErrors: errors, attachmentSubject: chosen });
  }

  /** An upload's refusal as the form shows it (its status), or thrown on for the page filter (403, 404, the token). */
  private uploadError(error: unknown, errors: FormError[], res: Response): number {
    const status = formErrorStatus(error, [ValidationFailed, TransitionRefused, TooLarge, UnsupportedType, RateLimited]);
    if (!status) throw error;
    if (error instanceof TooLarge) errors.push({ field: 'attachment-file', text: `The file must be smaller than ${limitText(this.attachments.maxBytes)}` });
    else if (error instanceof UnsupportedType) errors.push({ field: 'attachment-file', text: UPLOAD_TYPES });
    else if (error instanceof RateLimited) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      errors.push({ field: 'attachment-file', text: error.message });
    } else if (error instanceof ValidationFailed) {
      for (const e of error.errors) {
        if (e.field === 'file') errors.push({ field: 'attachment-file', text: e.message });
        else if (e.field === 'subject' || e.field === 'subjectId') errors.push({ field: 'attachment-subject', text: 'Choose what the file is about' });
        else errors.push({ field: 'attachment-file', text: 'The form could not be read. Choose the file again and try again' });
      }
    } else errors.push({ field: 'attachment-subject', text: (error as Error).message });
    return status;
  }

  /**
   * What the page shows of the cycle's partnership. A member (or an admin) sees it whole; an
   * independent facilitator the cycle names sees no partnership (as in the API: only the cycles that
   * name them), so only what the cycle itself uses: its outcomes and its milestones' anchors.
   * (The cycle was read for this person: they may see it.)
   */
  private async partnershipOf(
    principal: Principal,
    record: CycleRecord,
  ): Promise<{
    aggregate: PartnershipAggregate;
    partnership: PartnershipAggregate['partnership'] | null;
    outcomes: PartnershipAggregate['outcomes'];
    anchors: PartnershipAggregate['anchors'];
  }> {
    // An independent facilitator or a guest sees the cycle, never its partnership.
    if (isAdmin(principal) || (principal.organisationKind !== 'facilitator' && principal.role !== 'guest')) {
      const aggregate = await this.partnerships.get(principal, record.row.partnershipId);
      return { aggregate, partnership: aggregate.partnership, outcomes: aggregate.outcomes, anchors: aggregate.anchors };
    }
    const aggregate = await this.partnerships.load(record.row.partnershipId);
    const outcomeIds = new Set(record.snapshot.context.outcomeIds);
    const anchorIds = new Set(record.milestones.map((m) => m.anchorId));
    return {
      aggregate,
      partnership: null,
      outcomes: aggregate.outcomes.filter((o) => outcomeIds.has(o.id)),
      anchors: aggregate.anchors.filter((a) => anchorIds.has(a.id)),
    };
  }

  private async render(
    res: Response,
    status: number,
    session: WebSession,
    record: CycleRecord,
    extra: {
      done?: string;
      failed?: { type: string; problems: { field: string; message: string }[]; values: Record<string, unknown> };
      milestoneErrors?: FormError[];
      milestoneValues?: Record<string, unknown>;
      inviteErrors?: FormError[];
      inviteValues?: Record<string, unknown>;
      attachmentErrors?: FormError[];
      /** The subject chosen in a refused upload form. */
      attachmentSubject?: string;
      /** Which pair of revisions to compare, whether to list them all, and which page of the history to show. */
      display?: { compare?: number; allRevisions?: boolean; historyBefore?: number };
    },
  ) {
    const c = record.snapshot.context;
    // The newest entries only, and the chain verified from its checkpoint: a cycle years old opens as fast as a new one.
    // (The record was read for this person: they may see it.)
    const [history, verdict] = await Promise.all([this.audit.newest(record.row.id, HISTORY_SHOWN, extra.display?.historyBefore), this.audit.verify(record.row.id).then((v) => v!)]);
    // The attachments and what the caller may do with them (the withdrawn ones for the commissioners' users).
    const attachments = await this.attachments.forPage(session.principal, record.row.id, record);
    const [{ names, partnership, frame, view }, comments] = await Promise.all([
      this.pageBasis(
        session,
        record,
        history.map((h) => h.organisationId),
        [...history.map((h) => h.actorUserId), ...attachmentUserIds([...attachments.items, ...attachments.withdrawn])],
        extra.display ?? {},
      ),
      // The conversation beside the revisions and options (partials/comments.njk).
      this.commentThreads.of(session.principal, record),
    ]);
    let errors: FormError[] = [];
    if (extra.failed) {
      const form = view.forms.find((f) => f.type === extra.failed!.type);
      errors = form ? formErrors(form, extra.failed.problems) : extra.failed.problems.map((p) => ({ field: 'forms', text: p.message }));
      // Keep what was typed and ticked.
      if (form) keepValues(form, extra.failed.values);
      // A form with a page of its own is shown again there, with its errors.
      if (form && hasOwnPage(form)) return this.renderForm(res, status, frame, record, partnership.partnership, form, errors);
    }
    view.forms = view.forms.map((f) => onCyclePage(f, record.row.id));
    const charts = await this.chartsOf(view.metrics);
    errors.push(...(extra.milestoneErrors ?? []), ...(extra.inviteErrors ?? []), ...(extra.attachmentErrors ?? []));
    // A commissioner's member schedules milestones and invites guests.
    const canSchedule = c.coOwners.some((o) => o.organisationId === session.principal.organisationId && o.role === 'commissioner');
    const invitations = canSchedule ? await this.invitations.list(session.principal, record.row.id, record) : [];
    const inviteValues = extra.inviteValues ?? {};
    const anchorName = new Map(partnership.anchors.map((a) => [a.id, a.name]));
    const shownHistory = history.map((h) => ({
      seq: h.seq,
      type: h.type,
      by: !h.actorUserId
        ? 'the system (a milestone)'
        : // A guest on the panel (a resident) acts for no organisation.
          !h.organisationId && c.panelUserIds.includes(h.actorUserId)
          ? `${names.user(h.actorUserId)} (review panel)`
          : `${names.user(h.actorUserId)}, ${names.org(h.organisationId)}${h.representative ? ' (representative)' : ''}`,
      move: h.fromState && h.fromState !== h.toState ? `${STATE_LABELS[h.fromState as CycleState] ?? h.fromState} → ${STATE_LABELS[h.toState as CycleState] ?? h.toState}` : '',
      at: h.at,
      // An admin may redact a personal text the entry still holds (hash scheme 4).
      redactable: isAdmin(session.principal) && Object.values(h.seals ?? {}).some((seal) => seal.salt !== undefined),
    }));
    res.status(status).render('cycle', {
      ...frame,
      section: 'work',
      title: record.row.title,
      cycle: record.row,
      partnership: partnership.partnership,
      view,
      charts,
      verdict,
      historyShown: HISTORY_SHOWN,
      // Older entries a link away (before the oldest shown), and the way back to the newest.
      historyOlder: history.length && history[history.length - 1].seq > 1 ? history[history.length - 1].seq : null,
      historyPaged: extra.display?.historyBefore !== undefined,
      history: shownHistory,
      // The table's rows made here, its HTML kept for the same rows (the same version's page, visit after visit).
      historyRows: shownHistory.map((h) => [
        { text: h.seq },
        { text: h.type },
        { text: h.by },
        { text: h.move },
        { text: formatDateTime(h.at) },
        ...(isAdmin(session.principal)
          ? [{ html: h.redactable ? `<a class="govuk-link" href="/cycles/${record.row.id}/history/${h.seq}/redact">Redact<span class="govuk-visually-hidden"> entry ${h.seq}</span></a>` : '' }]
          : []),
      ]),
      canRedact: isAdmin(session.principal),
      milestones: record.milestones.map((m) => ({
        ...m,
        alignment: m.anchorId ? `${m.offsetWorkingDays ?? m.offsetDays} ${m.offsetWorkingDays !== null ? 'working days' : 'days'} from “${anchorName.get(m.anchorId) ?? 'an anchor'}”` : 'Fixed date',
      })),
      canSchedule,
      // A guest is told, in plain words, what they are here for and what they see.
      guest: session.principal.role === 'guest' ? { onPanel: c.panelUserIds.includes(session.principal.userId) } : null,
      milestoneKinds: MILESTONE_KINDS.map((k) => ({ value: k, text: MILESTONE_LABELS[k], selected: extra.milestoneValues?.kind === k })),
      anchorItems: [{ value: '', text: 'No anchor: a fixed date' }, ...partnership.anchors.map((a) => ({ value: a.id, text: a.name, selected: extra.milestoneValues?.anchorId === a.id }))],
      milestoneValues: extra.milestoneValues ?? {},
      invitations: invitations.map((i) => ({ ...i, roleText: i.role === 'panel' ? 'Review panel' : 'Giving their view', stateTag: INVITATION_STATES[i.state] })),
      inviteValues,
      inviteRoles: [
        { value: 'panel', text: 'Sit on the review panel', hint: { text: 'They can say what was learned and sign off the learning review' }, checked: inviteValues.role === 'panel' },
        { value: 'voice', text: 'Give their view', hint: { text: 'They can see this cycle' }, checked: inviteValues.role === 'voice' },
      ],
      comments,
      attachments: attachmentsSection(record, names, attachments, extra.attachmentSubject),
      done: extra.done,
      errors,
      failedType: extra.failed?.type,
    });
  }

  /**
   * What the cycle page and a form's own page both draw from: the names the page shows (the
   * cycle's people and organisations, and `moreOrganisations`/`moreUsers`), the partnership, the
   * page's frame and the page's view of the cycle with its forms.
   */
  private async pageBasis(session: WebSession, record: CycleRecord, moreOrganisations: (string | null)[] = [], moreUsers: (string | null)[] = [], display: Parameters<typeof cyclePage>[6] = {}) {
    const c = record.snapshot.context;
    const userIds = [...c.panelUserIds, ...c.facilitatorUserIds, ...c.problem.revisions.map((r) => r.authorUserId), ...record.progress.map((p) => p.userId), ...c.learnings.map((l) => l.userId)];
    const organisationIds = [
      ...c.coOwners.map((o) => o.organisationId),
      ...c.problem.revisions.map((r) => r.authorOrganisationId),
      ...c.escalations.map((e) => e.raisedByOrganisationId),
      ...c.appraisals.map((a) => a.organisationId),
    ];
    const [names, partnership, frame] = await Promise.all([
      this.names.of([...organisationIds, ...moreOrganisations], [...userIds, ...moreUsers]),
      this.partnershipOf(session.principal, record),
      this.layout.of(session),
    ]);
    // Forms that name people choose among the partnership's: read only when one is offered (never to an outsider).
    const choices = partnership.partnership && record.nextEvents.some((type) => CHOOSES_PEOPLE.has(type)) ? await this.choices.of(partnership.aggregate) : undefined;
    const view = cyclePage(record, names, partnership.outcomes, session.principal, choices, this.clock.now(), display, (before, after) => this.wordDiffs.of(before, after));
    return { names, partnership, frame, view };
  }

  /** A form on a page of its own (hasOwnPage), with its errors when it was refused. */
  private renderForm(res: Response, status: number, frame: object, record: CycleRecord, partnership: { id: string; name: string } | null, form: EventForm, errors: FormError[]) {
    res.status(status).render('cycle-form', { ...frame, section: 'work', title: form.heading, cycle: record.row, partnership, form, errors });
  }
}

/** A refused form's fields as they were sent: text typed, boxes ticked. */
function keepValues(form: EventForm, sent: Record<string, unknown>) {
  for (const f of form.fields) {
    const value = sent[f.name];
    if (f.kind === 'checkboxes') f.values = (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');
    else if (f.kind !== 'hidden' && typeof value === 'string') f.value = value;
  }
}
