/**
 * Telling people of a succession, in the app and by email as each chose, in the transaction that
 * changes it: when it is scheduled, changed, cancelled, carried out, or held by cycles whose rules
 * refused it on the date. Who is told: the predecessor's people (they move), the leads of its
 * successors and of every organisation sharing a partnership with it; when it is held, the
 * platform admins (who resume it) and the predecessor's leads.
 */
import { Injectable } from '@nestjs/common';
import { formatInTimeZone } from 'date-fns-tz';
import { AccountsService } from '@app/accounts';
import { Transactions } from '@app/database';
import { ENGLAND, joinNames } from '@app/domain';
import { TASK_NOTES, TASK_NOTIFICATIONS } from '@app/notifications/task-notifications.fragment';
import type { PartnershipOutcome, SuccessionEntity } from './succession.entity';

/** The notifications' kind (one for every notice of a succession). */
export const SUCCESSION_KIND = 'succession';

export type SuccessionNotice = 'scheduled' | 'changed' | 'cancelled' | 'done' | 'held';

/** "1 April 2028", in England. */
export const vestingDay = (at: Date): string => formatInTimeZone(at, ENGLAND, 'd MMMM yyyy');

/** "Northshire County Council becomes North Wold Council" (a split: "is split between A and B"). */
export const successionSentence = (predecessor: string, successors: string[]): string =>
  successors.length === 1 ? `${predecessor} becomes ${successors[0]}` : `${predecessor} is split between ${joinNames(successors)}`;

/** What each notice says. */
function noticeText(notice: SuccessionNotice, predecessor: string, successors: string[], at: Date, refused: { title: string; partnership: string; reason: string }[]): string {
  const sentence = successionSentence(predecessor, successors);
  switch (notice) {
    case 'scheduled':
      return `${sentence} on ${vestingDay(at)}. On that day its people, its seats in unfinished cycles and its place in its partnerships and agreements move; what it gave already stays given.`;
    case 'changed':
      return `The succession of ${predecessor} has changed: ${sentence} on ${vestingDay(at)}.`;
    case 'cancelled':
      return `The succession of ${predecessor} planned for ${vestingDay(at)} is cancelled: nothing moves.`;
    case 'done':
      return `${sentence} from ${vestingDay(at)}: its people, its seats in unfinished cycles and its place in its partnerships and agreements have moved.`;
    case 'held':
      return (
        `The succession of ${predecessor} is held: on ${vestingDay(at)} the rules of ${refused.length === 1 ? 'a cycle' : `${refused.length} cycles`} refused it (` +
        refused.map((r) => `“${r.title}” in ${r.partnership}: ${r.reason.replace(/\.$/, '')}`).join('; ') +
        `). It was carried out where the rules held; a platform admin resumes it once those cycles allow it.`
      );
  }
}

@Injectable()
export class SuccessionNotices {
  constructor(
    private readonly transactions: Transactions,
    private readonly accounts: AccountsService,
  ) {}

  /** Tells the people concerned, in the caller's transaction (once per succession, notice and revision). */
  async tell(succession: SuccessionEntity, notice: SuccessionNotice): Promise<void> {
    const m = this.transactions.manager;
    const successorIds = succession.successors.map((s) => s.organisationId);
    const refusedIn = Object.entries(succession.outcomes ?? {}).filter(([, o]) => o.state === 'refused') as [string, PartnershipOutcome][];
    const { organisations: names } = await this.accounts.namesOf([succession.predecessorOrganisationId, ...successorIds], []);
    const name = (id: string) => names.get(id) ?? 'an organisation';
    const partnershipNames = new Map<string, string>(
      refusedIn.length ? (await m.query(`SELECT id, name FROM partnerships WHERE id = ANY($1::uuid[])`, [refusedIn.map(([id]) => id)])).map((p: { id: string; name: string }) => [p.id, p.name]) : [],
    );
    const refused = refusedIn.flatMap(([pid, o]) => (o.refusals ?? []).map((r) => ({ title: r.title, reason: r.reason, partnership: partnershipNames.get(pid) ?? 'a partnership' })));
    const recipients: { id: string }[] =
      notice === 'held'
        ? await m.query(`SELECT id FROM users WHERE active AND (role = 'admin' OR (role = 'lead' AND organisation_id = $1)) ORDER BY id`, [succession.predecessorOrganisationId])
        : await m.query(
            `SELECT id FROM users u WHERE u.active AND u.role <> 'guest' AND (
               u.organisation_id = $1
               OR (u.role = 'lead' AND (u.organisation_id = ANY($2::uuid[]) OR u.organisation_id IN (
                 SELECT other.organisation_id FROM partnership_members mine
                   JOIN partnership_members other ON other.partnership_id = mine.partnership_id
                  WHERE mine.organisation_id = ANY(array_append($2::uuid[], $1::uuid))))))
             ORDER BY u.id`,
            [succession.predecessorOrganisationId, successorIds],
          );
    if (!recipients.length) return;
    const text = noticeText(notice, name(succession.predecessorOrganisationId), successorIds.map(name), succession.effectiveAt, refused);
    const notes = recipients.map((r) => ({
      user_id: r.id,
      kind: SUCCESSION_KIND,
      cycle_id: null,
      text,
      link: notice === 'held' ? '/admin/successions' : '/partnerships',
      task_key: null,
      dedupe_key: `${SUCCESSION_KIND}.${succession.id}.${succession.revision}.${notice}`,
    }));
    await m.query(TASK_NOTIFICATIONS(TASK_NOTES('$1')), [JSON.stringify(notes)]);
  }
}
