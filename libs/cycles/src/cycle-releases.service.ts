/**
 * Personal texts released from cycles' histories (issue 34): one entry's field redacted by an
 * admin, or everything a person wrote erased with them. The sealed fields lose their text and salt
 * (their digests stay, so the chain verifies), the stored snapshot and texts lose the same texts,
 * and the release is itself an entry of each cycle's history (REDACTED, PERSONAL_DATA_ERASED).
 */
import { Inject, Injectable } from '@nestjs/common';
import { type Principal, isAdmin } from '@app/accounts';
import { CLOCK } from '@app/config';
import { Transactions, type JsonObject } from '@app/database';
import { type Actor, type Clock, CYCLE_PROSE_FIELDS, type CycleTexts, Forbidden, NotFound, type ReleasedEntry, ValidationFailed, releaseInJson, releaseInSnapshot, releaseInTexts } from '@app/domain';
import { ERASED, REDACTED, type Seals, redactionRequest, releaseFields, valueAt } from '@app/history';
import { WEBHOOK_DELIVERIES_RELEASED } from '@app/webhooks/webhook-deliveries.fragment';
import { CycleEventsService } from './cycle-events.service';
import { CycleQueriesService } from './cycle-queries.service';

/** An entry's row as the release reads it. */
interface SealedRow {
  cycle_id: string;
  seq: number;
  type: string;
  at: Date;
  payload: Record<string, unknown>;
  seals: Seals | null;
  hash_scheme: number;
}

/** What erasing a person did to the cycles: those touched, how many fields lost their text, and the entries of older schemes that keep theirs. */
export interface ErasedFromCycles {
  /** The cycles whose history lost texts of theirs (each gained a PERSONAL_DATA_ERASED entry). */
  cycleIds: string[];
  released: number;
  /** Entries they wrote under hash schemes 1–3, whose texts the chain itself commits to (see docs/data-protection.md). */
  retained: number;
}

/** The retention job acts for no one. */
const SYSTEM: Actor = { userId: null, organisationId: null, system: true };

@Injectable()
export class CycleReleasesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly events: CycleEventsService,
    private readonly queries: CycleQueriesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Redacts one field of one entry (admin): its text becomes "[redacted]" in the history and in
   * what the cycle shows, and a REDACTED entry records which field, by whom and why.
   */
  async redact(admin: Principal, cycleId: string, seq: number, input: { field?: unknown; reason?: unknown }): Promise<{ seq: number; field: string; redactedBySeq: number }> {
    const { field, pointer, reason } = redactionRequest(input, 'insight');
    if (!isAdmin(admin)) throw new Forbidden('Only an admin redacts a history entry.');
    await this.queries.get(admin, cycleId);
    return this.transactions.run(async () => {
      await this.events.lockForEntries([cycleId]);
      const [row] = await this.rows(`h.cycle_id = $1 AND h.seq = $2`, [cycleId, seq]);
      if (!row) throw new NotFound('history entry');
      const sealed = Object.keys(row.seals ?? {});
      if (!row.seals?.[pointer]) {
        const what = sealed.length ? `its personal fields are ${sealed.map((p) => p.slice(1)).join(', ')}` : 'it holds no personal text';
        throw new ValidationFailed([{ field: 'field', message: `entry ${seq} has no personal field ${field} to redact: ${what}` }]);
      }
      if (row.seals[pointer].salt === undefined) throw new ValidationFailed([{ field: 'field', message: `the field ${field} of entry ${seq} is already erased or redacted` }]);
      const actor = this.actorOf(admin);
      await this.release(cycleId, [{ row, pointers: [pointer] }], REDACTED, { actor, reason });
      await this.events.recordEntry(cycleId, { type: 'REDACTED', actor, payload: { fields: [{ seq, path: pointer }], reason }, at: this.clock.now() });
      const [{ version }]: { version: number }[] = await this.transactions.manager.query(`SELECT version FROM cycles WHERE id = $1`, [cycleId]);
      return { seq, field: pointer.slice(1), redactedBySeq: version };
    });
  }

  /**
   * Erases what `userId` wrote in every cycle's history, in the caller's transaction: each sealed
   * field of their entries becomes "[erased]", and each cycle touched gains a PERSONAL_DATA_ERASED
   * entry naming the fields, in `actor`'s name.
   */
  async eraseAuthor(userId: string, actor: Actor, reason: string): Promise<ErasedFromCycles> {
    const [{ retained }]: { retained: number }[] = await this.transactions.manager.query(
      `SELECT count(*)::int AS retained FROM cycle_history h WHERE h.actor_user_id = $1 AND h.hash_scheme < 4 AND h.type = ANY($2)`,
      [userId, Object.keys(CYCLE_PROSE_FIELDS)],
    );
    const cycleIds: string[] = (await this.transactions.manager.query(`SELECT DISTINCT h.cycle_id FROM cycle_history h WHERE h.actor_user_id = $1 AND h.seals IS NOT NULL ORDER BY 1`, [userId])).map(
      (r: { cycle_id: string }) => r.cycle_id,
    );
    await this.events.lockForEntries(cycleIds);
    let released = 0;
    const touched: string[] = [];
    for (const cycleId of cycleIds) {
      const rows = await this.rows(`h.cycle_id = $1 AND h.actor_user_id = $2 AND h.seals IS NOT NULL`, [cycleId, userId]);
      const fields = await this.eraseSealed(cycleId, rows, actor, reason, { userId });
      if (!fields) continue;
      released += fields;
      touched.push(cycleId);
    }
    return { cycleIds: touched, released, retained };
  }

  /**
   * Retention of closed (and cancelled) cycles' personal data (libs/data-protection): up to `limit` cycles ended
   * before `before` that still hold sealed texts have every one released ("[erased]"), each with a
   * PERSONAL_DATA_ERASED entry in the system's name. Answers how many cycles; idempotent.
   */
  async releaseClosedBefore(before: Date, limit: number, reason: string): Promise<number> {
    return this.transactions.run(async () => {
      const ids: string[] = (
        await this.transactions.manager.query(
          `SELECT c.id FROM cycles c
           WHERE c.state IN ('closed', 'cancelled')
             AND (SELECT max(h.at) FROM cycle_history h WHERE h.cycle_id = c.id AND h.to_state = c.state AND h.from_state IS DISTINCT FROM c.state) < $1
             AND EXISTS (SELECT 1 FROM cycle_history h WHERE h.cycle_id = c.id AND h.seals IS NOT NULL AND jsonb_path_exists(h.seals, '$.*.salt'))
           ORDER BY c.id LIMIT $2 FOR UPDATE OF c SKIP LOCKED`,
          [before, limit],
        )
      ).map((r: { id: string }) => r.id);
      for (const cycleId of ids) {
        await this.eraseSealed(cycleId, await this.rows(`h.cycle_id = $1 AND h.seals IS NOT NULL`, [cycleId]), SYSTEM, reason);
      }
      return ids.length;
    });
  }

  /**
   * Erases every field of `rows` (one cycle's entries) that still has its salt, and records the
   * PERSONAL_DATA_ERASED entry naming them (with `about` in its payload). Answers how many fields
   * (0: nothing was left, nothing recorded).
   */
  private async eraseSealed(cycleId: string, rows: SealedRow[], actor: Actor, reason: string, about: Record<string, unknown> = {}): Promise<number> {
    const items = rows
      .map((row) => ({
        row,
        pointers: Object.entries(row.seals ?? {})
          .filter(([, seal]) => seal.salt !== undefined)
          .map(([pointer]) => pointer),
      }))
      .filter((i) => i.pointers.length);
    if (!items.length) return 0;
    await this.release(cycleId, items, ERASED, { actor, reason });
    const fields = items.flatMap((i) => i.pointers.map((path) => ({ seq: i.row.seq, path })));
    await this.events.recordEntry(cycleId, { type: 'PERSONAL_DATA_ERASED', actor, payload: { ...about, fields, reason }, at: this.clock.now() });
    return fields.length;
  }

  /** Releases the fields of one cycle's entries and takes their texts out of its snapshot and texts (its row locked by the caller). */
  private async release(cycleId: string, items: { row: SealedRow; pointers: string[] }[], marker: typeof ERASED | typeof REDACTED, by: { actor: Actor; reason: string }): Promise<void> {
    const m = this.transactions.manager;
    const entries: ReleasedEntry[] = [];
    for (const { row, pointers } of items) {
      const next = releaseFields(row.payload, row.seals!, pointers, marker);
      await m.query(`UPDATE cycle_history SET payload = $3, seals = $4 WHERE cycle_id = $1 AND seq = $2`, [cycleId, row.seq, JSON.stringify(next.payload), JSON.stringify(next.seals)]);
      await m.query(WEBHOOK_DELIVERIES_RELEASED('$1', '$2', '$3::jsonb'), [cycleId, row.seq, JSON.stringify(next.payload)]);
      const texts = pointers.map((p) => valueAt(row.payload, p)).filter((t): t is string => typeof t === 'string');
      entries.push({ type: row.type, at: row.at.toISOString(), payload: row.payload, texts });
    }
    const [cycle]: { snapshot: JsonObject; texts: CycleTexts }[] = await m.query(
      `SELECT c.snapshot, COALESCE((SELECT json_object_agg(t.key, t.body) FROM cycle_texts t WHERE t.cycle_id = c.id), '{}') AS texts FROM cycles c WHERE c.id = $1`,
      [cycleId],
    );
    const snapshot = releaseInSnapshot(cycle.snapshot, entries, marker);
    await m.query(`UPDATE cycles SET snapshot = $2 WHERE id = $1`, [cycleId, JSON.stringify(snapshot)]);
    const texts = releaseInTexts(snapshot, cycle.texts, entries, marker);
    for (const [key, body] of Object.entries(texts)) await m.query(`UPDATE cycle_texts SET body = $3 WHERE cycle_id = $1 AND key = $2`, [cycleId, key, body]);
    // Only the cycle's last statement is carried into its next iteration (and on, through iterations that wrote none).
    const [{ last }]: { last: number | null }[] = await m.query(`SELECT max(seq) AS last FROM cycle_history WHERE cycle_id = $1 AND type = 'REVISE_PROBLEM'`, [cycleId]);
    const carried = entries.filter((e, i) => e.type === 'REVISE_PROBLEM' && items[i].row.seq === last).flatMap((e) => e.texts);
    await this.releaseInNext(cycleId, carried, entries, marker, by);
  }

  /**
   * What a cycle's next iteration copied from it: its last problem statement, carried as the first
   * revision (on through iterations that wrote no statement of their own: cycle.audit.ts), and its
   * learning (the next one's inherited learning). Released there too; each iteration changed
   * records the release with where it came from.
   */
  private async releaseInNext(cycleId: string, statements: string[], entries: ReleasedEntry[], marker: typeof ERASED | typeof REDACTED, by: { actor: Actor; reason: string }): Promise<void> {
    const m = this.transactions.manager;
    let from = cycleId;
    let learnings = entries.some((e) => e.type === 'RECORD_LEARNING');
    while (statements.length || learnings) {
      const [next]: { id: string | null }[] = await m.query(`SELECT next_cycle_id AS id FROM cycles WHERE id = $1`, [from]);
      if (!next?.id) return;
      await this.events.lockForEntries([next.id]);
      let changed = false;
      if (statements.length) {
        changed = (await m.query(`UPDATE cycle_texts SET body = $3 WHERE cycle_id = $1 AND key = $2 AND body = ANY($4) RETURNING 1`, [next.id, 'revision:1', marker, statements])).length > 0;
        const [{ own }]: { own: boolean }[] = await m.query(`SELECT EXISTS (SELECT 1 FROM cycle_history WHERE cycle_id = $1 AND type = 'REVISE_PROBLEM') AS own`, [next.id]);
        if (!changed || own) statements = [];
      }
      if (learnings) {
        const [row]: { inherited: JsonObject | null }[] = await m.query(`SELECT inherited_learning AS inherited FROM cycles WHERE id = $1`, [next.id]);
        const released = row?.inherited ? releaseInJson(row.inherited, entries, marker) : null;
        if (released && JSON.stringify(released) !== JSON.stringify(row.inherited)) {
          await m.query(`UPDATE cycles SET inherited_learning = $2 WHERE id = $1`, [next.id, JSON.stringify(released)]);
          changed = true;
        }
        // Only the next iteration inherits a cycle's learning.
        learnings = false;
      }
      if (!changed) return;
      const type = marker === ERASED ? 'PERSONAL_DATA_ERASED' : 'REDACTED';
      await this.events.recordEntry(next.id, { type, actor: by.actor, payload: { fields: [], carriedFrom: cycleId, reason: by.reason }, at: this.clock.now() });
      from = next.id;
    }
  }

  private async rows(where: string, params: unknown[]): Promise<SealedRow[]> {
    return this.transactions.manager.query(`SELECT h.cycle_id, h.seq, h.type, h.at, h.payload, h.seals, h.hash_scheme FROM cycle_history h WHERE ${where} ORDER BY h.seq`, params);
  }

  private actorOf(principal: Principal): Actor {
    return { userId: principal.userId, organisationId: principal.organisationId, representative: false };
  }
}
