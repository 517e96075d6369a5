import { isUUID } from 'class-validator';
import type { NewMilestone } from '@app/milestones';
import { MILESTONE_KINDS, MilestoneKind } from '@app/milestones';
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

const str = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** A milestone from the form: aligned to an anchor with an offset, or on a day (at 09:00). */
export function milestoneFromForm(form: Record<string, unknown>): { input?: NewMilestone; errors: FormError[] } {
  const errors: FormError[] = [];
  const kind = str(form.kind) as MilestoneKind;
  if (!MILESTONE_KINDS.includes(kind)) errors.push({ field: 'milestone-kind', text: 'Choose which milestone it is' });
  const anchorId = str(form.anchorId);
  if (anchorId && !isUUID(anchorId)) errors.push({ field: 'milestone-anchor', text: 'Choose an anchor from the list' });
  if (anchorId) {
    const offset = str(form.offset);
    if (!/^-?\d{1,4}$/.test(offset)) errors.push({ field: 'milestone-offset', text: 'Enter the offset as a whole number of days, negative for before the anchor' });
    if (errors.length) return { errors };
    const days = Number(offset);
    return { errors, input: str(form.unit) === 'working' ? { kind, anchorId, offsetWorkingDays: days } : { kind, anchorId, offsetDays: days } };
  }
  const date = dateFromForm(form, 'milestone-date');
  if (date.errors.length) errors.push({ field: 'milestone-date', text: 'Enter a real date, for example 27 3 2027, or choose an anchor' });
  if (errors.length || !date.value) return { errors };
  return { errors, input: { kind, dueAt: date.value.toISOString() } };
}
