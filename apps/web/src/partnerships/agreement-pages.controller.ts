/** The agreement page: the proposal against the agreed version, members' positions and consent, the history verified. */
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { AgreementHistoryEntity, AgreementRecord, AgreementReviewDto, AgreementReviewsService, AgreementsService } from '@app/agreements';
import { Conflict, Forbidden, NotFound, TransitionRefused, ValidationFailed, VersionConflict, formErrorStatus } from '@app/domain';
import { IdPipe } from '@app/http';
import { PartnershipsService } from '@app/partnerships';
import { LayoutService } from '../http/layout.service';
import { Form, checkForm, lines, number, text, typed } from '../http/form';
import { Session } from '../http/session.guard';
import { WordDiff, WordDiffs } from '../http/word-diffs.service';
import type { FormError } from '../views/filters';

const PartnershipId = () => Param('id', new IdPipe('partnership'));
const READINESS: Record<string, string> = { ready: 'Ready', not_yet: 'Not yet', concerns: 'Has concerns' };
const DONE: Record<string, string> = {
  PROPOSE_AGREEMENT: 'The new version is proposed: each member now consents or objects',
  STATE_POSITION: 'Your organisation’s position is saved',
  CONSENT_AGREEMENT: 'Your organisation’s consent is recorded',
  OBJECT_AGREEMENT: 'Your organisation’s objection is recorded',
  REOPEN_AGREEMENT: 'The agreement is open for review',
  review: 'The review date is set',
  'review-cancelled': 'The review date is cancelled',
};
/** Form fields to the page's ids, for the error summary. */
const FIELD_IDS: Record<string, string> = {
  destination: 'agreement-destination',
  horizonYear: 'agreement-horizon',
  principles: 'agreement-principles',
  whatsInItForUs: 'position-what',
  readiness: 'position-readiness',
  concerns: 'position-concerns',
  reason: 'agreement-reason',
  anchorId: 'review-anchor',
  offsetDays: 'review-offset',
};

/** The partnership's agreement page: the proposal with its differences from the agreed version, positions side by side, consent per member, the history verified. */
@Controller('partnerships')
export class AgreementPagesController {
  constructor(
    private readonly agreements: AgreementsService,
    private readonly reviews: AgreementReviewsService,
    private readonly partnerships: PartnershipsService,
    private readonly layout: LayoutService,
    private readonly wordDiffs: WordDiffs,
  ) {}

  @Get(':id/agreement')
  async page(@Session() session: WebSession, @PartnershipId() id: string, @Query('done') done: string | undefined, @Res() res: Response) {
    await this.render(res, 200, session, id, { done: done && Object.hasOwn(DONE, done) ? DONE[done] : undefined });
  }

  @Post(':id/agreement/events')
  async send(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Form, @Res() res: Response) {
    // The form in the event's shape; the catalogue's schema (as for the API) validates it in the service.
    const type = typed(body, 'type') ?? '';
    const event: Record<string, unknown> = { type };
    if (type === 'PROPOSE_AGREEMENT') {
      Object.assign(event, { destination: text(body, 'destination'), horizonYear: number(body, 'horizonYear', /^\d{4}$/), principles: lines(body, 'principles') });
    } else if (type === 'STATE_POSITION') {
      Object.assign(event, { whatsInItForUs: text(body, 'whatsInItForUs'), readiness: text(body, 'readiness'), concerns: text(body, 'concerns') });
    } else if (type === 'CONSENT_AGREEMENT' || type === 'OBJECT_AGREEMENT') {
      Object.assign(event, { number: Number(body.number), ...(type === 'OBJECT_AGREEMENT' && { reason: text(body, 'reason') }) });
    } else if (type === 'REOPEN_AGREEMENT') {
      event.reason = text(body, 'reason');
    }
    const clean = Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined));
    try {
      const version = number(body, 'version', /^\d+$/);
      await this.agreements.send(session.principal, id, clean, typeof version === 'number' ? version : undefined);
      return res.redirect(303, `/partnerships/${id}/agreement?done=${encodeURIComponent(type)}`);
    } catch (error) {
      const status = formErrorStatus(error, [ValidationFailed, Forbidden, VersionConflict, TransitionRefused]);
      if (!status) throw error;
      const errors: FormError[] =
        error instanceof ValidationFailed
          ? error.errors.map((e) => ({ field: FIELD_IDS[e.field] ?? 'agreement-forms', text: e.message }))
          : [{ field: 'agreement-forms', text: error instanceof VersionConflict ? 'Someone changed the agreement at the same moment: check it and try again' : (error as Error).message }];
      await this.render(res, status, session, id, { errors, values: body });
    }
  }

  /** A commissioner member aligns the review date to an anchor: so many days before (or after) it. */
  @Post(':id/agreement/review')
  async scheduleReview(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Form, @Res() res: Response) {
    // The form asks for days before the anchor; the request counts days from it.
    const before = number(body, 'offsetDays', /^-?\d+$/);
    const { value, errors } = await checkForm(
      AgreementReviewDto,
      { anchorId: text(body, 'anchorId'), offsetDays: before === undefined ? 0 : typeof before === 'number' ? -before : before },
      {
        anchorId: { field: 'review-anchor', text: 'Choose the date on the calendar the review is aligned to' },
        offsetDays: { field: 'review-offset', text: 'Enter a whole number of days, up to 730' },
      },
    );
    if (errors.length) return this.render(res, 400, session, id, { errors, values: body });
    try {
      await this.reviews.schedule(session.principal, id, { anchorId: value.anchorId, offsetDays: value.offsetDays! });
      return res.redirect(303, `/partnerships/${id}/agreement?done=review`);
    } catch (error) {
      return this.refused(res, session, id, body, error);
    }
  }

  @Post(':id/agreement/review/cancel')
  async cancelReview(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    try {
      await this.reviews.cancel(session.principal, id);
      return res.redirect(303, `/partnerships/${id}/agreement?done=review-cancelled`);
    } catch (error) {
      return this.refused(res, session, id, body, error);
    }
  }

  private async refused(res: Response, session: WebSession, id: string, body: Record<string, unknown>, error: unknown) {
    const status = formErrorStatus(error, [ValidationFailed, Forbidden, NotFound, Conflict]);
    if (!status) throw error;
    const errors: FormError[] =
      error instanceof ValidationFailed
        ? error.errors.map((e) => ({ field: FIELD_IDS[e.field] ?? 'review-forms', text: `The review date ${e.message}` }))
        : [{ field: 'review-forms', text: (error as Error).message }];
    await this.render(res, status, session, id, { errors, values: body });
  }

  private async render(res: Response, status: number, session: WebSession, id: string, extra: { done?: string; errors?: FormError[]; values?: Record<string, unknown> }) {
    const [record, aggregate, history, verdict] = await Promise.all([
      this.agreements.get(session.principal, id),
      this.partnerships.get(session.principal, id),
      this.agreements.history(session.principal, id),
      this.agreements.verify(session.principal, id),
    ]);
    const name = (organisationId: string | null) => aggregate.members.find((m) => m.organisationId === organisationId)?.organisation?.name ?? 'a former member';
    const mine = aggregate.members.find((m) => m.organisationId === session.principal.organisationId);
    res.status(status).render('agreement', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: `Agreement: ${aggregate.partnership.name}`,
      partnership: aggregate.partnership,
      view: agreementPage(record, name, (before, after) => this.wordDiffs.of(before, after)),
      history: [...history].reverse().map((h) => ({ seq: h.seq, type: h.type, by: h.organisationId ? name(h.organisationId) : 'the service', at: h.at })),
      earlierPositions: earlierPositions(history, name),
      verdict,
      // Commissioner members set the review date, aligned to one of the calendar's anchors.
      review: record.review,
      anchors: aggregate.anchors.map((a) => ({ value: a.id, text: a.name })),
      setsReview: mine?.organisation?.kind === 'commissioner' && !aggregate.partnership.archivedAt,
      done: extra.done,
      errors: extra.errors ?? [],
      values: extra.values ?? {},
    });
  }
}

/** Each member's positions before its latest, newest first, from the history. */
function earlierPositions(history: AgreementHistoryEntity[], name: (organisationId: string | null) => string) {
  const stated = history.filter((h) => h.type === 'STATE_POSITION');
  const latest = new Map(stated.map((h) => [h.organisationId, h.seq]));
  return stated
    .filter((h) => latest.get(h.organisationId) !== h.seq)
    .reverse()
    .map((h) => {
      const p = h.payload as { whatsInItForUs?: string; readiness?: string; concerns?: string };
      return { name: name(h.organisationId), at: h.at, whatsInItForUs: p.whatsInItForUs ?? '', readiness: READINESS[p.readiness ?? ''] ?? '', concerns: p.concerns ?? '' };
    });
}

/** What the agreement page shows, with names instead of ids. */
export function agreementPage(record: AgreementRecord, name: (organisationId: string | null) => string, wordDiff: (before: string, after: string) => WordDiff) {
  const c = record.snapshot.context;
  const current = c.versions.at(-1) ?? null;
  const agreed = c.versions.find((v) => v.number === c.agreedNumber) ?? null;
  const words = (v: typeof current) => (v ? `${v.destination}\n${v.principles.join('\n')}` : '');
  return {
    state: record.row.state,
    version: record.row.version,
    current: current && { ...current, by: current.proposedByOrganisationId ? name(current.proposedByOrganisationId) : 'the partnership’s earlier text' },
    agreed,
    // Word-level differences from the agreed version, when the one under consultation is another
    // (null with `tooLarge` when the versions are too large to compare word by word: the page shows both).
    ...differences(current && agreed && agreed.number !== current.number ? wordDiff(words(agreed), words(current)) : undefined),
    members: record.members.map((m) => {
      const position = c.positions.find((p) => p.organisationId === m);
      const consent = current && c.consents.find((x) => x.organisationId === m && x.number === current.number);
      const objection = current && c.objections.find((x) => x.organisationId === m && x.number === current.number);
      return {
        name: name(m),
        whatsInItForUs: position?.whatsInItForUs ?? '',
        readiness: position ? READINESS[position.readiness] : 'No position yet',
        concerns: position?.concerns ?? '',
        response: consent ? 'Consented' : objection ? `Objected: ${objection.reason}` : 'Waiting',
        agreedIt: agreed ? c.agreedBy.includes(m) : null,
      };
    }),
    notConsented: agreed ? record.members.filter((m) => !c.agreedBy.includes(m)).map(name) : [],
    next: new Set(record.nextEvents),
  };
}

/** A comparison as the page shows it: the parts, or that it is too large; neither when nothing is compared. */
const differences = (diff: WordDiff | undefined) => ({ diff: diff ?? null, tooLarge: diff === null });
