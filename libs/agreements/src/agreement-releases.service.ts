/**
 * A person's erasure in the agreements' histories (UK GDPR article 17): what they said for their
 * organisation (a position, an objection, a reason to reopen) is released from their entries of
 * hash scheme 4 and from the agreement's snapshot, and each agreement touched records a
 * PERSONAL_DATA_ERASED entry naming the fields; the chain keeps the digests and still verifies.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '@app/config';
import { AGREEMENT_ERASED_FIELDS, type Actor, type Clock, Forbidden, NotFound, ValidationFailed, freeTextTypes } from '@app/domain';
import { type Principal, isAdmin } from '@app/accounts';
import { Transactions, type JsonObject } from '@app/database';
import { ERASED, REDACTED, type Seals, actorColumns, redactionRequest, releaseFields, valueAt } from '@app/history';
import { AGREEMENT_HISTORY } from './agreements.service';

/** What an erasure did in the agreements' histories. */
export interface ErasedFromAgreements {
  /** The partnerships whose agreement's history recorded the erasure. */
  partnershipIds: string[];
  released: number;
  /** Their entries of hash scheme 3, whose texts the chain commits to and which stay. */
  retained: number;
}

interface SealedRow {
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  seals: Seals;
}

/** The snapshot's fields that copy what a person said (agreement.machine.ts: positions, objections, reopenings). */
const SNAPSHOT_PROSE_KEYS = ['whatsInItForUs', 'concerns', 'reason'];

@Injectable()
export class AgreementReleasesService {
  constructor(
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Redacts one sealed field of one entry of the agreement's history (an admin's act, with a reason):
   * its text becomes "[redacted]" in the entry and in the agreement's snapshot, and a REDACTED entry
   * records which field, by whom and why. The same rules and answers as a cycle's redaction.
   */
  async redact(admin: Principal, partnershipId: string, seq: number, input: { field?: unknown; reason?: unknown }): Promise<{ seq: number; field: string; redactedBySeq: number }> {
    const { field, pointer, reason } = redactionRequest(input, 'reason');
    if (!isAdmin(admin)) throw new Forbidden('Only an admin redacts a history entry.');
    return this.transactions.run(async () => {
      const m = this.transactions.manager;
      const locked = await AGREEMENT_HISTORY.lock<{ state: string; snapshot: JsonObject }>(m, partnershipId, ['state', 'snapshot']);
      if (!locked) throw new NotFound('agreement');
      const [row]: SealedRow[] = await m.query(`SELECT h.seq, h.type, h.payload, h.seals FROM agreement_history h WHERE h.partnership_id = $1 AND h.seq = $2`, [partnershipId, seq]);
      if (!row) throw new NotFound('history entry');
      const sealed = Object.keys(row.seals ?? {});
      if (!row.seals?.[pointer]) {
        const what = sealed.length ? `its personal fields are ${sealed.map((p) => p.slice(1)).join(', ')}` : 'it holds no personal text';
        throw new ValidationFailed([{ field: 'field', message: `entry ${seq} has no personal field ${field} to redact: ${what}` }]);
      }
      if (row.seals[pointer].salt === undefined) throw new ValidationFailed([{ field: 'field', message: `the field ${field} of entry ${seq} is already erased or redacted` }]);
      const text = valueAt(row.payload, pointer);
      const next = releaseFields(row.payload, row.seals, [pointer], REDACTED);
      await m.query(`UPDATE agreement_history SET payload = $3, seals = $4 WHERE partnership_id = $1 AND seq = $2`, [partnershipId, seq, JSON.stringify(next.payload), JSON.stringify(next.seals)]);
      const snapshot = releaseInSnapshot(locked.row.snapshot, new Set(typeof text === 'string' ? [text] : []), REDACTED, true);
      const { state } = locked.row;
      const actor = { userId: admin.userId, organisationId: admin.organisationId, representative: false };
      const [entry] = await AGREEMENT_HISTORY.append(
        m,
        partnershipId,
        locked.head,
        [{ type: 'REDACTED', ...actorColumns(actor), fromState: state, toState: state, payload: { fields: [{ seq, path: pointer }], reason }, at: this.clock.now() }],
        { snapshot },
      );
      return { seq, field: pointer.slice(1), redactedBySeq: entry.seq };
    });
  }

  /** Erases what `userId` said in every agreement's history, in the caller's transaction, in `actor`'s name. */
  async eraseAuthor(userId: string, actor: Actor, reason: string): Promise<ErasedFromAgreements> {
    const m = this.transactions.manager;
    const types = freeTextTypes(AGREEMENT_ERASED_FIELDS);
    const [{ retained }]: { retained: number }[] = await m.query(`SELECT count(*)::int AS retained FROM agreement_history h WHERE h.actor_user_id = $1 AND h.hash_scheme < 4 AND h.type = ANY($2)`, [
      userId,
      types,
    ]);
    const ids: string[] = (
      await m.query(`SELECT DISTINCT h.partnership_id FROM agreement_history h WHERE h.actor_user_id = $1 AND h.type = ANY($2) AND jsonb_path_exists(h.seals, '$.*.salt') ORDER BY 1`, [userId, types])
    ).map((r: { partnership_id: string }) => r.partnership_id);
    let released = 0;
    const touched: string[] = [];
    for (const partnershipId of ids) {
      const locked = await AGREEMENT_HISTORY.lock<{ state: string; snapshot: JsonObject }>(m, partnershipId, ['state', 'snapshot']);
      if (!locked) continue;
      const rows: SealedRow[] = await m.query(
        `SELECT h.seq, h.type, h.payload, h.seals FROM agreement_history h WHERE h.partnership_id = $1 AND h.actor_user_id = $2 AND h.type = ANY($3) AND h.seals IS NOT NULL ORDER BY h.seq`,
        [partnershipId, userId, types],
      );
      const fields: { seq: number; path: string }[] = [];
      const texts = new Set<string>();
      for (const row of rows) {
        const pointers = Object.entries(row.seals)
          .filter(([, seal]) => seal.salt !== undefined)
          .map(([pointer]) => pointer);
        if (!pointers.length) continue;
        for (const p of pointers) {
          const text = valueAt(row.payload, p);
          if (typeof text === 'string') texts.add(text);
        }
        const next = releaseFields(row.payload, row.seals, pointers, ERASED);
        await m.query(`UPDATE agreement_history SET payload = $3, seals = $4 WHERE partnership_id = $1 AND seq = $2`, [
          partnershipId,
          row.seq,
          JSON.stringify(next.payload),
          JSON.stringify(next.seals),
        ]);
        fields.push(...pointers.map((path) => ({ seq: row.seq, path })));
      }
      if (!fields.length) continue;
      const snapshot = releaseInSnapshot(locked.row.snapshot, texts);
      const { state } = locked.row;
      await AGREEMENT_HISTORY.append(
        m,
        partnershipId,
        locked.head,
        [{ type: 'PERSONAL_DATA_ERASED', ...actorColumns(actor), fromState: state, toState: state, payload: { userId, fields, reason }, at: this.clock.now() }],
        { snapshot },
      );
      released += fields.length;
      touched.push(partnershipId);
    }
    return { partnershipIds: touched, released, retained };
  }
}

/**
 * The snapshot with each of the prose fields that copies one of `texts` made `marker` (a copy): the
 * positions' and reasons' fields, and with `everywhere` (a redaction) any text of it, such as a
 * version's destination or principle.
 */
export function releaseInSnapshot(snapshot: JsonObject, texts: Set<string>, marker: typeof ERASED | typeof REDACTED = ERASED, everywhere = false): JsonObject {
  const walk = (node: unknown, key?: string): unknown => {
    if (typeof node === 'string') return (everywhere || (key !== undefined && SNAPSHOT_PROSE_KEYS.includes(key))) && texts.has(node) ? marker : node;
    if (Array.isArray(node)) return node.map((item) => walk(item, key));
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([k, value]) => [k, walk(value, k)]));
  };
  return walk(snapshot) as JsonObject;
}
