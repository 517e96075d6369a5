/** RFC 5321's limit on a forward path, less its angle brackets: no longer address can receive mail. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * One spelling of an email address for lookups, limits and storage: compatibility characters
 * folded (NFKC: a full-width "Ａ" is an "A"), surrounding spaces dropped, lower case.
 */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/** Something, an @, and a domain with a dot; no spaces and no second @. Linear in the input. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/**
 * Whether this looks like an email address. The length is checked before any pattern, so that
 * a megabyte of input costs a comparison, not a regular expression's backtracking.
 */
export function isEmailAddress(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL_SHAPE.test(value);
}
