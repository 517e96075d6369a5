/** What the catalogue's stages share: common field schemas, the `stay` route, the caps, the directory's refusals. */
import { z } from 'zod';
import type { Directory, Team } from '../cycle.people';
import { teamProblems } from '../cycle.people';
import { prose, text } from '../event-definition';

export const who = (event: { actor: { organisationId: string | null; userId: string | null }; at: string }) => ({
  organisationId: event.actor.organisationId!,
  userId: event.actor.userId!,
  at: event.at,
});
export const reasonField = (missing = 'Enter the reason') => prose(5000, missing, 'The reason');
/** An amount of money in whole pence (never floats), up to £100 billion. */
export const pence = (missing: string) => z.int({ error: missing }).min(0, 'Enter an amount of £0 or more').max(10_000_000_000_000, 'Enter an amount below £100,000,000,000');
/** On-the-table items of members' declarations an option uses. */
export const tableItemsField = z.array(z.strictObject({ organisationId: z.uuid({ error: 'Choose the organisation' }), item: text(500, 'Choose the item', 'The item') })).max(100);
export function tableItemsRefuse(items: { organisationId: string; item: string }[] | undefined, directory: Directory | undefined): string | undefined {
  const names = directory?.organisationNames ?? {};
  const missing = (items ?? []).find((t) => !(directory?.onTheTable?.[t.organisationId] ?? []).includes(t.item));
  return missing ? `“${missing.item}” is not on the table of ${names[missing.organisationId] ?? missing.organisationId}: an option uses what members have declared.` : undefined;
}
/** A route that stays in its state and records the entry's effect. */
export const stay = { effect: 'record' } as const;

/**
 * The most revisions of its problem and options one cycle may hold: far more than people write
 * (the bench's oldest cycle has 200 and 300), and a bound on what every read of the cycle carries.
 * Beyond, the next iteration starts afresh.
 */
export const CYCLE_CAPS = { revisions: 500, options: 1000 } as const;

/** The directory the service looked up for an entry that asks for one (`directory: true`). */
export function directoryOf(event: { type: string; directory?: Directory }): Directory {
  if (!event.directory) throw new Error(`${event.type} is decided with the partnership's directory, which the service did not give`);
  return event.directory;
}
/** Field problems as sentences (a message that starts with an id keeps it as it is). */
export const sentences = (problems: { message: string }[]) => problems.map((p) => `${capitalised(p.message)}.`).join(' ');
export const capitalised = (message: string) => (/^[a-z]+ /.test(message) ? message.charAt(0).toUpperCase() + message.slice(1) : message);
/** Only the problems of these fields, as one refusal. */
export const refusalOf = (team: Team, directory: Directory, fields: string[]) => sentences(teamProblems(team, directory).filter((p) => fields.includes(p.field))) || undefined;
