/** Which new passwords are refused: too short, too long, or a known common one. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Common passwords long enough to pass the length rule, from zxcvbn-ts's ranked list of common
 * passwords (a maintained package, not typed by hand), compared without regard to case. Read when
 * first needed, keeping only those few hundred: the package's dictionaries hold 14 MB otherwise.
 */
let common: ReadonlySet<string> | undefined;
function commonPasswords(): ReadonlySet<string> {
  if (!common) {
    const path = require.resolve('@zxcvbn-ts/language-common');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { dictionary } = require(path) as typeof import('@zxcvbn-ts/language-common');
    common = new Set((dictionary['passwords-common'] as string[]).filter((p) => p.length >= MIN_PASSWORD_LENGTH));
    for (const key of Object.keys(require.cache)) if (key.includes('@zxcvbn-ts/language-common')) delete require.cache[key];
  }
  return common;
}

/** Why a new password is refused (NCSC and NIST SP 800-63B: length, and not a known common one), or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be ${MAX_PASSWORD_LENGTH} characters or fewer`;
  if (commonPasswords().has(password.toLowerCase())) return 'is one of the most common passwords: choose one that is harder to guess';
  return undefined;
}
