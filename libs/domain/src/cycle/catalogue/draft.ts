/** The draft: launching it, and editing its title, co-owners, panel, facilitators and outcomes before then. */
import { z } from 'zod';
import { CO_OWNER_ROLES, CoOwner, CycleContext } from '../cycle.types';
import { ROLE_FIELDS, Team, coOwnerIds, teamProblems } from '../cycle.people';
import { defineEvent, ids, text } from '../event-definition';
import { directoryOf, sentences, stay } from './shared';
import { succeededRefuses } from '../cycle.rules';

export const LAUNCH = defineEvent({
  type: 'LAUNCH',
  label: 'Launched the cycle',
  fields: z.strictObject({}),
  who: { kind: 'commissioner', doing: 'launch it' },
  routes: { draft: { to: 'framing', effect: 'none' } },
  rule: (c) => launchRefuses(c),
  offered: (c) => launchRefuses(c) === undefined,
});

function launchRefuses(c: CycleContext): string | undefined {
  if (!c.coOwners.some((o) => o.role !== 'commissioner')) {
    return 'A cycle owned by commissioners alone is not collaborative: it needs at least one provider or community co-owner.';
  }
  if (c.panelUserIds.length === 0) return 'The cycle needs at least one review panel member before it is launched.';
  return undefined;
}

const draftFields = {
  title: text(300, 'Enter a title for the cycle', 'The title').optional(),
  commissionerOrganisationIds: ids('commissioners').optional(),
  providerOrganisationIds: ids('providers').optional(),
  communityOrganisationIds: ids('community organisations').optional(),
  panelUserIds: ids('panel members').optional(),
  facilitatorUserIds: ids('facilitators').optional(),
  outcomeIds: ids('outcomes').optional(),
};
type DraftEdit = { [K in keyof typeof draftFields]?: K extends 'title' ? string : string[] };

/** The team a draft's edit leaves: each list sent replaces the one it names; the rest stay. */
function editedTeam(c: CycleContext, e: DraftEdit): Team {
  const coOwners: CoOwner[] = CO_OWNER_ROLES.flatMap((role) => [...new Set(e[ROLE_FIELDS[role]] ?? coOwnerIds(c, role))].map((organisationId) => ({ organisationId, role })));
  return {
    coOwners,
    panelUserIds: [...new Set(e.panelUserIds ?? c.panelUserIds)],
    facilitatorUserIds: [...new Set(e.facilitatorUserIds ?? c.facilitatorUserIds)],
  };
}

export const EDIT_DRAFT = defineEvent({
  type: 'EDIT_DRAFT',
  label: 'Edited the draft',
  fields: z.strictObject(draftFields).refine((e) => Object.values(e).some((v) => v !== undefined), { message: 'Change at least one thing', path: ['title'] }),
  who: { kind: 'commissioner', doing: 'edit the draft' },
  routes: { draft: stay },
  directory: true,
  // The parts sent are checked (a title alone always saves), and neutrality whenever co-owners or facilitators change.
  rule: (c, e) => {
    const directory = directoryOf(e);
    const team = editedTeam(c, e);
    const sent = (Object.keys(draftFields) as (keyof typeof draftFields)[]).filter((field) => e[field] !== undefined);
    const checked = new Set<string>(sent);
    if (sent.some((field) => field.endsWith('OrganisationIds'))) [...Object.values(ROLE_FIELDS), 'facilitatorUserIds'].forEach((f) => checked.add(f));
    const succeeded = succeededRefuses(c, coOwnerIds(team), (id) => directory.organisationNames?.[id] ?? id);
    if (succeeded) return succeeded;
    const problems = teamProblems(team, directory).filter((p) => checked.has(p.field));
    const unknown = (e.outcomeIds ?? []).filter((o) => !directory.outcomes[o]);
    if (unknown.length) problems.push({ field: 'outcomeIds', message: `not outcomes of this partnership: ${unknown.join(', ')}` });
    if (!problems.length && !team.coOwners.some((o) => o.organisationId === e.actor.organisationId && o.role === 'commissioner')) {
      return 'Your organisation would no longer be a commissioner of the cycle: another of its commissioners may take it out.';
    }
    return sentences(problems) || undefined;
  },
  effect: (c, e) => {
    const outcomeIds = e.outcomeIds ? [...new Set(e.outcomeIds)] : c.outcomeIds;
    const metrics = e.outcomeIds ? outcomeIds.flatMap((outcomeId) => (directoryOf(e).outcomes[outcomeId] ?? []).map((m) => ({ id: m.id, name: m.name, outcomeId }))) : c.metrics;
    return { ...c, ...editedTeam(c, e), outcomeIds, metrics };
  },
  title: (e) => e.title?.trim(),
});
