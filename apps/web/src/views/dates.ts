/** GOV.UK date inputs read as 9am that day in England. */
import { nineInEngland } from '@app/domain';
import { text } from '../http/form';
import type { FormError } from './filters';

export { nineInEngland };

/** A GOV.UK date input (`<prefix>-day`, `-month`, `-year`) as 9am that day in England. */
export function dateFromForm(form: Record<string, unknown>, id: string, prefix = 'date'): { value?: Date; errors: FormError[] } {
  const [day, month, year] = ['day', 'month', 'year'].map((k) => {
    const raw = text(form, `${prefix}-${k}`);
    return raw !== undefined && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  });
  const date = Number.isInteger(day) && Number.isInteger(month) && Number.isInteger(year) ? nineInEngland(year, month, day) : null;
  const real = date && date.getUTCDate() === day && date.getUTCMonth() === month - 1 && year >= 2000 && year <= 2100;
  return real ? { value: date, errors: [] } : { errors: [{ field: id, text: 'Enter a real date, for example 27 3 2027' }] };
}
