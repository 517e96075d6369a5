/** The templates' filters: dates as people in England read them, a linear-time trim, and form errors' shape. */
import nunjucks, { type Environment } from 'nunjucks';

/** A problem with one field of a form: `field` is the id of the input it belongs to. */
export interface FormError {
  field: string;
  text: string;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/** A moment as people in England read it: "3 March 2031 at 09:00" (the `dateTime` filter). */
export const formatDateTime = (value: string | Date | null | undefined): string => (value ? dateTime.format(new Date(value)) : '');

/**
 * nunjucks's own `trim` is `str.replace(/^\s*|\s*$/g, '')`: the regular expression tries `\s*$` at
 * every run of spaces and scans each run to its end. GOV.UK Frontend's macros trim the whole HTML
 * they draw (every summary list, table and tag), so a page of a few hundred rows spent a sixth of
 * the web app's time there under load. String's own trim removes the same characters (`\s` is
 * WhiteSpace and LineTerminator in both) and keeps a safe string safe, as nunjucks's does.
 */
export function trim(value: unknown): unknown {
  if (value instanceof nunjucks.runtime.SafeString) return new nunjucks.runtime.SafeString(value.val.trim());
  return value === undefined || value === null ? '' : String(value).trim();
}

/** Filters the templates use: the GOV.UK error pattern, dates as people in England read them, and a linear trim. */
export function registerFilters(env: Environment): void {
  env.addFilter('trim', trim);
  env.addFilter('summary', (errors: FormError[] | undefined) => (errors ?? []).map((e) => ({ text: e.text, href: `#${e.field}` })));
  env.addFilter('fieldError', (errors: FormError[] | undefined, field: string) => {
    const found = (errors ?? []).filter((e) => e.field === field);
    return found.length ? { text: found.map((e) => e.text).join('. ') } : undefined;
  });
  env.addFilter('dateTime', formatDateTime);
  env.addFilter('date', (value: string | Date | null | undefined) => (value ? dateOnly.format(new Date(value)) : ''));
}
