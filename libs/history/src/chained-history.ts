/** A hash-chained history whose head is kept on its parent's row, appended by compare-and-set. */
import { Between, DataSource, EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import { VersionConflict } from '@app/domain';
import { CURRENT_HASH_SCHEME, ChainHead, ChainVerdict, EntryContent, HashScheme, chainedEntry, verifyChain } from './chain';
import { RELEASING_TYPES, sealFields } from './seals';
import type { ChainedEntryColumns } from './chained-entry.columns';

/** Where a history's head is kept: its parent's table, the row's key, and the columns of the head (names written into the SQL: the code's constants, never input). */
export interface HeadColumns {
  table: string;
  key: string;
  /** How many entries the history has. */
  version: string;
  /** The newest entry's hash. */
  hash: string;
  /** A column set to the transaction's time whenever the head moves (the row's update date), if it has one. */
  touched?: string;
}

/** An entry of a history whose subject is `K` (its entity's key for the chain's subject). */
export type EntryOf<K extends string> = ChainedEntryColumns & { seq: number } & Record<K, string>;

/**
 * A history whose head is kept on its parent's row (the agreement's, the partnership's), written
 * by compare-and-set: the head read under the row's lock, the entries chained after it and
 * inserted, and the head moved on only if its version is still the one read. The cycles' history
 * has the same shape, written many cycles at once by one statement (cycle-writes.repository.ts:
 * WRITE_EVENTS); its entries are chained by the same `chainedEntry`.
 */
export class ChainedHistory<K extends string, E extends EntryOf<K>> {
  constructor(
    private readonly entity: EntityTarget<E>,
    /** The entity's property naming the chain's subject (the parent's id). */
    private readonly subject: K,
    private readonly head: HeadColumns,
    /**
     * The JSON Pointers of what a person wrote in an entry (its prose): sealed in the entry (hash
     * scheme 4), so that it can be erased or redacted and the chain still verifies. An erasure's or
     * redaction's reason is a person's prose too (the system's says why by rule).
     */
    private readonly personalFields: (type: string, payload: Record<string, unknown>) => string[] = () => [],
    /** The scheme its entries are hashed in. */
    private readonly scheme: HashScheme = CURRENT_HASH_SCHEME,
  ) {}

  /** The head, with the other columns asked for, the row locked until the caller's transaction ends (undefined: no row). */
  async lock<R extends Record<string, unknown>>(m: EntityManager, id: string, columns: (keyof R & string)[] = []): Promise<{ head: ChainHead; row: R } | undefined> {
    const { table, key, version, hash } = this.head;
    const selected = [`${version} AS "version"`, `${hash} AS "historyHash"`, ...columns];
    const [row]: (R & ChainHead)[] = await m.query(`SELECT ${selected.join(', ')} FROM ${table} WHERE ${key} = $1 FOR UPDATE`, [id]);
    return row && { head: { version: row.version, historyHash: row.historyHash }, row };
  }

  /**
   * Chains `contents` after `from` (the head read under the row's lock), inserts them and moves the
   * head on, with the other columns of the row in `set` (by column name), in the caller's
   * transaction; a head that moved since it was read is a VersionConflict.
   */
  async append(m: EntityManager, id: string, from: ChainHead, contents: EntryContent[], set: Record<string, unknown> = {}): Promise<E[]> {
    if (!contents.length) return [];
    let seq = from.version;
    let prev = from.historyHash;
    const entries = contents.map((content) => {
      const pointers = RELEASING_TYPES.includes(content.type) ? (content.actorUserId ? ['/reason'] : []) : this.personalFields(content.type, content.payload);
      const seals = this.scheme >= 4 ? (sealFields(content.payload, pointers) ?? null) : undefined;
      const entry = chainedEntry(id, ++seq, prev, { ...content, ...(seals !== undefined && { seals }) }, this.scheme);
      prev = entry.hash;
      return { ...entry, [this.subject]: id } as unknown as E;
    });
    await m.insert(
      this.entity,
      entries.map(({ hashScheme: _, ...e }) => e as never),
    );
    const { table, key, version, hash, touched } = this.head;
    const others = Object.entries(set);
    const assignments = [`${version} = $3`, `${hash} = $4`, ...others.map(([column], i) => `${column} = $${i + 5}`), ...(touched ? [`${touched} = CURRENT_TIMESTAMP`] : [])];
    const values = others.map(([, value]) => (value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value));
    // (An UPDATE answers its rows and how many it changed.)
    const [, moved]: [unknown[], number] = await m.query(`UPDATE ${table} SET ${assignments.join(', ')} WHERE ${key} = $1 AND ${version} = $2`, [id, from.version, seq, prev, ...values]);
    if (!moved) throw new VersionConflict(undefined);
    return entries;
  }

  /** The whole history, oldest first. */
  entries(m: EntityManager, id: string): Promise<E[]> {
    return m.getRepository(this.entity).find({ where: { [this.subject]: id } as FindOptionsWhere<E>, order: { seq: 'ASC' } as never });
  }

  /** The head its parent's row keeps now, unlocked (undefined: no row). */
  async currentHead(m: EntityManager, id: string): Promise<ChainHead | undefined> {
    const { table, key, version, hash } = this.head;
    const [head]: ChainHead[] = await m.query(`SELECT ${version} AS "version", ${hash} AS "historyHash" FROM ${table} WHERE ${key} = $1`, [id]);
    return head;
  }

  /** Entries 1 to `upTo` (a head read before), oldest first, a page at a time. */
  pages(m: EntityManager, id: string, upTo: number, pageSize?: number): AsyncGenerator<E[]> {
    return historyPages(m, this.entity, this.subject, id, upTo, pageSize);
  }

  /** The whole chain checked, and its end against the head its parent's row keeps (one snapshot of both). */
  verify(dataSource: DataSource, id: string): Promise<ChainVerdict> {
    return dataSource.transaction('REPEATABLE READ', async (m) => {
      const { table, key, version, hash } = this.head;
      const [head]: ChainHead[] = await m.query(`SELECT ${version} AS "version", ${hash} AS "historyHash" FROM ${table} WHERE ${key} = $1`, [id]);
      if (!head) throw new Error(`No ${table} row ${id} holds this history's head.`);
      return verifyChain(id, await this.entries(m, id), head);
    });
  }
}

/**
 * A history's entries 1 to `upTo`, oldest first, a page at a time (constant memory however long):
 * for an export, `upTo` the version its parent's row had when it began, so that the entries are
 * the head's even while others are appended (entries are never changed, and a head's are written
 * with it). Each page is its own read: no transaction is held open while a client downloads.
 */
export async function* historyPages<K extends string, E extends EntryOf<K>>(m: EntityManager, entity: EntityTarget<E>, subject: K, id: string, upTo: number, pageSize = 500): AsyncGenerator<E[]> {
  let after = 0;
  while (after < upTo) {
    const page = await m.getRepository(entity).find({
      where: { [subject]: id, seq: Between(after + 1, upTo) } as FindOptionsWhere<E>,
      order: { seq: 'ASC' } as never,
      take: pageSize,
    });
    if (page.length) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].seq;
  }
}
