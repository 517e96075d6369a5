import type { Environment } from 'nunjucks';

/** A problem with one field of a form: `field` is the id of the input it belongs to. */
export interface FormError {
  field: string;
  text: string;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/** Filters the templates use: the GOV.UK error pattern, and dates as people in England read them. */
export function registerFilters(env: Environment): void {
  env.addFilter('summary', (errors: FormError[] | undefined) => (errors ?? []).map((e) => ({ text: e.text, href: `#${e.field}` })));
  env.addFilter('fieldError', (errors: FormError[] | undefined, field: string) => {
    const found = (errors ?? []).filter((e) => e.field === field);
    return found.length ? { text: found.map((e) => e.text).join('. ') } : undefined;
  });
  env.addFilter('dateTime', (value: string | Date | null | undefined) => (value ? dateTime.format(new Date(value)) : ''));
  env.addFilter('date', (value: string | Date | null | undefined) => (value ? dateOnly.format(new Date(value)) : ''));
}
