/** The forms of the events the caller may send now, from their copy in forms/ and what the page knows. */
import { fromZonedTime } from 'date-fns-tz';
import { ENGLAND, UserEventType, parsePounds, startCycle } from '@app/domain';
import { FormFieldSpec, FormView, eventFormOf } from './forms';
import { Form, field, text as filled } from '../http/form';
import type { FormError } from '../views/filters';

/** One field of an event's form, as the template draws it with the GOV.UK components. */
export type FormField = FormFieldSpec & { id: string };

export interface EventForm {
  type: UserEventType;
  /** The anchor of the form on the page (errors without a field link here). */
  id: string;
  heading: string;
  description?: string;
  button: string;
  /** Cancelling and escalating are drawn with a warning button. */
  warning: boolean;
  fields: FormField[];
  /**
   * Set when the form has a page of its own (it offers too many choices for the cycle page): the
   * cycle page shows what is chosen now and links there.
   */
  ownPage?: { href: string; chosen: { label: string; names: string[] }[]; choices: number };
}

/**
 * The most boxes to tick a list of a form offers on the cycle page. A form with a longer list, such
 * as the review panel's in a partnership of hundreds of people, has a page of its own: the cycle
 * page stays the same size however large the partnership grows.
 */
export const CHOICES_ON_CYCLE_PAGE = 20;

/**
 * Whether a form is shown on a page of its own rather than on the cycle page: boxes to tick are the
 * lists that grow with the partnership (its people, a cycle's options).
 */
export const hasOwnPage = (form: EventForm) => form.fields.some((f) => f.kind === 'checkboxes' && (f.items?.length ?? 0) > CHOICES_ON_CYCLE_PAGE);

/** The form as the cycle page shows it: whole, or, when it has a page of its own, what it has chosen now and a link there. */
export function onCyclePage(form: EventForm, cycleId: string): EventForm {
  if (!hasOwnPage(form)) return form;
  const lists = form.fields.filter((f) => f.kind === 'checkboxes');
  // What its lists hold now (those that start from the cycle's: a panel, the co-owners), not the empty ones of a new choice.
  const chosen = lists.filter((f) => f.values !== undefined).map((f) => ({ label: f.label, names: (f.items ?? []).filter((i) => f.values!.includes(i.value)).map((i) => i.text) }));
  const choices = Math.max(...lists.map((f) => f.items?.length ?? 0));
  return { ...form, fields: [], ownPage: { href: `/cycles/${cycleId}/forms/${form.type}`, chosen, choices } };
}

/** What the page knows that the forms offer as choices. */
export type FormContext = FormView;

/** The forms of the events the caller may send now (the machine's `nextEvents`), in that order. */
export function eventForms(nextEvents: UserEventType[], page: FormContext): EventForm[] {
  return nextEvents.flatMap((type) => {
    const form = formOf(type, page);
    return form ? [form] : [];
  });
}

/** An event's form, drawn from its copy in forms/ and the page. */
export function formOf(type: string, page: FormContext): EventForm | undefined {
  const spec = eventFormOf(type);
  if (!spec) return undefined;
  const view = page;
  const resolve = (value: string | ((v: FormView) => string)) => (typeof value === 'function' ? value(view) : value);
  return {
    type: type as UserEventType,
    id: `event-${type}`,
    heading: resolve(spec.heading),
    ...(spec.description && { description: spec.description }),
    button: resolve(spec.button),
    warning: spec.warning ?? false,
    fields: (spec.fields?.(view) ?? []).map((f) => ({ ...f, id: `event-${type}-${f.name}` })),
  };
}

const text = field;
const number = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value === undefined ? undefined : NaN);
const list = (value: unknown) => (Array.isArray(value) ? value : typeof value === 'string' && value ? [value] : []);
/** Pounds as pence; blank is left out, and text that is not money stays text for the validation to name. */
const pounds = (value: unknown) => (typeof value !== 'string' || !value.trim() ? undefined : (parsePounds(value) ?? value));
/** A checkbox whose value is a small JSON object; anything else is left as it came, for the validation to name. */
const jsonOr = (value: unknown) => {
  try {
    return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  } catch {
    return value;
  }
};
/** A date in England (YYYY-MM-DD) as the instant it is due: 5pm that day. */
const dueDate = (value: unknown) => {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? fromZonedTime(`${value.trim()}T17:00:00`, ENGLAND).toISOString() : value;
};

/**
 * The event a form describes, for the same validation as the API's (`validateEvent`): each field
 * read as its form says (numbers, lists, blank optional boxes left out), and groups of
 * fields (`score_<outcome>`, `reading_<metric>`) gathered into their lists.
 */
export function eventFromForm(type: string, form: Form, page?: FormContext): Record<string, unknown> {
  const spec = eventFormOf(type);
  if (!spec) return { type };
  const event: Record<string, unknown> = { type };
  const fields = spec.fields?.(page ?? emptyView) ?? [];
  for (const f of fields) {
    if (spec.groups?.some((g) => f.name.startsWith(g.prefix))) continue;
    const raw = form[f.name];
    if (f.parse === 'number') event[f.name] = number(raw);
    else if (f.parse === 'pence') event[f.name] = pounds(raw);
    else if (f.parse === 'date') event[f.name] = dueDate(raw);
    else if (f.parse === 'list') event[f.name] = list(raw);
    else if (f.parse === 'json-list') event[f.name] = list(raw).map((v) => jsonOr(v));
    else if (f.parse === 'json-list-optional') event[f.name] = list(raw).length ? list(raw).map((v) => jsonOr(v)) : undefined;
    else if (f.parse === 'optionalText') event[f.name] = text(form, f.name)?.trim() ? text(form, f.name) : undefined;
    else event[f.name] = text(form, f.name);
  }
  for (const group of spec.groups ?? []) {
    const items = Object.keys(form)
      .filter((k) => k.startsWith(group.prefix) && filled(form, k) !== undefined)
      .map((k) => {
        const [first, second] = k.slice(group.prefix.length).split('_');
        const value = group.parse === 'pence' ? pounds(form[k]) : number(form[k]);
        return { [group.key]: first, ...(group.secondKey && { [group.secondKey]: second }), [group.value]: value };
      });
    if (items.length || !group.optional) event[group.into] = items;
  }
  return Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined));
}

/** Without the page, a form's fields are read as its copy describes them for an empty cycle. */
const emptyView: FormView = {
  context: startCycle({ coOwners: [], panelUserIds: [], facilitatorUserIds: [], outcomeIds: [], metrics: [] }).context,
  organisationId: null,
  orgName: (id) => id,
  outcomeTitle: (id) => id,
};

/**
 * Problems with an event, placed on the fields of its form (or on the form when no field fits).
 * The catalogue's messages are already in the GOV.UK style ("Enter the reason"); a message about a
 * field of a group names the field's label.
 */
export function formErrors(form: EventForm, problems: { field: string; message: string }[]): FormError[] {
  return problems.map((p) => {
    const top = p.field.split('.')[0];
    const match = form.fields.find((f) => f.name === top && f.kind !== 'hidden');
    const target = match ?? form.fields.find((f) => f.kind !== 'hidden');
    return { field: target?.id ?? `${form.id}-submit`, text: p.message };
  });
}
