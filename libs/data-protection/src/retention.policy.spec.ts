import { RETENTION_INFO, RETENTION_RECORDS, keepDaysInWords } from './retention.policy';
import { RETENTION_APPLIERS } from './retention.repository';

describe('the retention policy', () => {
  it('words a period for people, with its rough months or years', () => {
    expect(keepDaysInWords(0)).toBe('no days');
    expect(keepDaysInWords(1)).toBe('1 day');
    expect(keepDaysInWords(14)).toBe('14 days');
    expect(keepDaysInWords(30)).toBe('30 days (about 1 month)');
    expect(keepDaysInWords(90)).toBe('90 days (about 3 months)');
    expect(keepDaysInWords(365)).toBe('365 days (about 1 year)');
    expect(keepDaysInWords(548)).toBe('548 days (about 1.5 years)');
    expect(keepDaysInWords(2190)).toBe('2,190 days (about 6 years)');
  });

  it('has a statement for every record the job applies, and none for those the erasure applies', () => {
    const byJob = RETENTION_RECORDS.filter((record) => RETENTION_INFO[record].appliedBy === 'job');
    expect(Object.keys(RETENTION_APPLIERS).sort()).toEqual([...byJob].sort());
    expect(RETENTION_RECORDS.filter((record) => RETENTION_INFO[record].appliedBy === 'erasure')).toEqual(['closedCyclePersonalData']);
    // Each is one statement answering how many rows went, with the cut-off and the batch's size as parameters.
    for (const sql of Object.values(RETENTION_APPLIERS)) {
      expect(sql).toMatch(/^WITH gone AS \(DELETE FROM \w+ /);
      expect(sql).toContain('< $1');
      expect(sql).toContain('LIMIT $2');
      expect(sql).toContain('SELECT count(*)::int AS n FROM gone');
    }
  });
});
