import { createHash } from 'node:crypto';

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
  at: Date;
}

/** JSON with object keys sorted at every depth, so that PostgreSQL's jsonb reordering of keys
 *  does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous entry's hash and this entry's own content. */
export function chainHash(prevHash: string, content: ChainedContent): string {
  const body = canonicalJson({ ...content, at: content.at.toISOString() });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export type ChainVerdict = { intact: true; length: number } | { intact: false; brokenAtSeq: number; length: number };

/** Walks the chain in order; the first entry whose link or hash does not hold is where it breaks. */
export function verifyChain(entries: (ChainedContent & { prevHash: string; hash: string })[]): ChainVerdict {
  let prev = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    const { prevHash, hash, ...content } = entry;
    if (entry.seq !== index + 1 || prevHash !== prev || chainHash(prevHash, content) !== hash) {
      return { intact: false, brokenAtSeq: index + 1, length: entries.length };
    }
    prev = hash;
  }
  return { intact: true, length: entries.length };
}
