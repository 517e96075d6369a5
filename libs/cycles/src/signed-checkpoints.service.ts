/** The daily signed checkpoint: every chain's new head signed with the audit key, once per day. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK } from '@app/config';
import type { Clock } from '@app/domain';
import { AuditSigningKey, dayStatement, headStatement, headsDigest, signStatement } from './audit-signing';
import { HistoryAuditService } from './history-audit.service';
import type { QueryRow } from '@app/database';

/** One chain's head as signed on a day: the statement is what the signature covers. */
export interface SignedHead {
  kind: 'cycle' | 'agreement';
  id: string;
  seq: number;
  hash: string;
  day: string;
  keyId: string;
  statement: string;
  signature: string;
}

/** A day's signed checkpoint: how many chains, the digest of their newest signed heads, signed. */
export interface SignedDay {
  day: string;
  signedAt: string;
  keyId: string;
  publicKey: string;
  chains: number;
  digest: string;
  statement: string;
  signature: string;
}

const DAY_COLUMNS = `to_char(day, 'YYYY-MM-DD') AS day, signed_at, key_id, public_key, chains, digest, statement, signature`;
const HEAD_COLUMNS = `kind, chain_id AS id, seq, hash, to_char(day, 'YYYY-MM-DD') AS day, key_id, statement, signature`;

const dayOf = (r: QueryRow): SignedDay => ({
  day: r.day,
  signedAt: new Date(r.signed_at).toISOString(),
  keyId: r.key_id,
  publicKey: r.public_key,
  chains: r.chains,
  digest: r.digest,
  statement: r.statement,
  signature: r.signature,
});
const headOf = (r: QueryRow): SignedHead => ({ kind: r.kind, id: r.id, seq: r.seq, hash: r.hash, day: r.day, keyId: r.key_id, statement: r.statement, signature: r.signature });

/**
 * The daily signed checkpoint (docs/security.md): every chain's head that is not signed yet is
 * signed with the audit key, a cycle's only once its chain verifies (a broken one keeps its last
 * signed head), and the day's statement names the digest of every chain's newest signed head.
 * Idempotent per day: a day already signed is left as it is.
 */
@Injectable()
export class SignedCheckpointsService {
  private readonly logger = new Logger('SignedCheckpoints');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly key: AuditSigningKey,
    private readonly audit: HistoryAuditService,
  ) {}

  /** Today, in UTC, as the checkpoints name days. */
  today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  /** Signs `day` (today by default) unless it is signed already; null when there is no key to sign with. */
  async signDay(day = this.today()): Promise<SignedDay | null> {
    const key = this.key.get();
    if (!key?.privateKey) return null;
    const done = await this.day(day);
    if (done) return done;
    const sign = (kind: SignedHead['kind'], id: string, seq: number, hash: string) => {
      const statement = headStatement({ kind, id, seq, hash, day, keyId: key.keyId });
      return { kind, id, seq, hash, statement, signature: signStatement(key, statement) };
    };
    // Cycles whose head is not signed yet, verified first (from their checkpoint: quick when little is new).
    const cycles: { id: string }[] = await this.dataSource.query(
      `SELECT c.id FROM cycles c WHERE NOT EXISTS (SELECT 1 FROM signed_heads s WHERE s.kind = 'cycle' AND s.chain_id = c.id AND s.seq = c.version AND s.hash = c.history_hash) ORDER BY c.id`,
    );
    const heads: ReturnType<typeof sign>[] = [];
    for (const { id } of cycles) {
      const verdict = await this.audit.verify(id);
      if (!verdict?.intact) {
        this.logger.error(`Cycle ${id}'s head is not signed on ${day}: its history does not verify at entry ${verdict?.intact === false ? verdict.brokenAtSeq : '?'}`);
        continue;
      }
      const [k]: { seq: number; hash: string }[] = await this.dataSource.query(`SELECT seq, hash FROM history_checkpoints WHERE cycle_id = $1`, [id]);
      if (k) heads.push(sign('cycle', id, k.seq, k.hash));
    }
    const agreements: { id: string; version: number; hash: string }[] = await this.dataSource.query(
      `SELECT a.partnership_id AS id, a.version, a.history_hash AS hash FROM agreements a
       WHERE NOT EXISTS (SELECT 1 FROM signed_heads s WHERE s.kind = 'agreement' AND s.chain_id = a.partnership_id AND s.seq = a.version AND s.hash = a.history_hash)`,
    );
    for (const a of agreements) heads.push(sign('agreement', a.id, a.version, a.hash));
    for (let i = 0; i < heads.length; i += 1000) {
      const batch = heads.slice(i, i + 1000);
      await this.dataSource.query(
        `INSERT INTO signed_heads (kind, chain_id, seq, hash, day, key_id, statement, signature)
         SELECT h.kind, h.id, h.seq, h.hash, $2::date, $3, h.statement, h.signature FROM json_to_recordset($1::json) AS h(kind text, id uuid, seq int, hash text, statement text, signature text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(batch), day, key.keyId],
      );
    }
    const newest: { kind: string; id: string; seq: number; hash: string }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (kind, chain_id) kind, chain_id::text AS id, seq, hash FROM signed_heads ORDER BY kind, chain_id, seq DESC`,
    );
    const digest = headsDigest(newest.map((h) => [h.kind, h.id, h.seq, h.hash]));
    const statement = dayStatement({ day, chains: newest.length, digest, keyId: key.keyId });
    await this.dataSource.query(
      `INSERT INTO signed_checkpoints (day, signed_at, key_id, public_key, chains, digest, statement, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [day, this.clock.now(), key.keyId, key.publicKeyPem, newest.length, digest, statement, signStatement(key, statement)],
    );
    this.logger.log(`Signed the checkpoint of ${day}: ${heads.length} new heads, ${newest.length} chains`);
    return this.day(day);
  }

  async day(day: string): Promise<SignedDay | null> {
    const [row] = await this.dataSource.query(`SELECT ${DAY_COLUMNS} FROM signed_checkpoints WHERE day = $1`, [day]);
    return row ? dayOf(row) : null;
  }

  /** The days signed, newest first, before `before` (a day this list gave out). */
  async days(limit: number, before?: string): Promise<{ items: SignedDay[]; nextCursor: string | null }> {
    const rows = before
      ? await this.dataSource.query(`SELECT ${DAY_COLUMNS} FROM signed_checkpoints WHERE day < $2 ORDER BY day DESC LIMIT $1`, [limit + 1, before])
      : await this.dataSource.query(`SELECT ${DAY_COLUMNS} FROM signed_checkpoints ORDER BY day DESC LIMIT $1`, [limit + 1]);
    const items = rows.slice(0, limit).map(dayOf);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].day : null };
  }

  /** One chain's signed heads, newest first. */
  async heads(kind: SignedHead['kind'], id: string, limit = 100): Promise<SignedHead[]> {
    const rows = await this.dataSource.query(`SELECT ${HEAD_COLUMNS} FROM signed_heads WHERE kind = $1 AND chain_id = $2 ORDER BY seq DESC LIMIT $3`, [kind, id, limit]);
    return rows.map(headOf);
  }

  /** The newest signed head of each of these cycles (those signed at all). */
  async newestOfCycles(ids: string[]): Promise<Map<string, SignedHead>> {
    if (!ids.length) return new Map();
    const rows = await this.dataSource.query(`SELECT DISTINCT ON (chain_id) ${HEAD_COLUMNS} FROM signed_heads WHERE kind = 'cycle' AND chain_id = ANY($1::uuid[]) ORDER BY chain_id, seq DESC`, [ids]);
    return new Map(rows.map((r: QueryRow) => [r.id, headOf(r)]));
  }
}
