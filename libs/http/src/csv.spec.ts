import { neutraliseFormula } from './csv';

describe('neutraliseFormula', () => {
  it('puts a single quote before text a spreadsheet would run as a formula', () => {
    for (const text of ['=1+1', '+44 20', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseFormula(text)).toBe(`'${text}`);
  });

  it('leaves other text alone', () => {
    for (const text of ['', 'plain', ' =1', "'quoted", '1-2', 'a=b']) expect(neutraliseFormula(text)).toBe(text);
  });
});
