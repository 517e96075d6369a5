/**
 * The cycle's event catalogue: one entry per event type, holding its fields (validation, OpenAPI
 * schema and TypeScript type from one zod schema), who may send it, its rule, its effect on what
 * the cycle remembers and where it takes the machine. The entries live by lifecycle stage in
 * catalogue/ (draft, framing, options, deciding, delivering, reviewing, any-stage, people,
 * milestones, reorganisation); this file lists them. The machine (cycle.machine.ts), `nextEvents` and the API are
 * derived from it, and the web app draws each person's event with its form (apps/web/src/cycles/forms):
 * adding an event is an entry in its stage's file, its test, and its form.
 */
import { z } from 'zod';
import { MILESTONE_EVENT_TYPES, MilestoneEventType } from './cycle.types';
import { EventDefinition, EventOf, proseKeys, prosePointers } from './event-definition';
import { CANCEL, ESCALATE, RESOLVE_ESCALATION } from './catalogue/any-stage';
import { APPRAISE_OPTION, CONSENT, OBJECT, PLEDGE, PROPOSE_DECISION } from './catalogue/deciding';
import { ADD_ACTION, COMPLETE_ACTION, RECORD_PROGRESS, START_REVIEW } from './catalogue/delivering';
import { EDIT_DRAFT, LAUNCH } from './catalogue/draft';
import { ENDORSE_PROBLEM, OBJECT_PROBLEM, REVISE_PROBLEM } from './catalogue/framing';
import { DECISION_DUE, FRAMING_DUE, OPTIONS_DUE, REVIEW_DUE, REVIEW_START } from './catalogue/milestones';
import { AMEND_OPTION, CLOSE_OPTIONS, SUBMIT_OPTION, WITHDRAW_OPTION } from './catalogue/options';
import { CHANGE_FACILITATORS, CHANGE_PANEL, INVITE_CO_OWNER, LEAVE_CYCLE, REMOVE_CO_OWNER } from './catalogue/people';
import { RECORD_LEARNING, SIGN_OFF_REVIEW } from './catalogue/reviewing';
import { HANDED_OVER, ORGANISATION_SUCCEEDED } from './catalogue/reorganisation';

export * from './catalogue/any-stage';
export * from './catalogue/deciding';
export * from './catalogue/delivering';
export * from './catalogue/draft';
export * from './catalogue/framing';
export * from './catalogue/milestones';
export * from './catalogue/options';
export * from './catalogue/people';
export * from './catalogue/reviewing';
export * from './catalogue/reorganisation';
export { CYCLE_CAPS } from './catalogue/shared';

/** People's events, in the order forms and `nextEvents` list them. */
export const USER_EVENTS = [
  LAUNCH,
  REVISE_PROBLEM,
  ENDORSE_PROBLEM,
  OBJECT_PROBLEM,
  SUBMIT_OPTION,
  AMEND_OPTION,
  WITHDRAW_OPTION,
  CLOSE_OPTIONS,
  APPRAISE_OPTION,
  PLEDGE,
  PROPOSE_DECISION,
  CONSENT,
  OBJECT,
  RECORD_PROGRESS,
  ADD_ACTION,
  COMPLETE_ACTION,
  START_REVIEW,
  RECORD_LEARNING,
  SIGN_OFF_REVIEW,
  ESCALATE,
  RESOLVE_ESCALATION,
  EDIT_DRAFT,
  INVITE_CO_OWNER,
  CHANGE_PANEL,
  CHANGE_FACILITATORS,
  LEAVE_CYCLE,
  REMOVE_CO_OWNER,
  CANCEL,
] as const;
export const MILESTONE_EVENTS = [FRAMING_DUE, OPTIONS_DUE, DECISION_DUE, REVIEW_START, REVIEW_DUE] as const;
/** What the service records on an admin's, a lead's or a job's behalf (who `service`). */
export const SERVICE_EVENTS = [ORGANISATION_SUCCEEDED, HANDED_OVER] as const;

type Entry = (typeof USER_EVENTS)[number] | (typeof MILESTONE_EVENTS)[number] | (typeof SERVICE_EVENTS)[number];
type EventOfEntry<E> = E extends EventDefinition<infer T, infer F, infer G> ? EventOf<T, F, G> : never;

export type UserEvent = EventOfEntry<(typeof USER_EVENTS)[number]>;
export type MilestoneEvent = EventOfEntry<(typeof MILESTONE_EVENTS)[number]>;
export type ServiceEvent = EventOfEntry<(typeof SERVICE_EVENTS)[number]>;
export type CycleEvent = UserEvent | MilestoneEvent | ServiceEvent;
export type CycleEventType = CycleEvent['type'];
export type UserEventType = UserEvent['type'];
/** The fields a client sends for an event type (without the ids the service generates). */
export type EventFields<T extends CycleEventType> = z.infer<Extract<Entry, { type: T }>['fields']>;

export const USER_EVENT_TYPES: readonly UserEventType[] = USER_EVENTS.map((e) => e.type);

/** Every entry by type; a Map, so that `toString` or `__proto__` is not an event type. */
export const CATALOGUE: ReadonlyMap<string, EventDefinition> = new Map([...USER_EVENTS, ...MILESTONE_EVENTS, ...SERVICE_EVENTS].map((entry) => [entry.type, entry as unknown as EventDefinition]));

export const definitionOf = (type: string): EventDefinition | undefined => CATALOGUE.get(type);

/** The event types whose fields hold prose, and those fields (what a subject-access export lists and erasure replaces). */
export const CYCLE_PROSE_FIELDS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  [...CATALOGUE.values()].map((d) => [d.type, proseKeys(d.fields)] as const).filter(([, keys]) => keys.length),
);

/** The JSON Pointers of what a person wrote in an entry of this type (its `prose` fields): what its history entry seals. */
export const personalFieldsOf = (type: string, payload: Record<string, unknown>): string[] => {
  const definition = CATALOGUE.get(type);
  return definition ? prosePointers(definition.fields, payload) : [];
};

export const isMilestoneEventType = (type: string): type is MilestoneEventType => (MILESTONE_EVENT_TYPES as readonly string[]).includes(type);
