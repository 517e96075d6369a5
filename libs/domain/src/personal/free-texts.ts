/**
 * Which fields of the histories' entries are free text a person wrote (problem statements, option
 * summaries, reasons, notes, learning): the prose that may name people, and so what a
 * subject-access export lists and what erasure or redaction replaces. Pure.
 */
import { CYCLE_PROSE_FIELDS } from '../cycle/cycle.catalogue';

/**
 * A field's path in an entry's payload: a key, or `key[]` for each text of a list. Short labels
 * that name things rather than say something (a cycle's, an option's or an action's title, a table
 * item, a metric's name) are not among them: FREE_TEXT_LABELS lists them, so that a unit test
 * finds every text field of the catalogues classified one way or the other.
 */
export type FreeTextPath = string;

/** The cycle's entry types with free texts, and their fields: the catalogue's `prose` fields (event-definition.ts), which its entries seal in the history. */
export const CYCLE_FREE_TEXT_FIELDS: Readonly<Record<string, readonly FreeTextPath[]>> = CYCLE_PROSE_FIELDS;

/** The agreement's entry types with free texts, and their fields (agreement.machine.ts). */
export const AGREEMENT_FREE_TEXT_FIELDS: Readonly<Record<string, readonly FreeTextPath[]>> = {
  PROPOSE_AGREEMENT: ['destination', 'principles[]'],
  STATE_POSITION: ['whatsInItForUs', 'concerns'],
  OBJECT_AGREEMENT: ['reason'],
  REOPEN_AGREEMENT: ['reason'],
};

/** Text fields that are labels, not free text, by entry type (the unit test's other half). */
export const FREE_TEXT_LABELS: Readonly<Record<string, readonly FreeTextPath[]>> = {
  SUBMIT_OPTION: ['title', 'tableItems[].item'],
  AMEND_OPTION: ['title', 'tableItems[].item'],
  RECORD_PROGRESS: ['readings[].metric'],
  ADD_ACTION: ['title'],
  EDIT_DRAFT: ['title'],
};

/** One free text of an entry: its field's path (`principles[2]` for the third of a list) and the text. */
export interface FreeText {
  field: string;
  text: string;
}

/** The free texts an entry's payload holds under `fields` (one of the maps above, by its type), in the fields' order. */
export function freeTextsOf(fields: Readonly<Record<string, readonly FreeTextPath[]>>, type: string, payload: Record<string, unknown>): FreeText[] {
  const paths = Object.hasOwn(fields, type) ? fields[type] : [];
  const found: FreeText[] = [];
  for (const path of paths) {
    if (path.endsWith('[]')) {
      const key = path.slice(0, -2);
      const list = payload[key];
      if (!Array.isArray(list)) continue;
      list.forEach((text, i) => {
        if (typeof text === 'string') found.push({ field: `${key}[${i}]`, text });
      });
    } else if (typeof payload[path] === 'string') {
      found.push({ field: path, text: payload[path] });
    }
  }
  return found;
}

/** The entry types of `fields` (for a statement that reads only entries which may hold free texts). */
export const freeTextTypes = (fields: Readonly<Record<string, readonly FreeTextPath[]>>): string[] => Object.keys(fields);

/** The JSON Pointers of the free texts an entry's payload holds under `fields` (`/principles/2` for the third of a list): what its history entry seals. */
export const freeTextPointersOf = (fields: Readonly<Record<string, readonly FreeTextPath[]>>, type: string, payload: Record<string, unknown>): string[] =>
  freeTextsOf(fields, type, payload).map((t) => `/${t.field.replace(/\[(\d+)\]$/, '/$1')}`);

/**
 * The agreement's free texts a person's erasure releases: what they said for their organisation
 * (its position, an objection, a reason to reopen). The destination and principles they proposed
 * are the partnership's agreement itself, which outlives its members: sealed, so an admin can
 * redact a resident named there, but not erased with the person who typed them.
 */
export const AGREEMENT_ERASED_FIELDS: Readonly<Record<string, readonly FreeTextPath[]>> = {
  STATE_POSITION: AGREEMENT_FREE_TEXT_FIELDS.STATE_POSITION,
  OBJECT_AGREEMENT: AGREEMENT_FREE_TEXT_FIELDS.OBJECT_AGREEMENT,
  REOPEN_AGREEMENT: AGREEMENT_FREE_TEXT_FIELDS.REOPEN_AGREEMENT,
};
