import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Common passwords long enough to pass the length rule, from zxcvbn-ts's ranked list of common
 * passwords (a maintained package, not typed by hand), compared without regard to case.
 */
const COMMON: ReadonlySet<string> = new Set((dictionary['passwords-common'] as string[]).filter((p) => p.length >= MIN_PASSWORD_LENGTH));

/** Why a new password is refused (NCSC and NIST SP 800-63B: length, and not a known common one), or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be ${MAX_PASSWORD_LENGTH} characters or fewer`;
  if (COMMON.has(password.toLowerCase())) return 'is one of the most common passwords: choose one that is harder to guess';
  return undefined;
}
