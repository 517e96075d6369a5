/** Which roles one process runs: the all-in-one process's command line, read and checked. */

export const ROLES = ['api', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The roles named (`api web worker`, or one comma-separated word as ROLES spells them), each once
 * and in the order they start; none named is all three.
 */
export function parseRoles(args: string[]): Role[] {
  const named = args
    .flatMap((arg) => arg.split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = named.filter((name) => !(ROLES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown role ${unknown.join(', ')}: the roles are ${ROLES.join(', ')}`);
  return named.length ? ROLES.filter((role) => named.includes(role)) : [...ROLES];
}
