/**
 * The partnership's own agreement (seed 004): its destination, horizon and principles, agreed by
 * every member organisation and reviewed again when its review date comes or a member asks ("then
 * it starts again"). A second machine beside the cycle's, in the same style: each event's fields
 * are a zod schema, its sender and rule named guards, its effect a named action; refusals in words.
 */
import { and, assign, initialTransition, setup, transition } from 'xstate';
import { z } from 'zod';
import type { Actor } from '../cycle/cycle.types';
import { text } from '../cycle/event-definition';

export const AGREEMENT_STATES = ['drafting', 'consulting', 'agreed', 'reviewing'] as const;
export type AgreementState = (typeof AGREEMENT_STATES)[number];
export const READINESS = ['ready', 'not_yet', 'concerns'] as const;

export interface AgreementVersion {
  number: number;
  destination: string;
  horizonYear: number | null;
  principles: string[];
  /** Null for version 1 of a partnership made before agreements (its earlier text). */
  proposedByOrganisationId: string | null;
  at: string;
}
export interface Position {
  organisationId: string;
  whatsInItForUs: string;
  readiness: (typeof READINESS)[number];
  concerns: string | null;
  userId: string;
  at: string;
}
export interface AgreementResponse {
  organisationId: string;
  number: number;
  userId: string;
  at: string;
}
export interface AgreementContext {
  /** The partnership's member organisations as of the last event (the service gives them with each). */
  members: string[];
  versions: AgreementVersion[];
  /** The version last agreed, if any. */
  agreedNumber: number | null;
  /** Who consented to the agreed version (a member that joined since has not). */
  agreedBy: string[];
  positions: Position[];
  consents: AgreementResponse[];
  objections: (AgreementResponse & { reason: string })[];
  reopenings: { reason: string; organisationId: string | null; at: string }[];
}

const AGREEMENT_EVENT_FIELDS = {
  PROPOSE_AGREEMENT: z.strictObject({
    destination: text(5000, 'Enter the shared destination', 'The destination'),
    horizonYear: z.int({ error: 'Enter the year the destination is for, such as 2035' }).min(2000, 'Enter a year from 2000').max(2200, 'Enter a year before 2200'),
    principles: z
      .array(text(1000, 'Enter each principle', 'A principle'))
      .min(1, 'Enter at least one principle')
      .max(50),
  }),
  STATE_POSITION: z
    .strictObject({
      whatsInItForUs: text(5000, 'Say what is in it for your organisation', 'What is in it for you'),
      readiness: z.enum(READINESS, { error: 'Choose how ready your organisation is' }),
      concerns: text(5000, 'Enter your concerns', 'The concerns').optional(),
    })
    .refine((e) => e.readiness !== 'concerns' || e.concerns !== undefined, { message: 'Enter your concerns', path: ['concerns'] }),
  CONSENT_AGREEMENT: z.strictObject({ number: z.int({ error: 'Choose the version' }).min(1, 'Choose the version') }),
  OBJECT_AGREEMENT: z.strictObject({
    number: z.int({ error: 'Choose the version' }).min(1, 'Choose the version'),
    reason: text(5000, 'Enter why your organisation objects', 'The reason'),
  }),
  REOPEN_AGREEMENT: z.strictObject({ reason: text(5000, 'Enter why it should be reviewed', 'The reason') }),
  AGREEMENT_REVIEW_DUE: z.strictObject({ milestoneId: z.uuid().optional() }),
} as const;
export type AgreementEventType = keyof typeof AGREEMENT_EVENT_FIELDS;
export const AGREEMENT_EVENT_TYPES = Object.keys(AGREEMENT_EVENT_FIELDS) as AgreementEventType[];
/** The events people send (the review milestone is the system's). */
export const AGREEMENT_USER_EVENTS: AgreementEventType[] = ['PROPOSE_AGREEMENT', 'STATE_POSITION', 'CONSENT_AGREEMENT', 'OBJECT_AGREEMENT', 'REOPEN_AGREEMENT'];
export const AGREEMENT_LABELS: Record<AgreementEventType, string> = {
  PROPOSE_AGREEMENT: 'Proposed a version of the agreement',
  STATE_POSITION: 'Stated its position',
  CONSENT_AGREEMENT: 'Consented to the agreement',
  OBJECT_AGREEMENT: 'Objected to the agreement',
  REOPEN_AGREEMENT: 'Asked for the agreement to be reviewed',
  AGREEMENT_REVIEW_DUE: 'The agreement’s review date came',
};

type Fields<T extends AgreementEventType> = z.infer<(typeof AGREEMENT_EVENT_FIELDS)[T]>;
export type AgreementEvent = {
  [T in AgreementEventType]: { type: T; actor: Actor; at: string; /** The partnership's current members. */ members: string[] } & Fields<T>;
}[AgreementEventType];

/** Fields of a client's agreement event, checked; undefined type or problems → the zod error. */
export const agreementFields = (type: string): z.ZodType | undefined => (Object.hasOwn(AGREEMENT_EVENT_FIELDS, type) ? (AGREEMENT_EVENT_FIELDS as Record<string, z.ZodType>)[type] : undefined);

// ----- who and what ------------------------------------------------------------------------

type Reason = string | undefined;
const latest = (c: AgreementContext) => c.versions.at(-1)?.number ?? 0;

function senderRefuses(c: AgreementContext, e: AgreementEvent): Reason {
  if (e.type === 'AGREEMENT_REVIEW_DUE') return e.actor.system ? undefined : 'The review date is the system’s to send.';
  if (e.actor.system) return `The system does not send ${e.type}.`;
  if (!e.actor.organisationId || !e.members.includes(e.actor.organisationId)) return 'Only member organisations of the partnership take part in its agreement.';
  const commits = e.type === 'CONSENT_AGREEMENT' || e.type === 'OBJECT_AGREEMENT' || e.type === 'STATE_POSITION';
  const names = e.actor.representatives ?? [];
  if (commits && names.length && !e.actor.representative) {
    return `Your organisation names representatives: only ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`} may speak for it on the agreement.`;
  }
  return undefined;
}

function rulesRefuse(c: AgreementContext, e: AgreementEvent): Reason {
  if (e.type !== 'CONSENT_AGREEMENT' && e.type !== 'OBJECT_AGREEMENT') return undefined;
  const current = latest(c);
  if (e.number !== current) return current ? `Version ${e.number} is not the one under consultation; version ${current} is.` : 'No version has been proposed yet.';
  const org = e.actor.organisationId;
  if (c.consents.some((x) => x.organisationId === org && x.number === current)) return `Your organisation has already consented to version ${current}.`;
  if (c.objections.some((x) => x.organisationId === org && x.number === current))
    return `Your organisation has already objected to version ${current}; a new version is needed before it can respond again.`;
  return undefined;
}

const everyMemberConsented = (c: AgreementContext) => {
  const current = latest(c);
  if (!current || c.objections.some((o) => o.number === current)) return false;
  const consented = new Set(c.consents.filter((x) => x.number === current).map((x) => x.organisationId));
  return c.members.length > 0 && c.members.every((m) => consented.has(m));
};

const who = (e: AgreementEvent) => ({ organisationId: e.actor.organisationId!, userId: e.actor.userId!, at: e.at });

function effect(c: AgreementContext, e: AgreementEvent): AgreementContext {
  const base = { ...c, members: e.members };
  switch (e.type) {
    case 'PROPOSE_AGREEMENT':
      // A new version clears every response: each member consents or objects to it.
      return {
        ...base,
        versions: [
          ...c.versions,
          { number: latest(c) + 1, destination: e.destination, horizonYear: e.horizonYear, principles: e.principles, proposedByOrganisationId: e.actor.organisationId, at: e.at },
        ],
        consents: [],
        objections: [],
      };
    case 'STATE_POSITION':
      return {
        ...base,
        positions: [...c.positions.filter((p) => p.organisationId !== e.actor.organisationId), { ...who(e), whatsInItForUs: e.whatsInItForUs, readiness: e.readiness, concerns: e.concerns ?? null }],
      };
    case 'CONSENT_AGREEMENT':
      return { ...base, consents: [...c.consents, { ...who(e), number: e.number }] };
    case 'OBJECT_AGREEMENT':
      return { ...base, objections: [...c.objections, { ...who(e), number: e.number, reason: e.reason }] };
    case 'REOPEN_AGREEMENT':
      return { ...base, reopenings: [...c.reopenings, { reason: e.reason, organisationId: e.actor.organisationId, at: e.at }] };
    case 'AGREEMENT_REVIEW_DUE':
      return { ...base, reopenings: [...c.reopenings, { reason: 'The review date came.', organisationId: null, at: e.at }] };
  }
}

/** Where each event may be sent from, and where it takes the agreement (none: it stays). */
const ROUTES: Record<AgreementEventType, Partial<Record<AgreementState, AgreementState | null>>> = {
  PROPOSE_AGREEMENT: { drafting: 'consulting', consulting: null, reviewing: 'consulting' },
  STATE_POSITION: { drafting: null, consulting: null, agreed: null, reviewing: null },
  CONSENT_AGREEMENT: { consulting: null },
  OBJECT_AGREEMENT: { consulting: null },
  REOPEN_AGREEMENT: { agreed: 'reviewing' },
  AGREEMENT_REVIEW_DUE: { agreed: 'reviewing' },
};

type Args = { context: AgreementContext; event: AgreementEvent };
export const agreementMachine = setup({
  types: { context: {} as AgreementContext, events: {} as AgreementEvent, input: {} as AgreementVersion | null },
  guards: {
    mayTakePart: ({ context, event }: Args) => senderRefuses(context, event) === undefined,
    rules: ({ context, event }: Args) => rulesRefuse(context, event) === undefined,
    everyMemberConsented: ({ context }: Args) => everyMemberConsented(context),
  },
  actions: {
    record: assign(({ context, event }: Args) => effect(context, event)),
    agree: assign(({ context }: Args) => ({
      ...context,
      agreedNumber: latest(context),
      agreedBy: context.consents.filter((x) => x.number === latest(context)).map((x) => x.organisationId),
    })),
  },
}).createMachine({
  id: 'agreement',
  context: ({ input }) => ({
    members: [],
    versions: input ? [input] : [],
    agreedNumber: null,
    agreedBy: [],
    positions: [],
    consents: [],
    objections: [],
    reopenings: [],
  }),
  initial: 'drafting',
  states: Object.fromEntries(
    AGREEMENT_STATES.map((state) => [
      state,
      {
        ...(state === 'consulting' && { always: { guard: 'everyMemberConsented', target: 'agreed', actions: 'agree' } }),
        on: Object.fromEntries(
          AGREEMENT_EVENT_TYPES.filter((type) => ROUTES[type][state] !== undefined).map((type) => {
            const to = ROUTES[type][state];
            return [type, { guard: and(['mayTakePart', 'rules']), actions: 'record', ...(to && to !== state && { target: to }) }];
          }),
        ),
      },
    ]),
  ) as never,
});

export type AgreementSnapshot = ReturnType<typeof agreementMachine.resolveState>;
export type AgreementDecision = { accepted: true; snapshot: AgreementSnapshot; state: AgreementState } | { accepted: false; kind: 'forbidden' | 'refused' | 'moot'; reason: string };

const STATE_WORDS: Record<AgreementState, string> = { drafting: 'being drafted', consulting: 'under consultation', agreed: 'agreed', reviewing: 'under review' };

export function startAgreement(first: AgreementVersion | null): AgreementSnapshot {
  return initialTransition(agreementMachine, first)[0];
}

export const agreementStateOf = (s: AgreementSnapshot) => s.value as AgreementState;

/** Accepts the event or refuses it in words (403 who, 422 state or rules, moot for a review date that no longer applies). */
export function decideAgreement(snapshot: AgreementSnapshot, event: AgreementEvent): AgreementDecision {
  const state = agreementStateOf(snapshot);
  const forbidden = senderRefuses(snapshot.context, event);
  if (forbidden) return { accepted: false, kind: 'forbidden', reason: forbidden };
  if (ROUTES[event.type][state] === undefined) {
    if (event.type === 'AGREEMENT_REVIEW_DUE') return { accepted: false, kind: 'moot', reason: `The agreement is ${STATE_WORDS[state]}: its review date no longer applies.` };
    return { accepted: false, kind: 'refused', reason: `The agreement is ${STATE_WORDS[state]}, so ${event.type} is not possible now.` };
  }
  const refused = rulesRefuse(snapshot.context, event);
  if (refused) return { accepted: false, kind: 'refused', reason: refused };
  const next = transition(agreementMachine, snapshot, event)[0];
  return { accepted: true, snapshot: next, state: agreementStateOf(next) };
}

/** What an actor may send now. */
export function agreementNextEvents(snapshot: AgreementSnapshot, actor: Actor, members: string[]): AgreementEventType[] {
  const state = agreementStateOf(snapshot);
  const c = snapshot.context;
  return AGREEMENT_USER_EVENTS.filter((type) => {
    if (ROUTES[type][state] === undefined) return false;
    const probe = { type, actor, members, at: '', number: latest(c) } as unknown as AgreementEvent;
    return senderRefuses(c, probe) === undefined && rulesRefuse(c, probe) === undefined;
  });
}

export const persistAgreement = (s: AgreementSnapshot) => agreementMachine.getPersistedSnapshot(s) as unknown as Record<string, unknown>;
export const restoreAgreement = (p: Record<string, unknown>) => agreementMachine.resolveState(p as never);
