/**
 * What the web app draws for a person's event: its heading, description, button, fields (labels,
 * hints, choices), how each field's string becomes the event's value, and the banner once it is
 * accepted. Presentation only: the event's fields, rules and messages are the domain's catalogue.
 */
import type { CycleContext, UserEventType } from '@app/domain';

/** What the web app's form needs to know about the cycle and the person. */
export interface FormView {
  context: CycleContext;
  organisationId: string | null;
  orgName: (id: string) => string;
  /** A person's name, for those a form shows that its choices do not hold (a guest on the panel). */
  userName?: (id: string) => string;
  outcomeTitle: (id: string) => string;
  /** The partnership's organisations, its people and its outcomes, for forms that choose among them. */
  choices?: FormChoices;
}

export interface FormChoices {
  organisations: { id: string; name: string; kind: string }[];
  /** Active users of member organisations and of independent facilitators. */
  users: { id: string; name: string; organisationId: string | null; organisationName: string }[];
  outcomes: { id: string; title: string }[];
  /** What each member's latest declaration puts on the table. */
  onTheTable?: Record<string, string[]>;
}

/** One field of an event's form, drawn with the GOV.UK components. */
export interface FormFieldSpec {
  /** The event field it fills; for a group (`scores`, `readings`) `<prefix><key>`. */
  name: string;
  kind: 'text' | 'textarea' | 'number' | 'select' | 'radios' | 'checkboxes' | 'hidden';
  label: string;
  hint?: string;
  value?: string;
  /** The ticked boxes of a `checkboxes` field. */
  values?: string[];
  items?: { value: string; text: string; hint?: { text: string } }[];
  /**
   * How the form's string becomes the event's value (text by default; blank optional text is left
   * out): a number, a list, pounds as pence ("55,000.50" → 5500050; blank left out), or a date in
   * England (YYYY-MM-DD, due at the end of that working day, 17:00).
   */
  parse?: 'number' | 'list' | 'optionalText' | 'pence' | 'date' | 'json-list' | 'json-list-optional';
}

/** Fields named `<prefix><key>` (or `<prefix><key>_<secondKey>`) that make one list of objects, such as `score_<outcomeId>`. */
export interface FormGroup {
  prefix: string;
  into: string;
  key: string;
  /** A second id in the field's name, after an underscore (ids have none): `alloc_<optionId>_<organisationId>`. */
  secondKey?: string;
  value: string;
  /** How each value is read: a number (default), or pounds as pence. */
  parse?: 'number' | 'pence';
  /** Leave the list out when empty (rather than send `[]`). */
  optional?: boolean;
}

export interface FormSpec {
  heading: string | ((view: FormView) => string);
  description?: string;
  button: string | ((view: FormView) => string);
  /** The success banner once it is accepted ("The option is submitted"). */
  done: string;
  /** Drawn with a warning button (cancelling, escalating, withdrawing, objecting). */
  warning?: boolean;
  fields?: (view: FormView) => FormFieldSpec[];
  groups?: FormGroup[];
}

/** A stage's forms, by the event types they draw; every person's event has one (forms/index.ts). */
export type StageForms = Partial<Record<UserEventType, FormSpec>>;
