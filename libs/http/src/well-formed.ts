/** Refusing text that is not well-formed (bad UTF-8, lone surrogates) at the edge of both apps. */
import { isUtf8 } from 'node:buffer';
import { ValidationFailed } from '@app/domain';

/**
 * Text that is not well-formed is refused at the edge of both apps, before any validation: bytes
 * that are not UTF-8 (invalid, overlong, truncated, encoded surrogates) and strings holding a lone
 * UTF-16 surrogate (which JSON can carry as `\ud800`). PostgreSQL refuses such text in the
 * statement that would store it, and that statement may carry other people's writes too.
 */

/** The refusal of text that is not well-formed, naming where it was (a field, `body` or `address`): 400 in both apps. */
export const notWellFormed = (fields: string[]): ValidationFailed =>
  new ValidationFailed(
    fields.map((field) => ({ field, message: 'is not well-formed text' })),
    'The request holds text that is not well-formed (not UTF-8, or a lone UTF-16 surrogate).',
  );

/** The dotted path of each string (or key) in a parsed body that holds a lone surrogate. */
export function illFormedFields(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.isWellFormed() ? [] : [path || 'body'];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const at = path ? `${path}.${key}` : key;
    return [...(key.isWellFormed() ? [] : [at]), ...illFormedFields(inner, at)];
  });
}

/** Whether a JSON text may hold an escaped surrogate (`\ud800`…`\udfff`): only then need its values be looked at. */
export const mayEscapeSurrogates = (json: string): boolean => /\\u[dD][89a-fA-F]/.test(json);

const HEX = /^[0-9a-fA-F]{2}$/;

/**
 * Whether bytes that may be percent-encoded (an address, an `application/x-www-form-urlencoded`
 * body) are UTF-8 once decoded. A `%` not followed by two hex digits stays as it is (as the
 * parsers read it).
 */
export function wellFormedEncoded(bytes: Buffer): boolean {
  if (!bytes.includes(0x25)) return isUtf8(bytes);
  const decoded = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes[i] === 0x25 ? bytes.toString('latin1', i + 1, i + 3) : '';
    if (HEX.test(hex)) {
      decoded[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      decoded[n++] = bytes[i];
    }
  }
  return isUtf8(decoded.subarray(0, n));
}

/** The same for an address as Node gives it (ASCII only: Node refuses any other byte in it). */
export const wellFormedUrl = (url: string): boolean => !url.includes('%') || wellFormedEncoded(Buffer.from(url, 'latin1'));
