import { entriesByActor } from './entries-by-actor';

/** A fake history: entries of chains a and b by the person and others, answered as PostgreSQL would. */
function history(entries: { chain: string; seq: number; actor: string; type: string }[]) {
  const statements: string[] = [];
  const query = async (sql: string, parameters: unknown[]) => {
    statements.push(sql);
    const [userId, types] = parameters as [string, string[] | null];
    const mine = entries.filter((e) => e.actor === userId && (!types || types.includes(e.type)));
    if (sql.includes('DISTINCT')) return [...new Set(mine.map((e) => e.chain))].sort().map((id) => ({ id }));
    const [, , chain, after, limit] = parameters as [string, unknown, string, number, number];
    return mine
      .filter((e) => e.chain === chain && e.seq > after)
      .sort((x, y) => x.seq - y.seq)
      .slice(0, limit)
      .map((e) => ({ subject_id: e.chain, seq: e.seq, type: e.type }));
  };
  return { query, statements };
}

describe('entriesByActor', () => {
  const entries = [
    ...Array.from({ length: 1200 }, (_, i) => ({ chain: 'b', seq: i + 1, actor: i % 3 ? 'me' : 'other', type: i % 2 ? 'RECORD_PROGRESS' : 'CONSENT' })),
    { chain: 'a', seq: 1, actor: 'me', type: 'CREATED' },
    { chain: 'c', seq: 1, actor: 'other', type: 'CREATED' },
  ];

  it('gives the person’s entries, chain by chain in order, in pages of at most the size asked, each chain read by its key', async () => {
    const { query, statements } = history(entries);
    const pages: { subject_id: string; seq: number }[][] = [];
    for await (const page of entriesByActor<{ subject_id: string; seq: number }>(query, { table: 'cycle_history', subject: 'cycle_id' }, 'me', { columns: 'h.type', pageSize: 300 })) pages.push(page);
    expect(pages.every((p) => p.length <= 300)).toBe(true);
    const all = pages.flat();
    expect(all.length).toBe(1 + 800);
    expect(all[0]).toMatchObject({ subject_id: 'a', seq: 1 });
    expect(all.slice(1).map((e) => e.seq)).toEqual(entries.filter((e) => e.chain === 'b' && e.actor === 'me').map((e) => e.seq));
    // One statement finds the chains; then each chain's pages by its key (chain c is never read).
    expect(statements.filter((s) => s.includes('DISTINCT'))).toHaveLength(1);
    expect(statements).toHaveLength(1 + 1 + Math.ceil(800 / 300));
    expect(statements[1]).toContain('WHERE h.cycle_id = $3 AND h.actor_user_id = $1 AND h.seq > $4');
  });

  it('only the types asked for, when asked', async () => {
    const { query } = history(entries);
    const seen: string[] = [];
    for await (const page of entriesByActor<{ seq: number; type: string }>(query, { table: 'agreement_history', subject: 'partnership_id' }, 'me', { columns: 'h.type', types: ['RECORD_PROGRESS'] })) {
      seen.push(...page.map((e) => e.type));
    }
    expect(new Set(seen)).toEqual(new Set(['RECORD_PROGRESS']));
    expect(seen.length).toBe(entries.filter((e) => e.actor === 'me' && e.type === 'RECORD_PROGRESS').length);
  });
});
