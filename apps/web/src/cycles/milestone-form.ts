/** The milestone form: its labels and fields, read into a milestone and checked by the API's request class. */
import type { NewMilestone } from '@app/milestones';
import { CreateMilestoneDto, MILESTONE_KINDS, MilestoneKind } from '@app/milestones';
import { Form, checkForm, number, text } from '../http/form';
import { dateFromForm } from '../views/dates';
import type { FormError } from '../views/filters';

export { MILESTONE_KINDS };

export const MILESTONE_LABELS: Record<MilestoneKind, string> = {
  framingDue: 'Problem definition agreed by (framingDue)',
  optionsClose: 'Options window closes (optionsClose)',
  decisionDue: 'Decision made by (decisionDue)',
  reviewStart: 'Learning review starts (reviewStart)',
  reviewDue: 'Learning review signed off by (reviewDue)',
};

/** The service's field names, as the form's ids. */
export const MILESTONE_FIELDS: Record<string, string> = {
  kind: 'milestone-kind',
  dueAt: 'milestone-date',
  anchorId: 'milestone-anchor',
  offsetDays: 'milestone-offset',
  offsetWorkingDays: 'milestone-offset',
};

/** A milestone from the form, validated by the API's request class: aligned to an anchor with an offset, or on a day (at 09:00). */
export async function milestoneFromForm(form: Form): Promise<{ input?: NewMilestone; errors: FormError[] }> {
  const anchorId = text(form, 'anchorId');
  const offset = number(form, 'offset', /^-?\d{1,4}$/);
  const date = anchorId ? undefined : dateFromForm(form, 'milestone-date');
  const offsetText = 'Enter the offset as a whole number of days, negative for before the anchor';
  const { value, errors } = await checkForm(
    CreateMilestoneDto,
    { kind: text(form, 'kind'), anchorId, ...(anchorId && { [text(form, 'unit') === 'working' ? 'offsetWorkingDays' : 'offsetDays']: offset }), dueAt: date?.value?.toISOString() },
    {
      kind: { field: 'milestone-kind', text: 'Choose which milestone it is' },
      // Neither an anchor nor a date: the date's words say so.
      anchorId: anchorId ? { field: 'milestone-anchor', text: 'Choose an anchor from the list' } : null,
      offsetDays: { field: 'milestone-offset', text: offsetText },
      offsetWorkingDays: { field: 'milestone-offset', text: offsetText },
      dueAt: { field: 'milestone-date', text: 'Enter a real date, for example 27 3 2027, or choose an anchor' },
    },
  );
  if (errors.length) return { errors };
  return { errors, input: Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as NewMilestone };
}
