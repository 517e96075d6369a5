/** How an organisation is named for display: a dissolved one as "Former <name> (now <its current successors>)". */
export interface NamedOrganisation {
  id: string;
  name: string;
  dissolvedAt?: Date | null;
  successorOrganisationIds?: string[] | null;
}

/** "A", "A and B", "A, B and C". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The organisations that stand for `id` today: itself if it is not dissolved, otherwise the current
 * successors reached through a chain of successions (each listed once, in order, cycles ignored).
 */
export function currentSuccessors(id: string, byId: ReadonlyMap<string, NamedOrganisation>): NamedOrganisation[] {
  const found: NamedOrganisation[] = [];
  const seen = new Set<string>();
  const walk = (at: string): void => {
    if (seen.has(at)) return;
    seen.add(at);
    const organisation = byId.get(at);
    if (!organisation) return;
    const successors = organisation.successorOrganisationIds ?? [];
    if (!organisation.dissolvedAt || successors.length === 0) {
      if (at !== id) found.push(organisation);
      return;
    }
    for (const successor of successors) walk(successor);
  };
  walk(id);
  return found;
}

/** The display name of `id`: its name, or "Former <name> (now <successors>)" when dissolved. */
export function organisationDisplayName(id: string, byId: ReadonlyMap<string, NamedOrganisation>): string {
  const organisation = byId.get(id);
  if (!organisation) return id;
  if (!organisation.dissolvedAt) return organisation.name;
  const now = currentSuccessors(id, byId);
  if (now.length === 0) return `Former ${organisation.name}`;
  return `Former ${organisation.name} (now ${joinNames(now.map((o) => o.name))})`;
}
