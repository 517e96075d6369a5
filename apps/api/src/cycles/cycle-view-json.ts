/** The cycles' kept view JSON: a part of what the CycleStore keeps of each version of a cycle. */
import type { CycleStore } from '@app/cycles';
import type { CycleDto } from './dto/cycles.dto';

/** Revisions and options that take less than this as JSON are serialised with the rest of the view, every time. */
export const KEPT_FROM_BYTES = 16 * 1024;

/**
 * A cycle's view as the JSON bytes `JSON.stringify` would make, with its problem revisions and
 * options (a long-lived cycle's texts: hundreds of KB) serialised and encoded once and kept
 * (the store's `json` part of that version, which a write that changes neither the snapshot nor a
 * text carries to the next: a progress update leaves both parts as they were). Every answer about a cycle depends on
 * its caller and the hour (`nextEvents`, overdue actions, milestones), but those two parts only on
 * the cycle's version: an old cycle's `GET` spent most of its time making the same 400 KB of JSON
 * again. Small ones are not kept (a marker of their version is, so that a young cycle's view is not
 * measured twice). With the store off, nothing is kept and every view goes the usual way. For the
 * default view only (its latest revision and live options: what the store keeps is that view's);
 * `?view=full` is made each time.
 */
export class CycleViewJson {
  constructor(private readonly store: CycleStore) {}

  /** The view's JSON in pieces (jsonChunks), or undefined when its revisions and options are small (the caller sends the view as usual). */
  bytes(view: CycleDto): Buffer[] | undefined {
    // (The DTO types the problem loosely for OpenAPI; mapCycle gives it its revisions.)
    const { revisions: revisionList } = view.problem as { revisions: unknown[] };
    if (!Array.isArray(revisionList) || !Array.isArray(view.options)) return undefined;
    if (!this.store.enabled) return undefined;
    let kept = this.store.part(view.id, view.version, 'json');
    if (!kept) {
      const revisions = Buffer.from(JSON.stringify(revisionList));
      const options = Buffer.from(JSON.stringify(view.options));
      kept = revisions.length + options.length < KEPT_FROM_BYTES ? {} : { revisions, options };
      this.store.keep(view.id, view.version, { json: { value: kept, bytes: 64 + (kept.revisions?.length ?? 0) + (kept.options?.length ?? 0) } });
    }
    if (!kept.revisions || !kept.options) return undefined;
    return jsonChunks(
      view,
      new Map<unknown, Buffer>([
        [revisionList, kept.revisions],
        [view.options, kept.options],
      ]),
      new Set([view, view.problem]),
    );
  }
}

/**
 * `JSON.stringify(value)` as bytes, with the values of `known` (found by identity, in objects' own
 * properties) given as their JSON already made. With `containers`, only those objects are walked
 * (the ones that hold a known value): every other property is made by one `JSON.stringify`, as
 * a long-lived cycle's recent progress and milestones are.
 */
export function jsonBytes(value: unknown, known: ReadonlyMap<unknown, Buffer>, containers?: ReadonlySet<unknown>): Buffer {
  return Buffer.concat(jsonChunks(value, known, containers));
}

/**
 * jsonBytes's bytes in pieces, the known values' as given: sent one after the other, a long-lived
 * cycle's hundreds of KB of options are not copied into a buffer made for each answer.
 */
export function jsonChunks(value: unknown, known: ReadonlyMap<unknown, Buffer>, containers?: ReadonlySet<unknown>): Buffer[] {
  const chunks: Buffer[] = [];
  let text = '';
  const flush = () => {
    if (text) chunks.push(Buffer.from(text));
    text = '';
  };
  const write = (item: unknown): void => {
    const made = known.get(item);
    if (made) {
      flush();
      chunks.push(made);
      return;
    }
    // Only plain objects are walked (arrays, dates, boxed values and the rest as JSON.stringify makes them).
    if (!isPlainObject(item) || typeof item.toJSON === 'function' || (containers && !containers.has(item))) {
      text += JSON.stringify(item);
      return;
    }
    let first = true;
    text += '{';
    for (const [key, property] of Object.entries(item)) {
      // As JSON.stringify: properties without a JSON value are left out.
      if (property === undefined || typeof property === 'function' || typeof property === 'symbol') continue;
      text += (first ? '' : ',') + JSON.stringify(key) + ':';
      first = false;
      write(property);
    }
    text += '}';
  };
  write(value);
  flush();
  return chunks;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
