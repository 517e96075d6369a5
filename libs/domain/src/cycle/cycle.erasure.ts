/**
 * What people see of a cycle once texts of its history are erased or redacted: the stored snapshot
 * and its texts (cycle_texts) lose the same texts, so that they still agree with the history
 * (cycle.audit.ts). Pure: the caller reads and writes the rows.
 */
import type { PersistedCycle } from './cycle.engine';
import { type CycleTexts, optionTextKey, revisionTextKey } from './cycle.texts';

/** One history entry whose texts were released: when it was written, its payload as written, and the texts taken out. */
export interface ReleasedEntry {
  type: string;
  /** The entry's moment (ISO), which the parts its event wrote carry as their `at`. */
  at: string;
  payload: Record<string, unknown>;
  texts: string[];
}

/**
 * `value` (a snapshot's context, a next iteration's inherited learning) with each released text
 * replaced by `marker` wherever the entry's event wrote it: in any object stamped with the entry's
 * moment (`at`, or `doneAt`/`resolvedAt` for what an event completed: an action's note, an
 * escalation's resolution), a string property equal to one of its texts.
 */
export function releaseInJson(value: unknown, released: ReleasedEntry[], marker: string): unknown {
  const byMoment = new Map<string, Set<string>>();
  for (const entry of released) byMoment.set(entry.at, new Set([...(byMoment.get(entry.at) ?? []), ...entry.texts]));
  const textsOf = (record: Record<string, unknown>): Set<string> | undefined => {
    let found: Set<string> | undefined;
    for (const [key, v] of Object.entries(record)) {
      if ((key === 'at' || key.endsWith('At')) && typeof v === 'string' && byMoment.has(v)) found = new Set([...(found ?? []), ...byMoment.get(v)!]);
    }
    return found;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    const texts = textsOf(record);
    return Object.fromEntries(Object.entries(record).map(([key, v]) => [key, typeof v === 'string' && texts?.has(v) ? marker : walk(v)]));
  };
  return walk(value);
}

/** The snapshot with each released text replaced by `marker` where its entry's event wrote it (releaseInJson). */
export function releaseInSnapshot(persisted: PersistedCycle, released: ReleasedEntry[], marker: string): PersistedCycle {
  return { ...persisted, context: releaseInJson(persisted.context, released, marker) as PersistedCycle['context'] };
}

/**
 * The cycle's texts (its problem statements, its options' summaries) with the released ones
 * replaced by `marker`: a statement its revision's entry wrote, a summary its option's latest
 * entry wrote. `slim`: the stored snapshot, whose revisions say when each was written.
 */
export function releaseInTexts(slim: PersistedCycle, texts: CycleTexts, released: ReleasedEntry[], marker: string): CycleTexts {
  const revisions = ((slim.context as { problem?: { revisions?: { number: number; at: string }[] } }).problem?.revisions ?? []) as { number: number; at: string }[];
  const changed: CycleTexts = {};
  for (const entry of released) {
    const keys: string[] = [];
    if (entry.type === 'REVISE_PROBLEM') keys.push(...revisions.filter((r) => r.at === entry.at).map((r) => revisionTextKey(r.number)));
    if ((entry.type === 'SUBMIT_OPTION' || entry.type === 'AMEND_OPTION') && typeof entry.payload.optionId === 'string') keys.push(optionTextKey(entry.payload.optionId));
    for (const key of keys) if (texts[key] !== undefined && entry.texts.includes(texts[key])) changed[key] = marker;
  }
  return changed;
}
