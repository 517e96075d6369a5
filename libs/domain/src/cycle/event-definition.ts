/**
 * The shape of one entry of the cycle's event catalogue (cycle.catalogue.ts): everything about an
 * event type in one place. The machine, `nextEvents`, the API's validation and OpenAPI schema are
 * all derived from these entries; the web app's forms (apps/web/src/cycles/forms) draw them.
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
  | { kind: 'milestone' }
  /** Recorded by the service itself on an authorised person's or a job's behalf (a succession, a handover): never sent by a client. */
  | { kind: 'service' };
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

/** The fields that hold what a person wrote (`prose`): sealed in the history (hash scheme 4), erasable with their author. */
const PROSE = new WeakSet<z.ZodType>();

/**
 * Free text a person writes (a statement, a reason, a note, a learning): `text`, marked as
 * personal data. Titles and labels (an option's, an action's, a metric's) name things and stay `text`.
 */
export const prose = (max: number, missing: string, label: string) => {
  const schema = text(max, missing, label);
  PROSE.add(schema);
  return schema;
};

/** The JSON Pointers (RFC 6901) of the prose a value of `schema` holds, for the history's seals. */
export function prosePointers(schema: z.ZodType, value: unknown, at = ''): string[] {
  if (PROSE.has(schema)) return typeof value === 'string' ? [at] : [];
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> } } })._zod.def;
  if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) return prosePointers(def.innerType, value, at);
  if (def.type === 'array' && def.element && Array.isArray(value)) return value.flatMap((item, i) => prosePointers(def.element!, item, `${at}/${i}`));
  if (def.type === 'object' && def.shape && value !== null && typeof value === 'object') {
    return Object.entries(def.shape).flatMap(([key, field]) =>
      key in value ? prosePointers(field, (value as Record<string, unknown>)[key], `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`) : [],
    );
  }
  return [];
}

/** The top-level fields of an event's schema that are prose (an optional one too). */
export function proseKeys(schema: z.ZodObject): string[] {
  const unwrapped = (field: z.ZodType): z.ZodType => {
    const def = (field as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
    return (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType ? unwrapped(def.innerType) : field;
  };
  return Object.entries(schema.shape).flatMap(([key, field]) => (PROSE.has(unwrapped(field as z.ZodType)) ? [key] : []));
}

export const id = (missing: string) => z.uuid({ error: missing });

/** A list of ids, each named by the message when it is not one. */
export const ids = (what: string, max = 50) => z.array(z.uuid({ error: `Choose ${what} from the list` }), { error: `Choose ${what} from the list` }).max(max);

export const WORKING_STATES: WorkingState[] = ['draft', 'framing', 'options', 'deciding', 'delivering', 'reviewing'];

/** The same route from every working state (escalating, cancelling). */
export const fromEvery = (states: CycleState[], route: (from: CycleState) => Route): Partial<Record<CycleState, Route>> => Object.fromEntries(states.map((state) => [state, route(state)]));
