import { DIFF_LIMITS, WordDiffs } from './word-diffs.service';

describe('WordDiffs', () => {
  const counted = () => {
    const diffs = new WordDiffs();
    return { diffs, compare: jest.spyOn(diffs, 'compare') };
  };

  it('gives the word differences as parts, and compares a pair once however often it is asked', () => {
    const { diffs, compare } = counted();
    const expected = [
      { text: 'Older people ', kind: 'same' },
      { text: 'stay', kind: 'removed' },
      { text: 'live', kind: 'added' },
      { text: ' well at home', kind: 'same' },
    ];
    for (let i = 0; i < 3; i++) expect(diffs.of('Older people stay well at home', 'Older people live well at home')).toEqual(expected);
    expect(compare).toHaveBeenCalledTimes(1);
    // Another pair is another comparison; the same texts the other way round too.
    diffs.of('Older people live well at home', 'Older people stay well at home');
    expect(compare).toHaveBeenCalledTimes(2);
  });

  it('a pair beyond the size limit is too large, and not compared at all', () => {
    const { diffs, compare } = counted();
    const huge = 'word '.repeat(DIFF_LIMITS.maxChars / 5 + 1);
    expect(huge.length).toBeGreaterThan(DIFF_LIMITS.maxChars);
    expect(diffs.of(huge, 'short')).toBeNull();
    expect(diffs.of('short', huge)).toBeNull();
    expect(compare).not.toHaveBeenCalled();
  });

  it('a pair that differs in more words than jsdiff is let compare is too large, and that answer is kept', () => {
    const { diffs, compare } = counted();
    const words = (prefix: string) => Array.from({ length: DIFF_LIMITS.maxEditLength + 1 }, (_, i) => `${prefix}${i}`).join(' ');
    expect(diffs.of(words('a'), words('b'))).toBeNull();
    expect(diffs.of(words('a'), words('b'))).toBeNull();
    expect(compare).toHaveBeenCalledTimes(1);
  });
});
