/**
 * The shape of one entry of the cycle's event catalogue (cycle.catalogue.ts): everything about an
 * event type in one place. The machine, `nextEvents`, the API's validation and OpenAPI schema and
 * the web app's forms are all derived from these entries.
 */
import { z } from 'zod';
import type { Directory } from './cycle.people';
import type { Actor, CycleContext, CycleState, WorkingState } from './cycle.types';

export type Reason = string | undefined;

/**
 * Who may send an event. Each is a named guard of the machine (`commissioner`, `coOwner`, ...);
 * `doing` finishes the refusal's sentence ("Only the cycle's commissioners launch it").
 */
export type Who =
  | { kind: 'commissioner'; doing: string }
  | { kind: 'coOwner' }
  | { kind: 'representative'; doing: string }
  | { kind: 'optionAuthor'; doing: string }
  | { kind: 'actionOwner'; doing: string }
  | { kind: 'coOwnerOrPanel' }
  | { kind: 'panelMember' }
  | { kind: 'facilitator' }
  | { kind: 'milestone' };
export type WhoKind = Who['kind'];

/** Common to every event: who sent it and when the service accepted it. */
export interface EventBase {
  actor: Actor;
  /** ISO time the service accepted the event at. */
  at: string;
  /** The partnership and the people named, for entries that ask for it (`directory: true`). Not kept in the history. */
  directory?: Directory;
}

/**
 * Where an event takes the cycle from a state. `to` is the target (none: the cycle stays);
 * `when`/`unless` add named guards of the machine; `effect` is the named action that changes the
 * context (`record`: the entry's own effect; `escalate`: opens an escalation from that state;
 * `none`). Several routes are tried in order, the first whose guards pass is taken.
 */
export interface Route {
  to?: CycleState;
  when?: string[];
  unless?: string[];
  effect?: 'record' | 'escalate' | 'none';
  /** Skip the entry's rule (a fallback route, such as a milestone that escalates instead). */
  skipRule?: boolean;
}

/** What the web app's form needs to know about the cycle and the person. */
export interface FormView {
  context: CycleContext;
  organisationId: string | null;
  orgName: (id: string) => string;
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

export interface EventDefinition<T extends string = string, F extends z.ZodRawShape = z.ZodRawShape, G = object> {
  type: T;
  /** What it does, in a few words, for the history and the chart. */
  label: string;
  /** The fields a client sends besides `type`: validation, the OpenAPI schema and the event's type. */
  fields: z.ZodObject<F>;
  who: Who;
  /** The routes of the machine, by state. */
  routes: Partial<Record<CycleState, Route | Route[]>>;
  /** Whether its fields make sense against the cycle now (422 when not). */
  rule?: (context: CycleContext, event: EventOf<T, F, G>) => Reason;
  /** How it changes what the cycle remembers (for routes whose effect is `record`). */
  effect?: (context: CycleContext, event: EventOf<T, F, G>) => CycleContext;
  /**
   * Whether the actor has something to send now, beyond who and state: an open proposal to
   * consent to, a revision not yet answered. What `nextEvents` offers (no probe events).
   */
  offered?: (context: CycleContext, actor: Actor) => boolean;
  /** The form the web app draws for it (none for milestone events). */
  form?: FormSpec;
  /** Ids the service gives it when it is sent (an option's or a proposal's). */
  generates?: keyof G & string;
  /** The service looks up the partnership and the people it names (`event.directory`) before deciding. */
  directory?: true;
  /** A new title for the cycle (kept on its row, not in the machine). */
  title?: (event: EventOf<T, F, G>) => string | undefined;
}

export type EventOf<T extends string, F extends z.ZodRawShape, G = object> = { type: T } & z.infer<z.ZodObject<F>> & G & EventBase;

/** Defines an entry, keeping its literal type and field types for the derived unions. */
export const defineEvent = <T extends string, F extends z.ZodRawShape, G = object>(definition: EventDefinition<T, F, G>) => definition;

// ----- field schemas with messages in the GOV.UK style ----------------------------------------

const thousands = (n: number) => n.toLocaleString('en-GB');

/** Non-blank text of at most `max` characters; `missing` is the message when it is left empty. */
export const text = (max: number, missing: string, label: string) =>
  z
    .string({ error: missing })
    .min(1, missing)
    .max(max, `${label} must be ${thousands(max)} characters or fewer`)
    .refine((value) => value.trim().length > 0, missing);

export const id = (missing: string) => z.uuid({ error: missing });

/** A list of ids, each named by the message when it is not one. */
export const ids = (what: string, max = 50) => z.array(z.uuid({ error: `Choose ${what} from the list` }), { error: `Choose ${what} from the list` }).max(max);

export const WORKING_STATES: WorkingState[] = ['draft', 'framing', 'options', 'deciding', 'delivering', 'reviewing'];

/** The same route from every working state (escalating, cancelling). */
export const fromEvery = (states: CycleState[], route: (from: CycleState) => Route): Partial<Record<CycleState, Route>> =>
  Object.fromEntries(states.map((state) => [state, route(state)]));
