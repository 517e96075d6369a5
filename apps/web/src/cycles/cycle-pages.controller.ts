import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { CycleRecord, CyclesService } from '@app/cycles';
import { Forbidden, TransitionRefused, ValidationFailed, VersionConflict } from '@app/domain';
import { IdPipe, validateEvent } from '@app/http';
import { MilestonesService } from '@app/milestones';
import { PartnershipsService } from '@app/partnerships';
import { LayoutService } from '../http/layout.service';
import { NamesService } from '../http/names.service';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';
import { cyclePage } from './cycle-page';
import { eventFromForm, formErrors } from './event-forms';
import { metricChartSvg } from './metric-chart';

const CycleId = () => Param('id', new IdPipe('cycle'));
const DONE: Record<string, string> = {
  LAUNCH: 'The cycle is launched',
  REVISE_PROBLEM: 'The new revision is saved',
  ENDORSE_PROBLEM: 'Your organisation’s endorsement is recorded',
  OBJECT_PROBLEM: 'Your organisation’s objection is recorded',
  SUBMIT_OPTION: 'The option is submitted',
  AMEND_OPTION: 'The option is amended',
  WITHDRAW_OPTION: 'The option is withdrawn',
  CLOSE_OPTIONS: 'The options window is closed',
  APPRAISE_OPTION: 'Your appraisal is saved',
  PROPOSE_DECISION: 'The decision is proposed',
  CONSENT: 'Your organisation’s consent is recorded',
  OBJECT: 'Your organisation’s objection is recorded',
  RECORD_PROGRESS: 'Progress is recorded',
  START_REVIEW: 'The learning review has started',
  RECORD_LEARNING: 'The learning is recorded',
  SIGN_OFF_REVIEW: 'Your sign-off is recorded',
  ESCALATE: 'The disagreement is escalated to a facilitator',
  RESOLVE_ESCALATION: 'The escalation is resolved',
  CANCEL: 'The cycle is cancelled',
};

@Controller('cycles')
export class CyclePagesController {
  constructor(
    private readonly cycles: CyclesService,
    private readonly partnerships: PartnershipsService,
    private readonly milestones: MilestonesService,
    private readonly names: NamesService,
    private readonly layout: LayoutService,
  ) {}

  @Get(':id')
  async page(@Session() session: WebSession, @CycleId() id: string, @Query('done') done: string | undefined, @Res() res: Response) {
    const record = await this.cycles.get(session.principal, id);
    await this.render(res, 200, session, record, { done: done && DONE[done] });
  }

  @Post(':id/events')
  async send(@Session() session: WebSession, @CycleId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const type = typeof body.type === 'string' ? body.type : '';
    try {
      await this.cycles.send(session.principal, id, await validateEvent(eventFromForm(type, body)));
      return res.redirect(303, `/cycles/${id}?done=${encodeURIComponent(type)}`);
    } catch (error) {
      const status =
        error instanceof ValidationFailed ? 400 : error instanceof Forbidden ? 403 : error instanceof VersionConflict ? 409 : error instanceof TransitionRefused ? 422 : 0;
      if (!status) throw error;
      const problems =
        error instanceof ValidationFailed
          ? error.errors
          : [{ field: 'form', message: error instanceof VersionConflict ? 'someone changed the cycle at the same moment: check it and try again' : (error as Error).message }];
      const record = await this.cycles.get(session.principal, id);
      await this.render(res, status, session, record, { failed: { type, problems, values: body } });
    }
  }

  private async render(
    res: Response,
    status: number,
    session: WebSession,
    record: CycleRecord,
    extra: { done?: string; failed?: { type: string; problems: { field: string; message: string }[]; values: Record<string, unknown> } },
  ) {
    const c = record.snapshot.context;
    const userIds = [
      ...c.panelUserIds,
      ...c.facilitatorUserIds,
      ...c.problem.revisions.map((r) => r.authorUserId),
      ...record.progress.map((p) => p.userId),
      ...c.learnings.map((l) => l.userId),
    ];
    const organisationIds = [
      ...c.coOwners.map((o) => o.organisationId),
      ...c.problem.revisions.map((r) => r.authorOrganisationId),
      ...c.escalations.map((e) => e.raisedByOrganisationId),
      ...c.appraisals.map((a) => a.organisationId),
    ];
    const [names, outcomes, partnership, verdict, frame] = await Promise.all([
      this.names.of(organisationIds, userIds),
      this.partnerships.outcomes(record.row.partnershipId),
      this.partnerships.get(session.principal, record.row.partnershipId),
      this.cycles.verify(session.principal, record.row.id),
      this.layout.of(session),
    ]);
    const view = cyclePage(record, names, outcomes, session.principal);
    const charts = await Promise.all(view.metrics.map((m) => metricChartSvg(m)));
    let errors: FormError[] = [];
    if (extra.failed) {
      const form = view.forms.find((f) => f.type === extra.failed!.type);
      errors = form ? formErrors(form, extra.failed.problems) : extra.failed.problems.map((p) => ({ field: 'forms', text: p.message }));
      // Keep what was typed.
      if (form) for (const f of form.fields) if (f.kind !== 'hidden' && typeof extra.failed.values[f.name] === 'string') f.value = extra.failed.values[f.name] as string;
    }
    res.status(status).render('cycle', {
      ...frame,
      section: 'work',
      title: record.row.title,
      cycle: record.row,
      partnership: partnership.partnership,
      view,
      charts,
      verdict,
      milestones: record.milestones,
      done: extra.done,
      errors,
      failedType: extra.failed?.type,
    });
  }
}
