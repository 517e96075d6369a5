/** The one cache of cycles a process keeps: by cycle id, each entry one version of the cycle, within one byte budget (CYCLE_CACHE, CYCLE_CACHE_BYTES). */
import { LRUCache } from 'lru-cache';
import type { CycleTexts } from '@app/domain';
import type { CycleEntity } from './cycle.entity';
import type { CycleView } from './cycle-rows';
import type { JsonObject } from '@app/database';

/** What was read with a cycle's row for its view. */
export type ReadAlong = Pick<CycleView, 'milestones' | 'progress' | 'progressCount' | 'archived' | 'texts'>;

/**
 * What is kept of one version of a cycle. Each part is exactly that version's, so a part is used
 * only where its version is known to be the database's (each user says how it knows: see each):
 */
export interface CycleParts {
  /** The row and its view as this process last wrote it (CycleEventsService): the next event is decided on it and written with a compare-and-set on its version. */
  written?: { row: CycleEntity; read: ReadAlong };
  /** A large snapshot, as stored (without texts): a view read sends the version it belongs to, and the database answers without the snapshot if the cycle is still there. */
  snapshot?: JsonObject;
  /** Large texts (cycle_texts), checked the same way. */
  texts?: CycleTexts;
  /** The view's problem revisions and options as JSON (CycleViewJson), absent when small: used for a view of this version only, and carried to the next by a write that changed neither the snapshot nor a text (CycleWritesRepository). */
  json?: { revisions?: Buffer; options?: Buffer };
}
export type CyclePart = keyof CycleParts;

/** A part to keep with the memory it takes, or null to drop it. */
export type PartsToKeep = { [K in CyclePart]?: { value: NonNullable<CycleParts[K]>; bytes: number } | null };

interface Entry {
  version: number;
  parts: CycleParts;
  bytes: Partial<Record<CyclePart, number>>;
}

export interface CycleStoreOptions {
  enabled: boolean;
  /** The memory all entries may take, as their parts count it. */
  bytes: number;
}

/**
 * Cycles' versions never go back and a version's content never changes, so whatever part is kept
 * of a version stays true of it; the one rule is that a part is used only for its version. An entry
 * holds one version: keeping a part of a newer one drops the older parts, one of an older one is
 * not kept. Least recently used entries go first when the budget is spent. The objects kept are
 * never changed (the machine makes new ones; views copy what they join).
 */
export class CycleStore {
  readonly enabled: boolean;
  private readonly entries?: LRUCache<string, Entry>;

  constructor(options: CycleStoreOptions) {
    this.enabled = options.enabled && options.bytes > 0;
    if (this.enabled) this.entries = new LRUCache<string, Entry>({ maxSize: options.bytes });
  }

  /** The version kept of a cycle, with its parts. */
  get(id: string): { readonly version: number; readonly parts: Readonly<CycleParts> } | undefined {
    return this.entries?.get(id);
  }

  /** One part of a cycle, if kept for this version. */
  part<K extends CyclePart>(id: string, version: number, part: K): CycleParts[K] | undefined {
    const entry = this.entries?.get(id);
    return entry?.version === version ? entry.parts[part] : undefined;
  }

  /** Keeps (or, null, drops) parts of a version of a cycle; the other parts kept of that version stay. */
  keep(id: string, version: number, parts: PartsToKeep): void {
    if (!this.entries) return;
    const before = this.entries.get(id);
    if (before && before.version > version) return;
    const entry: Entry = before?.version === version ? { version, parts: { ...before.parts }, bytes: { ...before.bytes } } : { version, parts: {}, bytes: {} };
    for (const [name, given] of Object.entries(parts) as [CyclePart, { value: never; bytes: number } | null | undefined][]) {
      if (given === undefined) continue;
      if (given === null) {
        delete entry.parts[name];
        delete entry.bytes[name];
      } else {
        entry.parts[name] = given.value;
        entry.bytes[name] = given.bytes;
      }
    }
    this.save(id, entry);
  }

  /** Drops one part of a cycle, whatever its version. */
  drop(id: string, part: CyclePart): void {
    const entry = this.entries?.get(id);
    if (entry && part in entry.parts) this.keep(id, entry.version, { [part]: null });
  }

  /**
   * A write known to be committed moved the cycle from one version to the next: the parts it
   * leaves true (`carried`) move on with it, as they were or as `replaced` (a new snapshot kept
   * where one was, taken to use the memory the old one did); the others are dropped. An entry of
   * any other version is dropped: the cycle moved in between.
   */
  moved(id: string, from: number, to: number, carried: CyclePart[], replaced: Partial<CycleParts> = {}): void {
    const entry = this.entries?.get(id);
    if (!entry) return;
    if (entry.version !== from) return void this.entries!.delete(id);
    const next: Entry = { version: to, parts: {}, bytes: {} };
    for (const name of carried) {
      if (entry.parts[name] === undefined) continue;
      next.parts[name] = (replaced[name] ?? entry.parts[name]) as never;
      next.bytes[name] = entry.bytes[name];
    }
    this.save(id, next);
  }

  private save(id: string, entry: Entry): void {
    const size = Object.values(entry.bytes).reduce((sum, n) => sum + n, 0);
    if (!Object.keys(entry.parts).length) return void this.entries!.delete(id);
    // Over budget on its own: not kept (lru-cache would refuse it and keep the older entry).
    if (size > this.entries!.maxSize) return void this.entries!.delete(id);
    this.entries!.set(id, entry, { size: Math.max(1, size) });
  }
}
