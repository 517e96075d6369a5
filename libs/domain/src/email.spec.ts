import { MAX_EMAIL_LENGTH, isEmailAddress, normaliseEmail } from './email';

describe('email addresses', () => {
  it('have one spelling: compatibility characters folded, spaces trimmed, lower case', () => {
    expect(normaliseEmail('  Jo.Bloggs@Northshire.GOV.uk\t')).toBe('jo.bloggs@northshire.gov.uk');
    expect(normaliseEmail('ｊｏ＠ｅｘａｍｐｌｅ．ｏｒｇ')).toBe('jo@example.org');
    expect(normaliseEmail('\u3000JO@EXAMPLE.ORG\u3000')).toBe('jo@example.org');
  });

  it('look like something@domain.tld', () => {
    for (const ok of ['a@b.co', 'jo.bloggs+cycles@northshire.gov.uk']) expect(isEmailAddress(ok)).toBe(true);
    for (const bad of ['', 'a@b', 'a@.b', 'a@b.', 'a b@c.de', 'a@b@c.de', 'a@b..de', '@b.de']) expect(isEmailAddress(bad)).toBe(false);
  });

  it('are refused by their length before any pattern, and never take long', () => {
    const longest = `${'a'.repeat(MAX_EMAIL_LENGTH - 7)}@b.c.de`;
    expect(isEmailAddress(longest)).toBe(true);
    expect(isEmailAddress(`a${longest}`)).toBe(false);
    // What made the web admin's earlier pattern (/^[^\s@]+@[^\s@]+\.[^\s@]+$/) backtrack
    // quadratically: no pattern ever sees such input, its length refuses it first.
    const test = jest.spyOn(RegExp.prototype, 'test');
    try {
      for (const input of [`a@${'.'.repeat(200_000)} `, `a@${'a.'.repeat(100_000)} `, '@'.repeat(200_000)]) expect(isEmailAddress(input)).toBe(false);
      expect(test).not.toHaveBeenCalled();
    } finally {
      test.mockRestore();
    }
    for (const input of [`a@${'.'.repeat(300)} `, `a@${'a.'.repeat(200)} `, '@'.repeat(300)]) expect(isEmailAddress(input.slice(0, MAX_EMAIL_LENGTH))).toBe(false);
  });
});
