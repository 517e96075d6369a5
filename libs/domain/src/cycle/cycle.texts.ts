/**
 * The long texts of a cycle (its problem statements and its options' summaries) are kept apart
 * from the snapshot it is stored as (issue 18): the rules never read them, and years of them were
 * most of an old cycle's snapshot, read, parsed and written back with every event. A stored
 * snapshot keeps every revision and option without its text; the texts are kept by key, one row
 * each, and put back wherever a cycle is shown. Pure functions, on the persisted form.
 */
import type { PersistedCycle } from './cycle.engine';

/** A cycle's texts by key: `revision:<number>` (a statement), `option:<id>` (a summary). */
export type CycleTexts = Record<string, string>;

export const revisionTextKey = (n: number): string => `revision:${n}`;
export const optionTextKey = (id: string): string => `option:${id}`;

interface Parts {
  revisions: Record<string, unknown>[];
  options: Record<string, unknown>[];
}

const partsOf = (persisted: PersistedCycle): Parts | undefined => {
  const context = persisted.context as { problem?: { revisions?: unknown }; options?: unknown } | undefined;
  const revisions = context?.problem?.revisions;
  const options = context?.options;
  return Array.isArray(revisions) && Array.isArray(options) ? { revisions, options } : undefined;
};

const withParts = (persisted: PersistedCycle, parts: Parts): PersistedCycle => {
  const context = persisted.context as Record<string, unknown> & { problem?: Record<string, unknown> };
  return { ...persisted, context: { ...context, problem: { ...context.problem, revisions: parts.revisions }, options: parts.options } };
};

/** Roughly the memory texts take (two bytes a character), counted without copying them. */
export function textsSize(texts: CycleTexts): number {
  let size = 0;
  for (const key in texts) size += 2 * (key.length + texts[key].length);
  return size;
}

/**
 * The snapshot to store, without texts, and the texts it held: only those present (a revision or
 * option restored from a stored snapshot has none; an event that wrote or changed one has it).
 */
export function splitTexts(persisted: PersistedCycle): { slim: PersistedCycle; texts: CycleTexts } {
  const parts = partsOf(persisted);
  const texts: CycleTexts = {};
  // Most snapshots split are slim already (every event a process writes to a cycle it holds): no copy then.
  if (!parts || (!parts.revisions.some((r) => typeof r.statement === 'string') && !parts.options.some((o) => typeof o.summary === 'string'))) {
    return { slim: persisted, texts };
  }
  let moved = false;
  /** Each item without its text field, the text kept under its key. */
  const strip = (items: Record<string, unknown>[], field: string, keyOf: (item: Record<string, unknown>) => string) =>
    items.map((item) => {
      if (typeof item[field] !== 'string') return item;
      moved = true;
      texts[keyOf(item)] = item[field];
      const { [field]: _, ...rest } = item;
      return rest;
    });
  const revisions = strip(parts.revisions, 'statement', (r) => revisionTextKey(r.number as number));
  const options = strip(parts.options, 'summary', (o) => optionTextKey(o.id as string));
  return { slim: moved ? withParts(persisted, { revisions, options }) : persisted, texts };
}

/** The snapshot with its texts back in place (a text present in the snapshot wins: it is newer). */
export function joinTexts(persisted: PersistedCycle, texts: CycleTexts): PersistedCycle {
  const parts = partsOf(persisted);
  if (!parts) return persisted;
  return withParts(persisted, {
    revisions: parts.revisions.map((r) => withStatement(r as Record<string, unknown> & { number: number }, texts)),
    options: parts.options.map((o) => withSummary(o as Record<string, unknown> & { id: string }, texts)),
  });
}

/** A revision with its statement back in place (one present wins: it is newer). */
export const withStatement = <R extends { number: number; statement?: unknown }>(r: R, texts: CycleTexts): R =>
  typeof r.statement === 'string' ? r : { ...r, statement: texts[revisionTextKey(r.number)] ?? '' };

/** An option with its summary back in place (one present wins: it is newer). */
export const withSummary = <O extends { id: string; summary?: unknown }>(o: O, texts: CycleTexts): O => (typeof o.summary === 'string' ? o : { ...o, summary: texts[optionTextKey(o.id)] ?? '' });

/**
 * The texts a cycle's view shows (its latest problem revision's statement, its live options'
 * summaries), of `texts`: what the view needs of an old cycle, whose earlier revisions and
 * withdrawn options are paged from their own lists. The same object when nothing is left out.
 */
export function shownTexts(persisted: PersistedCycle, texts: CycleTexts): CycleTexts {
  const parts = partsOf(persisted);
  if (!parts) return texts;
  const latest = parts.revisions.at(-1);
  const keys = [...(latest ? [revisionTextKey(latest.number as number)] : []), ...parts.options.filter((o) => o.status === 'live').map((o) => optionTextKey(o.id as string))];
  if (keys.length === Object.keys(texts).length && keys.every((key) => key in texts)) return texts;
  return Object.fromEntries(keys.filter((key) => key in texts).map((key) => [key, texts[key]]));
}
