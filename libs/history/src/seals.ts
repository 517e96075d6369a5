/**
 * Personal data sealed out of the chain (hash scheme 4): each personal field of an entry's payload
 * is hashed as a salted digest, so the text and its salt can be erased and the chain still verifies.
 */
import { createHash, randomFillSync } from 'node:crypto';
import canonicalize from 'canonicalize';

/** What stands in a payload for a text that was erased with its person, or redacted by an admin. */
export const ERASED = '[erased]';
export const REDACTED = '[redacted]';
const MARKERS: readonly unknown[] = [ERASED, REDACTED];

/**
 * One sealed field: the digest the chain commits to, and the salt that proves the text beside it
 * is the one written. An erased or redacted field has no salt left (its text is a marker).
 */
export interface Seal {
  digest: string;
  salt?: string;
}
/** An entry's seals by the field's JSON Pointer into its payload (RFC 6901: `/insight`, `/pledges/0/description`). */
export type Seals = Record<string, Seal>;

/** The placeholder a sealed field's value is hashed as. */
export const SEALED_KEY = '$sealed';

/** SHA-256 over the salt, a newline and the value's RFC 8785 JSON (hex). */
export function sealDigest(salt: string, value: unknown): string {
  return createHash('sha256')
    .update(salt)
    .update('\n')
    .update(canonicalize(value) ?? 'null')
    .digest('hex');
}

const SALT_BYTES = 16;
/** Random bytes salts are cut from, 256 salts' worth at a time (as Node's randomUUID buffers its own). */
const saltPool = Buffer.alloc(SALT_BYTES * 256);
let saltOffset = saltPool.length;

/**
 * A new salt: 16 random bytes as hex. One call into the system's generator for 256 of them, where
 * one each cost 1.5% of the API's CPU under the write load (a progress note is sealed).
 */
export function newSalt(): string {
  if (saltOffset === saltPool.length) {
    randomFillSync(saltPool);
    saltOffset = 0;
  }
  saltOffset += SALT_BYTES;
  return saltPool.toString('hex', saltOffset - SALT_BYTES, saltOffset);
}

/** Seals the payload's fields at `pointers` (those holding a value), each with a salt of its own. */
export function sealFields(payload: Record<string, unknown>, pointers: string[], salt: () => string = newSalt): Seals | undefined {
  const seals: Seals = {};
  for (const pointer of pointers) {
    const value = valueAt(payload, pointer);
    if (value === undefined) continue;
    const s = salt();
    seals[pointer] = { digest: sealDigest(s, value), salt: s };
  }
  return Object.keys(seals).length ? seals : undefined;
}

/** The payload as it is hashed: each sealed field replaced by `{ "$sealed": digest }` (a copy; the payload is not changed). */
export function sealedPayload(payload: Record<string, unknown>, seals: Seals | undefined): Record<string, unknown> {
  if (!seals || !Object.keys(seals).length) return payload;
  const copy = structuredClone(payload);
  // A field no longer there (the payload was changed behind the application) is left out: the hash will not hold.
  for (const [pointer, seal] of Object.entries(seals)) if (valueAt(copy, pointer) !== undefined) setAt(copy, pointer, { [SEALED_KEY]: seal.digest });
  return copy;
}

/**
 * Checks the payload's sealed fields: one with its salt must be the text its digest sealed; one
 * without (erased or redacted) must hold a marker. Answers the first problem, if any, and the
 * pointers of the released fields (each must be named by a later erasure or redaction entry).
 */
export function checkSeals(seq: number, payload: Record<string, unknown>, seals: Seals | undefined): { problem?: string; released: string[] } {
  const released: string[] = [];
  for (const [pointer, seal] of Object.entries(seals ?? {})) {
    const value = valueAt(payload, pointer);
    if (typeof seal !== 'object' || seal === null || typeof seal.digest !== 'string' || (seal.salt !== undefined && typeof seal.salt !== 'string')) {
      return { problem: `Entry ${seq}'s seal of ${pointer} is not a digest with or without its salt.`, released };
    }
    if (seal.salt !== undefined) {
      if (sealDigest(seal.salt, value) !== seal.digest) return { problem: `Entry ${seq} was changed after it was written: its field ${pointer} is not the text it sealed.`, released };
    } else if (!MARKERS.includes(value)) {
      return { problem: `Entry ${seq}'s field ${pointer} lost its seal's salt but still holds a text.`, released };
    } else {
      released.push(pointer);
    }
  }
  return { released };
}

/** Why a released field is not accounted for: no erasure or redaction entry named it. */
export const unexplainedRelease = (key: string, seq: number): string => `Entry ${seq}'s field ${key.slice(String(seq).length)} was erased, but no erasure or redaction entry of the history names it.`;

/** The payload and seals with the fields at `pointers` released: each text replaced by `marker`, its salt dropped (the digest stays). */
export function releaseFields(payload: Record<string, unknown>, seals: Seals, pointers: string[], marker: typeof ERASED | typeof REDACTED): { payload: Record<string, unknown>; seals: Seals } {
  const nextPayload = structuredClone(payload);
  const nextSeals: Seals = { ...seals };
  for (const pointer of pointers) {
    const seal = seals[pointer];
    if (!seal) throw new Error(`The field ${pointer} is not sealed`);
    setAt(nextPayload, pointer, marker);
    nextSeals[pointer] = { digest: seal.digest };
  }
  return { payload: nextPayload, seals: nextSeals };
}

/** The fields an erasure or redaction entry releases, as its payload names them: `fields: [{ seq, path }]`. */
export function releasedBy(payload: Record<string, unknown>): { seq: number; path: string }[] {
  const fields = payload.fields;
  if (!Array.isArray(fields)) return [];
  return fields.filter((f): f is { seq: number; path: string } => typeof f === 'object' && f !== null && typeof f.seq === 'number' && typeof f.path === 'string');
}

/** The entry types whose payload's `fields` release sealed fields of earlier entries. */
export const RELEASING_TYPES: readonly string[] = ['PERSONAL_DATA_ERASED', 'REDACTED'];

// ----- JSON Pointers (RFC 6901), over plain objects and arrays ----------------------------------

const tokensOf = (pointer: string): string[] => {
  if (!pointer.startsWith('/')) throw new Error(`${pointer} is not a JSON Pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
};

/** The value at `pointer` (undefined when there is none). */
export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of tokensOf(pointer)) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const tokens = tokensOf(pointer);
  let node: unknown = root;
  for (const token of tokens.slice(0, -1)) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, token)) throw new Error(`Nothing is at ${pointer}`);
    node = (node as Record<string, unknown>)[token];
  }
  const last = tokens[tokens.length - 1];
  if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, last)) throw new Error(`Nothing is at ${pointer}`);
  (node as Record<string, unknown>)[last] = value;
}

/** The pointer of a path of keys (`['pledges', 0, 'description']` → `/pledges/0/description`). */
export const pointerOf = (path: (string | number)[]): string => path.map((t) => `/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
