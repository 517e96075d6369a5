import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CycleHistoryEntity } from './cycle.entity';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedContent {
  cycleId: string;
  seq: number;
  type: string;
  actorUserId: string | null;
  organisationId: string | null;
  fromState: string | null;
  toState: string;
  payload: Record<string, unknown>;
  /** Hashed from scheme 3 on. */
  representative?: boolean;
  at: Date;
}

/**
 * How an entry's content becomes the bytes that are hashed. Entries record their scheme, so
 * chains written under an earlier one keep verifying:
 * 1. the project's own JSON with sorted keys (entries written before RFC 8785 was adopted);
 * 2. RFC 8785 JSON Canonicalization (`canonicalize`);
 * 3. the same, with `representative` (whether the actor was their organisation's representative)
 *    among the content, for every entry written since.
 */
export type HashScheme = 1 | 2 | 3;
export const CURRENT_HASH_SCHEME: HashScheme = 3;

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
};

/** SHA-256 over the previous entry's hash and this entry's own content, in the entry's scheme. */
export function chainHash(prevHash: string, content: ChainedContent, scheme: HashScheme = CURRENT_HASH_SCHEME): string {
  const { representative, ...earlier } = content;
  const hashed = scheme >= 3 ? { ...earlier, representative: representative ?? false } : earlier;
  const body = CANONICAL[scheme]({ ...hashed, at: content.at.toISOString() });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export type ChainVerdict =
  | { intact: true; length: number }
  | { intact: false; brokenAtSeq: number; length: number; reason: string; disagrees?: 'snapshot' | 'texts' };

/** What the cycle's row records of its history: how many entries (its version) and the newest one's hash. */
export interface ChainHead {
  version: number;
  historyHash: string;
}

/**
 * Walks the chain in order; the first entry whose link or hash does not hold is where it breaks.
 * With the cycle's head, the newest entry must also be the one the row points to (its seq is the
 * row's version, its hash the row's `historyHash`): a chain whose newest entries were deleted is
 * intact link by link, and only the head tells.
 */
export function verifyChain(
  entries: (ChainedContent & { prevHash: string; hash: string; hashScheme?: HashScheme })[],
  head?: ChainHead,
  /** Entries up to `seq` were verified before and ended with `hash`: `entries` are the ones after it. */
  from: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): ChainVerdict {
  const length = from.seq + entries.length;
  const broken = (brokenAtSeq: number, reason: string): ChainVerdict => ({ intact: false, brokenAtSeq, length, reason });
  let prev = from.hash;
  for (const [index, entry] of entries.entries()) {
    const { prevHash, hash, hashScheme = CURRENT_HASH_SCHEME, ...content } = entry;
    const seq = from.seq + index + 1;
    if (entry.seq !== seq) return broken(seq, `Entry ${seq} is missing: the next entry is numbered ${entry.seq}.`);
    if (prevHash !== prev) return broken(seq, `Entry ${seq} does not link to the entry before it.`);
    if (chainHash(prevHash, content, hashScheme) !== hash) return broken(seq, `Entry ${seq} was changed after it was written: its content no longer matches its hash.`);
    prev = hash;
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

/** A history entry with its link to the one before and its own hash, in the current scheme. */
export function chainedEntry(
  cycleId: string,
  seq: number,
  prevHash: string,
  content: Omit<CycleHistoryEntity, 'cycleId' | 'seq' | 'prevHash' | 'hash' | 'hashScheme' | 'cycle'>,
): CycleHistoryEntity {
  const full = { cycleId, seq, ...content };
  return { ...full, prevHash, hash: chainHash(prevHash, full, CURRENT_HASH_SCHEME), hashScheme: CURRENT_HASH_SCHEME };
}
