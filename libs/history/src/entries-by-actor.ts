/** A person's entries of one of the chained histories, a page at a time, at a cost bounded however many they are (subject-access exports). */

/** A statement runner (a DataSource's or an EntityManager's `query`). */
export type RunQuery = (sql: string, parameters: unknown[]) => Promise<unknown[]>;

/** The three chained histories: the table and its chain's subject column. */
export type ChainedTable = { table: 'cycle_history'; subject: 'cycle_id' } | { table: 'agreement_history' | 'partnership_history'; subject: 'partnership_id' };

/**
 * The entries of `table` whose actor is `userId`, oldest chain first, each chain in order, in pages
 * of at most `pageSize` rows holding `columns` (SQL over the entry `h`; `seq` and the subject are
 * always among them). `types`: only entries of those types (the ones that may hold free texts).
 *
 * The histories have no index by actor: one statement finds the chains the person acted in (one
 * pass over the table, answering a few ids), then each chain is read by its key in pages. The
 * cost is that one pass plus those chains' own length, and memory one page, however many entries
 * the person has (100,000 progress updates read as 200 pages, not one answer).
 */
export async function* entriesByActor<R extends { seq: number }>(
  query: RunQuery,
  history: ChainedTable,
  userId: string,
  options: { columns: string; types?: string[]; pageSize?: number },
): AsyncGenerator<R[]> {
  const { table, subject } = history;
  const pageSize = options.pageSize ?? 500;
  const types = options.types ?? null;
  const typed = 'AND ($2::text[] IS NULL OR h.type = ANY($2::text[]))';
  const chains = (await query(`SELECT DISTINCT h.${subject} AS id FROM ${table} h WHERE h.actor_user_id = $1 ${typed} ORDER BY h.${subject}`, [userId, types])) as { id: string }[];
  for (const { id } of chains) {
    let after = 0;
    for (;;) {
      const rows = (await query(
        `SELECT h.${subject} AS subject_id, h.seq, ${options.columns} FROM ${table} h
         WHERE h.${subject} = $3 AND h.actor_user_id = $1 AND h.seq > $4 ${typed}
         ORDER BY h.seq LIMIT $5`,
        [userId, types, id, after, pageSize],
      )) as R[];
      if (rows.length) yield rows;
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1].seq;
    }
  }
}
