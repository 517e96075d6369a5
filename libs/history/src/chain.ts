/** Hash-chained entries: how an entry's content is hashed under each scheme, linked and verified. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Actor } from '@app/domain';
import { RELEASING_TYPES, type Seals, checkSeals, releasedBy, sealedPayload, unexplainedRelease } from './seals';

/** The hash the first entry of every history links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** What one entry says, whichever history it is in (a cycle's, an agreement's, a partnership's). */
export interface EntryContent {
  type: string;
  actorUserId: string | null;
  organisationId: string | null;
  /** Hashed from scheme 3 on. */
  representative?: boolean;
  fromState: string | null;
  toState: string;
  payload: Record<string, unknown>;
  at: Date;
  /** Scheme 4: the payload's personal fields, each hashed as a salted digest (seals.ts). */
  seals?: Seals | null;
}

/** An entry as its history keeps it: its content, its place, its link to the one before and its own hash. */
export interface ChainLink {
  seq: number;
  prevHash: string;
  hash: string;
  /** Absent: the current scheme. */
  hashScheme?: HashScheme;
}

/**
 * How an entry's content becomes the bytes that are hashed. Entries record their scheme, so
 * chains written under an earlier one keep verifying:
 * 1. the project's own JSON with sorted keys (entries written before RFC 8785 was adopted);
 * 2. RFC 8785 JSON Canonicalization (`canonicalize`);
 * 3. the same, with `representative` (whether the actor was their organisation's representative)
 *    among the content;
 * 4. the same, with each personal field of the payload (what a person wrote) hashed as a salted
 *    digest, `{ "$sealed": <digest> }`, instead of its text (seals.ts): the text and its salt
 *    can be erased and the entry still verifies. An entry without personal fields hashes as in 3.
 */
export type HashScheme = 1 | 2 | 3 | 4;
export const CURRENT_HASH_SCHEME: HashScheme = 4;

/** Scheme 1, kept to verify the entries it hashed: JSON with object keys sorted at every depth. */
export function legacyCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(legacyCanonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${legacyCanonicalJson(v)}`).join(',')}}`;
}

const rfc8785 = (value: unknown) => canonicalize(value) ?? 'null';
const CANONICAL: Record<HashScheme, (value: unknown) => string> = {
  1: legacyCanonicalJson,
  2: rfc8785,
  3: rfc8785,
  4: rfc8785,
};

/**
 * What an entry's hash covers, in its scheme: built here alone, for all three histories (the
 * erasure or redaction of round 3 changes it here, once for all). The chain's subject (a cycle's
 * id; the partnership's for the agreement's and the partnership's histories) is hashed under the
 * key `cycleId`, as every entry of schemes 1–3 was.
 */
export function chainedContent(subjectId: string, seq: number, entry: EntryContent, scheme: HashScheme): Record<string, unknown> {
  const content = {
    cycleId: subjectId,
    seq,
    type: entry.type,
    actorUserId: entry.actorUserId,
    organisationId: entry.organisationId,
    fromState: entry.fromState,
    toState: entry.toState,
    payload: scheme >= 4 ? sealedPayload(entry.payload, entry.seals ?? undefined) : entry.payload,
    at: entry.at.toISOString(),
  };
  return scheme >= 3 ? { ...content, representative: entry.representative ?? false } : content;
}

/** SHA-256 over the previous entry's hash and this entry's own content, in the entry's scheme. */
export function chainHash(prevHash: string, subjectId: string, entry: EntryContent & { seq: number }, scheme: HashScheme = CURRENT_HASH_SCHEME): string {
  const body = CANONICAL[scheme](chainedContent(subjectId, entry.seq, entry, scheme));
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** A history entry with its link to the one before and its own hash, in the current scheme (or the history's own). */
export function chainedEntry<C extends EntryContent>(
  subjectId: string,
  seq: number,
  prevHash: string,
  content: C,
  scheme: HashScheme = CURRENT_HASH_SCHEME,
): C & { seq: number; prevHash: string; hash: string; hashScheme: HashScheme } {
  if (content.seals && scheme < 4) throw new Error(`Hash scheme ${scheme} cannot seal personal fields`);
  const placed = { ...content, seq };
  return { ...placed, prevHash, hash: chainHash(prevHash, subjectId, placed, scheme), hashScheme: scheme };
}

export type ChainVerdict = { intact: true; length: number } | { intact: false; brokenAtSeq: number; length: number; reason: string; disagrees?: 'snapshot' | 'texts' };

/** What the parent's row (the cycle's, agreement's, partnership's) records of its history: how many entries (its version) and the newest one's hash. */
export interface ChainHead {
  version: number;
  historyHash: string;
}

/**
 * Walks the chain of `subjectId` in order; the first entry whose link or hash does not hold is
 * where it breaks. With the parent's head, the newest entry must also be the one the row points
 * to (its seq is the row's version, its hash the row's `historyHash`): a chain whose newest
 * entries were deleted is intact link by link, and only the head tells.
 */
export function verifyChain(
  subjectId: string,
  entries: (EntryContent & ChainLink)[],
  head?: ChainHead,
  /** Entries up to `seq` were verified before and ended with `hash`: `entries` are the ones after it. */
  from: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
  /**
   * Released fields (`<seq><pointer>` → seq) not yet named by an erasure or redaction entry, for a
   * caller that verifies a chain in parts (a file, line by line): given, they are carried from part
   * to part, and the caller asks `unexplained` at the end; not given, this call's end is the chain's.
   */
  pending?: Map<string, number>,
): ChainVerdict {
  const length = from.seq + entries.length;
  const broken = (brokenAtSeq: number, reason: string): ChainVerdict => ({ intact: false, brokenAtSeq, length, reason });
  let prev = from.hash;
  // Sealed fields released (erased or redacted) and not yet named by a later erasure or redaction entry.
  const released = pending ?? new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const { prevHash, hash, hashScheme = CURRENT_HASH_SCHEME } = entry;
    const seq = from.seq + index + 1;
    if (entry.seq !== seq) return broken(seq, `Entry ${seq} is missing: the next entry is numbered ${entry.seq}.`);
    if (prevHash !== prev) return broken(seq, `Entry ${seq} does not link to the entry before it.`);
    if (chainHash(prevHash, subjectId, entry, hashScheme) !== hash) return broken(seq, `Entry ${seq} was changed after it was written: its content no longer matches its hash.`);
    if (hashScheme >= 4) {
      const sealed = checkSeals(seq, entry.payload, entry.seals ?? undefined);
      if (sealed.problem) return broken(seq, sealed.problem);
      for (const pointer of sealed.released) released.set(`${seq}${pointer}`, seq);
    }
    if (RELEASING_TYPES.includes(entry.type)) for (const f of releasedBy(entry.payload)) released.delete(`${f.seq}${f.path}`);
    prev = hash;
  }
  if (!pending) {
    const left = unexplained(released);
    if (left) return broken(left.seq, left.reason);
  }
  if (head) {
    if (length < head.version) {
      return broken(length + 1, `The cycle is at version ${head.version} but its history ends at entry ${length}: the newest entries are missing.`);
    }
    if (length > head.version) {
      return broken(head.version + 1, `The history has ${length} entries but the cycle is at version ${head.version}: entries were added behind the application.`);
    }
    if (prev !== head.historyHash) {
      return broken(length, `Entry ${length} is not the newest entry the cycle records: its hash differs from the cycle's.`);
    }
  }
  return { intact: true, length };
}

/** The first released field (by seq) that no erasure or redaction entry named, if any: what a chain verified in parts is broken at. */
export function unexplained(pending: Map<string, number>): { seq: number; reason: string } | undefined {
  let first: [string, number] | undefined;
  for (const item of pending) if (!first || item[1] < first[1]) first = item;
  return first && { seq: first[1], reason: unexplainedRelease(first[0], first[1]) };
}

/** Who an entry says did it, from the actor of the event (the system: no one). */
export const actorColumns = (actor: Actor): Pick<EntryContent, 'actorUserId' | 'organisationId'> & { representative: boolean } => ({
  actorUserId: actor.userId,
  organisationId: actor.organisationId,
  representative: actor.representative ?? false,
});
