import type { CycleContext, UserEventType } from '@app/domain';
import type { FormError } from '../views/filters';

/** One field of an event's form, as the template draws it with the GOV.UK components. */
export interface FormField {
  /** The event field it fills (or `reading_<metricId>`, `score_<outcomeId>` for lists). */
  name: string;
  id: string;
  kind: 'text' | 'textarea' | 'number' | 'select' | 'radios' | 'checkboxes' | 'hidden';
  label: string;
  hint?: string;
  value?: string;
  items?: { value: string; text: string }[];
  /** The error when it is left empty, in the GOV.UK style. */
  missing?: string;
}

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
}

/** What the page knows that the forms offer as choices. */
export interface FormContext {
  context: CycleContext;
  organisationId: string | null;
  orgName: (id: string) => string;
  outcomeTitle: (id: string) => string;
}

const field = (type: string, f: Omit<FormField, 'id'>): FormField => ({ ...f, id: `event-${type}-${f.name}` });
const reason = (type: string, label: string, missing = 'Enter the reason'): FormField => field(type, { name: 'reason', kind: 'textarea', label, missing });

/** The forms of the events the caller may send now (the machine's `nextEvents`), in that order. */
export function eventForms(nextEvents: UserEventType[], page: FormContext): EventForm[] {
  return nextEvents.map((type) => formOf(type, page));
}

function formOf(type: UserEventType, { context: c, organisationId, orgName, outcomeTitle }: FormContext): EventForm {
  const base = { type, id: `event-${type}`, warning: false, fields: [] as FormField[] };
  const latest = c.problem.revisions.at(-1);
  const live = c.options.filter((o) => o.status === 'live');
  const mine = live.filter((o) => organisationId && o.authorOrganisationIds.includes(organisationId));
  const open = c.proposals.find((p) => p.status === 'open');
  const optionItems = (options: typeof live) => options.map((o) => ({ value: o.id, text: o.title }));
  switch (type) {
    case 'LAUNCH':
      return { ...base, heading: 'Launch the cycle', description: 'Co-owners can then write and agree the problem definition.', button: 'Launch' };
    case 'REVISE_PROBLEM':
      return {
        ...base,
        heading: latest ? `Write revision ${latest.number + 1} of the problem` : 'Write the problem definition',
        description: 'A new revision clears every endorsement: each co-owner then endorses it or objects.',
        button: 'Save revision',
        fields: [field(type, { name: 'statement', kind: 'textarea', label: 'Problem statement', value: latest?.statement, missing: 'Enter the problem statement' })],
      };
    case 'ENDORSE_PROBLEM':
      return {
        ...base,
        heading: `Endorse revision ${latest?.number ?? ''}`,
        description: 'Your organisation agrees this is the problem to solve together.',
        button: `Endorse revision ${latest?.number ?? ''}`,
        fields: [field(type, { name: 'revision', kind: 'hidden', label: 'Revision', value: String(latest?.number ?? '') })],
      };
    case 'OBJECT_PROBLEM':
      return {
        ...base,
        heading: `Object to revision ${latest?.number ?? ''}`,
        button: 'Record objection',
        fields: [
          field(type, { name: 'revision', kind: 'hidden', label: 'Revision', value: String(latest?.number ?? '') }),
          reason(type, 'Why does your organisation object?', 'Enter why your organisation objects'),
        ],
      };
    case 'SUBMIT_OPTION':
      return {
        ...base,
        heading: 'Submit an option',
        button: 'Submit option',
        fields: [
          field(type, { name: 'title', kind: 'text', label: 'Title', missing: 'Enter a title for the option' }),
          field(type, { name: 'summary', kind: 'textarea', label: 'Summary', missing: 'Enter a summary of the option' }),
          field(type, {
            name: 'coAuthorOrganisationIds',
            kind: 'checkboxes',
            label: 'Co-authors (optional)',
            hint: 'Other co-owners writing this option with you',
            items: c.coOwners.filter((o) => o.organisationId !== organisationId).map((o) => ({ value: o.organisationId, text: orgName(o.organisationId) })),
          }),
        ],
      };
    case 'AMEND_OPTION':
      return {
        ...base,
        heading: 'Amend an option',
        description: 'Leave a box empty to keep what it says.',
        button: 'Save changes',
        fields: [
          field(type, { name: 'optionId', kind: 'select', label: 'Option', items: optionItems(mine.length ? mine : live) }),
          field(type, { name: 'title', kind: 'text', label: 'New title (optional)' }),
          field(type, { name: 'summary', kind: 'textarea', label: 'New summary (optional)' }),
        ],
      };
    case 'WITHDRAW_OPTION':
      return {
        ...base,
        heading: 'Withdraw an option',
        button: 'Withdraw option',
        warning: true,
        fields: [field(type, { name: 'optionId', kind: 'select', label: 'Option', items: optionItems(mine.length ? mine : live) })],
      };
    case 'CLOSE_OPTIONS':
      return { ...base, heading: 'Close the options window', description: 'Co-owners then appraise the options and decide.', button: 'Close options' };
    case 'APPRAISE_OPTION':
      return {
        ...base,
        heading: 'Appraise an option',
        description: 'Score it against each outcome of the cycle, from 0 (no contribution) to 5 (a great contribution).',
        button: 'Save appraisal',
        fields: [
          field(type, { name: 'optionId', kind: 'select', label: 'Option', items: optionItems(live) }),
          ...c.outcomeIds.map((outcomeId) =>
            field(type, {
              name: `score_${outcomeId}`,
              kind: 'select',
              label: `Score for “${outcomeTitle(outcomeId)}”`,
              items: [0, 1, 2, 3, 4, 5].map((n) => ({ value: String(n), text: String(n) })),
            }),
          ),
          field(type, { name: 'comment', kind: 'textarea', label: 'Comment (optional)' }),
        ],
      };
    case 'PROPOSE_DECISION':
      return {
        ...base,
        heading: 'Propose a decision',
        button: 'Propose decision',
        fields: [
          field(type, { name: 'optionIds', kind: 'checkboxes', label: 'Options to go ahead with', items: optionItems(live), missing: 'Choose at least one option' }),
          field(type, { name: 'rationale', kind: 'textarea', label: 'Rationale', missing: 'Enter the rationale for the decision' }),
        ],
      };
    case 'CONSENT':
      return {
        ...base,
        heading: 'Consent to the proposal',
        description: 'When every co-owner consents, the cycle moves to delivery.',
        button: 'Consent',
        fields: [field(type, { name: 'proposalId', kind: 'hidden', label: 'Proposal', value: open?.id })],
      };
    case 'OBJECT':
      return {
        ...base,
        heading: 'Object to the proposal',
        description: 'An objection blocks this proposal; a new one may follow.',
        button: 'Object',
        warning: true,
        fields: [field(type, { name: 'proposalId', kind: 'hidden', label: 'Proposal', value: open?.id }), reason(type, 'Why does your organisation object?', 'Enter why your organisation objects')],
      };
    case 'RECORD_PROGRESS':
      return {
        ...base,
        heading: 'Record progress',
        button: 'Record progress',
        fields: [
          field(type, { name: 'note', kind: 'textarea', label: 'What has happened?', missing: 'Enter what has happened' }),
          ...c.metrics.map((m) => field(type, { name: `reading_${m.id}`, kind: 'number', label: `${m.name} (optional)`, hint: 'The latest reading' })),
        ],
      };
    case 'START_REVIEW':
      return { ...base, heading: 'Start the learning review', description: 'Co-owners and the panel then record what was learned.', button: 'Start review' };
    case 'RECORD_LEARNING':
      return {
        ...base,
        heading: 'Record learning',
        button: 'Record learning',
        fields: [
          field(type, { name: 'insight', kind: 'textarea', label: 'What did we learn?', missing: 'Enter what was learned' }),
          field(type, { name: 'evidence', kind: 'textarea', label: 'Evidence (optional)' }),
          field(type, {
            name: 'recommendation',
            kind: 'radios',
            label: 'Recommendation',
            missing: 'Choose a recommendation',
            items: [
              { value: 'continue', text: 'Continue' },
              { value: 'adapt', text: 'Adapt' },
              { value: 'stop', text: 'Stop' },
            ],
          }),
        ],
      };
    case 'SIGN_OFF_REVIEW':
      return {
        ...base,
        heading: 'Sign off the learning review',
        description: 'When every panel member has signed off, the cycle closes; if most chose to iterate, the next iteration opens.',
        button: 'Sign off',
        fields: [
          field(type, {
            name: 'outcome',
            kind: 'radios',
            label: 'What should happen next?',
            missing: 'Choose whether to iterate or close',
            items: [
              { value: 'iterate', text: 'Iterate: start the next cycle with this learning' },
              { value: 'close', text: 'Close: the work is done' },
            ],
          }),
        ],
      };
    case 'ESCALATE':
      return {
        ...base,
        heading: 'Escalate a disagreement',
        description: 'A facilitator resolves it; the cycle then returns to where it was.',
        button: 'Escalate',
        warning: true,
        fields: [reason(type, 'What is the disagreement?', 'Enter what the disagreement is')],
      };
    case 'RESOLVE_ESCALATION':
      return { ...base, heading: 'Resolve the escalation', button: 'Resolve', fields: [field(type, { name: 'resolution', kind: 'textarea', label: 'Resolution', missing: 'Enter the resolution' })] };
    case 'CANCEL':
      return { ...base, heading: 'Cancel the cycle', description: 'A cancelled cycle cannot be reopened.', button: 'Cancel cycle', warning: true, fields: [reason(type, 'Why cancel?', 'Enter why the cycle is cancelled')] };
  }
}

type Form = Record<string, unknown>;
const text = (form: Form, name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
const optional = (form: Form, name: string) => (text(form, name)?.trim() ? text(form, name) : undefined);
const list = (form: Form, name: string) => {
  const value = form[name];
  return Array.isArray(value) ? value : typeof value === 'string' && value ? [value] : [];
};
const number = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value === undefined ? undefined : NaN);

/**
 * The event a form describes, for the same validation as the API's (`validateEvent`): strings
 * become numbers and lists, blank optional boxes are left out.
 */
export function eventFromForm(type: string, form: Form): Record<string, unknown> {
  const prefixed = (prefix: string) =>
    Object.keys(form)
      .filter((k) => k.startsWith(prefix) && typeof form[k] === 'string' && (form[k] as string).trim() !== '')
      .map((k) => [k.slice(prefix.length), form[k]] as const);
  switch (type) {
    case 'REVISE_PROBLEM':
      return { type, statement: text(form, 'statement') };
    case 'ENDORSE_PROBLEM':
      return { type, revision: number(form.revision) };
    case 'OBJECT_PROBLEM':
      return { type, revision: number(form.revision), reason: text(form, 'reason') };
    case 'SUBMIT_OPTION':
      return { type, title: text(form, 'title'), summary: text(form, 'summary'), coAuthorOrganisationIds: list(form, 'coAuthorOrganisationIds') };
    case 'AMEND_OPTION':
      return { type, optionId: text(form, 'optionId'), title: optional(form, 'title'), summary: optional(form, 'summary') };
    case 'WITHDRAW_OPTION':
      return { type, optionId: text(form, 'optionId') };
    case 'APPRAISE_OPTION':
      return {
        type,
        optionId: text(form, 'optionId'),
        scores: prefixed('score_').map(([outcomeId, score]) => ({ outcomeId, score: number(score) })),
        comment: optional(form, 'comment'),
      };
    case 'PROPOSE_DECISION':
      return { type, optionIds: list(form, 'optionIds'), rationale: text(form, 'rationale') };
    case 'CONSENT':
      return { type, proposalId: text(form, 'proposalId') };
    case 'OBJECT':
      return { type, proposalId: text(form, 'proposalId'), reason: text(form, 'reason') };
    case 'RECORD_PROGRESS': {
      const readings = prefixed('reading_').map(([metric, value]) => ({ metric, value: number(value) }));
      return { type, note: text(form, 'note'), ...(readings.length && { readings }) };
    }
    case 'RECORD_LEARNING':
      return { type, insight: text(form, 'insight'), evidence: optional(form, 'evidence'), recommendation: text(form, 'recommendation') };
    case 'SIGN_OFF_REVIEW':
      return { type, outcome: text(form, 'outcome') };
    case 'ESCALATE':
    case 'CANCEL':
      return { type, reason: text(form, 'reason') };
    case 'RESOLVE_ESCALATION':
      return { type, resolution: text(form, 'resolution') };
    default:
      return { type };
  }
}

/** Problems with an event, placed on the fields of its form (or on the form when no field fits). */
export function formErrors(form: EventForm, problems: { field: string; message: string }[]): FormError[] {
  return problems.map((p) => {
    const top = p.field.split('.')[0];
    const match = form.fields.find((f) => f.name === top && f.kind !== 'hidden');
    const target = match ?? form.fields.find((f) => f.kind !== 'hidden');
    const label = (match?.label ?? form.heading).replace(/ \(optional\)$/, '');
    const empty = /longer than or equal to 1 character|should not be empty|must be a string|must be one of the following|must contain at least 1 element/.test(p.message);
    return { field: target?.id ?? `${form.id}-submit`, text: empty && match?.missing ? match.missing : plainMessage(label, p.message) };
  });
}

/** class-validator's wording, in the GOV.UK error style where one fits ("Enter the reason"). */
function plainMessage(label: string, message: string): string {
  const what = label.charAt(0).toLowerCase() + label.slice(1);
  if (/longer than or equal to 1 character|should not be empty|must be a string|must be one of the following values/.test(message)) {
    return /must be one of/.test(message) ? `Choose ${what.replace(/\?$/, '')}` : `Enter ${what.replace(/\?$/, '')}`;
  }
  const longest = /shorter than or equal to (\d+) characters/.exec(message);
  if (longest) return `${label} must be ${longest[1]} characters or fewer`;
  if (/must be a number|must not be less|must not be greater|must be an integer/.test(message)) return `${label}: ${message.replace(/^\S+ /, '')}`;
  return `${label}: ${message}`;
}
