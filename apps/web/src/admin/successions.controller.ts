/**
 * The admin's succession pages (issue 35): the successions scheduled or held, a form to record
 * one (the organisation, its successors, the vesting day), a preview of everything that will move
 * before it is scheduled (and, in a split, which successor takes each unfinished cycle), then
 * cancel or resume. The API's own service and rules; errors said on the page.
 */
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { fromZonedTime } from 'date-fns-tz';
import { AccountsService, WebSession } from '@app/accounts';
import { Conflict, DomainError, ENGLAND, NotFound, TransitionRefused, ValidationFailed } from '@app/domain';
import { IdPipe } from '@app/http';
import { ReorganisationService, type SuccessionInput, type SuccessionPlan, parseSuccession, successionSentence, vestingDay } from '@app/reorganisation';
import { type Form, text } from '../http/form';
import { LayoutService } from '../http/layout.service';
import { AdminPage, Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

/** At most this many successors on the form (a split between more is done over the API). */
const SUCCESSOR_FIELDS = 3;
const OrganisationId = () => Param('id', new IdPipe('organisation'));

const DONE: Record<string, string> = {
  scheduled: 'The succession is scheduled: the people concerned are told',
  cancelled: 'The succession is cancelled: the people concerned are told',
  resumed: 'The succession is resumed: it is carried out in the partnerships it had not reached',
};

interface Typed {
  predecessor: string;
  successors: string[];
  day: string;
  month: string;
  year: string;
  /** In a split: the successor chosen for each cycle, by cycle id. */
  cycles: Record<string, string>;
}

/** The form as typed (every field a string, so the page shows it back as it was). */
function typed(body: Form): Typed {
  const successors = Array.from({ length: SUCCESSOR_FIELDS }, (_, i) => text(body, `successor${i + 1}`) ?? '').filter(Boolean);
  const cycles = Object.fromEntries(
    Object.keys(body)
      .filter((k) => /^cycle-[0-9a-f-]{36}$/i.test(k))
      .map((k) => [k.slice('cycle-'.length), text(body, k) ?? '']),
  );
  return { predecessor: text(body, 'predecessor') ?? '', successors, day: text(body, 'day') ?? '', month: text(body, 'month') ?? '', year: text(body, 'year') ?? '', cycles };
}

/** The vesting day's first moment in England, or undefined when the fields are no date. */
function vestingMoment(t: Typed): Date | undefined {
  const [d, m, y] = [t.day, t.month, t.year].map((v) => (/^\d{1,4}$/.test(v.trim()) ? Number(v) : NaN));
  if (![d, m, y].every(Number.isFinite) || y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const at = fromZonedTime(`${iso}T00:00:00`, ENGLAND);
  // 31 February and the like are no date (or roll over): refused.
  if (Number.isNaN(at.getTime())) return undefined;
  return new Date(at.getTime() + 12 * 3600_000).toISOString().slice(0, 10) === iso ? at : undefined;
}

@AdminPage()
@Controller('admin/successions')
export class SuccessionPagesController {
  constructor(
    private readonly reorganisation: ReorganisationService,
    private readonly accounts: AccountsService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async page(@Session() session: WebSession, @Query('done') done: string | undefined, @Res() res: Response) {
    await this.render(res, 200, session, { done: done && DONE[done] });
  }

  /** The preview: what will move, changing nothing. */
  @Post('preview')
  async preview(@Session() session: WebSession, @Body() body: Form, @Res() res: Response) {
    const form = typed(body);
    const checked = this.check(form);
    if ('errors' in checked) return this.render(res, 400, session, { form, errors: checked.errors });
    try {
      const plan = await this.reorganisation.preview(session.principal, form.predecessor, checked.body);
      await this.renderPreview(res, 200, session, form, plan);
    } catch (error) {
      await this.refused(res, session, form, error);
    }
  }

  /** Scheduled from the preview's form (the same fields, carried). */
  @Post()
  async schedule(@Session() session: WebSession, @Body() body: Form, @Res() res: Response) {
    const form = typed(body);
    const checked = this.check(form);
    if ('errors' in checked) return this.render(res, 400, session, { form, errors: checked.errors });
    try {
      await this.reorganisation.schedule(session.principal, form.predecessor, checked.body);
      res.redirect(303, '/admin/successions?done=scheduled');
    } catch (error) {
      // Refused by the rules: the preview again, saying why (a split's cycles left unassigned, say).
      if (error instanceof TransitionRefused) {
        const plan = await this.reorganisation.preview(session.principal, form.predecessor, checked.body).catch(() => undefined);
        if (plan) return this.renderPreview(res, 422, session, form, plan, error.message);
      }
      await this.refused(res, session, form, error);
    }
  }

  @Post(':id/cancel')
  async cancel(@Session() session: WebSession, @OrganisationId() id: string, @Res() res: Response) {
    try {
      await this.reorganisation.cancel(session.principal, id);
      res.redirect(303, '/admin/successions?done=cancelled');
    } catch (error) {
      await this.refused(res, session, undefined, error);
    }
  }

  @Post(':id/resume')
  async resume(@Session() session: WebSession, @OrganisationId() id: string, @Res() res: Response) {
    try {
      await this.reorganisation.resume(session.principal, id);
      res.redirect(303, '/admin/successions?done=resumed');
    } catch (error) {
      await this.refused(res, session, undefined, error);
    }
  }

  /** The form's fields as the API's body, parsed by the API's own parser (its problems named by field). */
  private check(form: Typed): { input: SuccessionInput; body: object } | { errors: FormError[] } {
    const errors: FormError[] = [];
    if (!form.predecessor) errors.push({ field: 'predecessor', text: 'Choose the organisation that is succeeded' });
    if (!form.successors.length) errors.push({ field: 'successor1', text: 'Choose the organisation that succeeds it' });
    const at = vestingMoment(form);
    if (!at) errors.push({ field: 'vesting-day', text: 'Enter the vesting day as a real date, for example 1 4 2028' });
    if (errors.length) return { errors };
    const split = form.successors.length > 1;
    const body = {
      effectiveAt: at!.toISOString(),
      successors: form.successors.map((organisationId) => ({
        organisationId,
        ...(split && { cycleIds: Object.entries(form.cycles).flatMap(([cycleId, to]) => (to === organisationId ? [cycleId] : [])) }),
      })),
    };
    try {
      return { input: parseSuccession(body), body };
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return {
        errors: error.errors.map((p) =>
          p.field === 'effectiveAt'
            ? { field: 'vesting-day', text: 'Enter a vesting day in the future' }
            : p.field.startsWith('successors')
              ? { field: 'successor1', text: p.message === 'must be distinct organisations' ? 'Choose different successors' : 'Choose organisations from the list' }
              : { field: 'predecessor', text: 'Choose organisations from the list' },
        ),
      };
    }
  }

  /** A refusal said on the page: the form's fields kept, the reason as the service gave it. */
  private async refused(res: Response, session: WebSession, form: Typed | undefined, error: unknown) {
    if (error instanceof ValidationFailed) {
      const [problem] = error.errors;
      const field = problem?.field === 'effectiveAt' ? 'vesting-day' : problem?.field.startsWith('successors') ? 'successor1' : 'predecessor';
      const said = problem?.field === 'effectiveAt' ? 'Enter a vesting day in the future' : 'Choose another organisation: the one chosen cannot succeed it';
      return this.render(res, 400, session, { form, errors: [{ field, text: said }] });
    }
    if (error instanceof NotFound || error instanceof Conflict || error instanceof TransitionRefused) {
      return this.render(res, error instanceof NotFound ? 404 : error instanceof Conflict ? 409 : 422, session, { form, refused: (error as DomainError).message });
    }
    throw error;
  }

  private async names(): Promise<{ organisations: { id: string; name: string; dissolved: boolean }[]; name: (id: string) => string }> {
    const organisations = (await this.accounts.listOrganisations()).map((o) => ({ id: o.id, name: o.name, dissolved: o.dissolvedAt !== null }));
    const byId = new Map(organisations.map((o) => [o.id, o.name]));
    return { organisations, name: (id) => byId.get(id) ?? 'an organisation' };
  }

  private async render(res: Response, status: number, session: WebSession, extra: { done?: string; form?: Typed; errors?: FormError[]; refused?: string }) {
    const [{ organisations, name }, pending] = await Promise.all([this.names(), this.reorganisation.pending(session.principal)]);
    const active = organisations.filter((o) => !o.dissolved);
    const partnershipNames = await this.partnershipNames(pending.flatMap((s) => s.partnerships.map((p) => p.partnershipId)));
    const form = extra.form;
    res.status(status).render('admin-successions', {
      ...(await this.layout.of(session)),
      section: 'admin',
      title: 'Successions of organisations',
      successions: pending.map((s) => ({
        organisationId: s.predecessorOrganisationId,
        sentence: successionSentence(s.predecessorName, s.successorNames),
        day: vestingDay(new Date(s.effectiveAt)),
        state: s.state,
        partnerships: s.partnerships.map((p) => ({
          name: partnershipNames.get(p.partnershipId) ?? 'A partnership',
          state: p.state,
          refusals: (p.refusals ?? []).map((r) => `“${r.title}”: ${r.reason}`),
        })),
      })),
      predecessorItems: [{ value: '', text: 'Choose an organisation' }, ...active.map((o) => ({ value: o.id, text: o.name, selected: form?.predecessor === o.id }))],
      successorItems: Array.from({ length: SUCCESSOR_FIELDS }, (_, i) => [
        { value: '', text: i === 0 ? 'Choose an organisation' : 'None' },
        ...active.map((o) => ({ value: o.id, text: o.name, selected: form?.successors[i] === o.id })),
      ]),
      form: form ?? { day: '', month: '', year: '' },
      named: name,
      done: extra.done,
      refused: extra.refused,
      errors: extra.errors ?? [],
    });
  }

  private async renderPreview(res: Response, status: number, session: WebSession, form: Typed, plan: SuccessionPlan, refused?: string) {
    const { name } = await this.names();
    const split = form.successors.length > 1;
    const at = vestingMoment(form)!;
    const cycles = plan.partnerships.flatMap((p) => p.cycles.map((c) => ({ ...c, partnership: p.name })));
    res.status(status).render('admin-succession-preview', {
      ...(await this.layout.of(session)),
      section: 'admin',
      title: 'Check the succession before it is scheduled',
      sentence: `${successionSentence(name(form.predecessor), form.successors.map(name))} on ${vestingDay(at)}`,
      form,
      split,
      successorNames: form.successors.map((id) => ({ id, name: name(id) })),
      partnerships: plan.partnerships.map((p) => ({ name: p.name, agreement: p.agreement, cycles: p.cycles.length })),
      cycles: cycles.map((c) => ({
        id: c.id,
        title: c.title,
        state: c.state,
        partnership: c.partnership,
        successor: c.successorOrganisationId ? name(c.successorOrganisationId) : null,
        items: form.successors.map((id) => ({ value: id, text: name(id), checked: (form.cycles[c.id] ?? c.successorOrganisationId) === id })),
      })),
      users: plan.users,
      representatives: plan.representatives,
      usersTo: name(plan.usersTo),
      problems: [
        ...plan.unassigned.map((c) => `“${c.title}” is assigned to no successor: choose one below`),
        ...plan.doublyAssigned.map((c) => `“${c.title}” is assigned to more than one successor`),
        ...plan.refusals.map((r) => `“${r.title}”: ${r.reason}`),
      ],
      refused,
      errors: [],
    });
  }

  private async partnershipNames(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    return new Map((await this.reorganisation.partnershipNames([...new Set(ids)])).map((p) => [p.id, p.name]));
  }
}
