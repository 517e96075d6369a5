import nunjucks from 'nunjucks';
import { registerFilters, trim } from './filters';

// nunjucks's own filter, which ours replaces: what the templates got before.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nunjucksTrim = (require('nunjucks/src/filters') as { trim: (value: unknown) => unknown }).trim;

describe('the trim filter', () => {
  const samples = [
    '',
    '   ',
    'plain',
    '  <p>\n    Hello   world\n  </p>\n\n',
    '\t\u00a0\u2003\ufeff text \u2028\u2029\r\n',
    '<dl>' + '\n      <div>\n        <dt>Key</dt>\n      </div>'.repeat(50) + '\n   ',
  ];

  it('removes what nunjucks’s own trim removes, from plain and safe strings alike', () => {
    for (const sample of samples) {
      expect(trim(sample)).toBe(nunjucksTrim(sample));
      const safe = trim(new nunjucks.runtime.SafeString(sample));
      expect(safe).toBeInstanceOf(nunjucks.runtime.SafeString);
      expect(String(safe)).toBe(String(nunjucksTrim(new nunjucks.runtime.SafeString(sample))));
    }
    expect(trim(42)).toBe('42');
    expect(trim(undefined)).toBe('');
  });

  it('is the filter templates get, and keeps autoescaping as it was', () => {
    const env = new nunjucks.Environment([], { autoescape: true });
    registerFilters(env);
    expect(env.getFilter('trim')).toBe(trim);
    expect(env.renderString('[{{ value | trim }}]', { value: '  <b>bold</b>  ' })).toBe('[&lt;b&gt;bold&lt;/b&gt;]');
    expect(env.renderString('{% set html %}\n  <b>bold</b>\n{% endset %}[{{ html | trim | safe }}]', {})).toBe('[<b>bold</b>]');
    expect(env.renderString('{% macro m() %}\n  <i>x</i>\n{% endmacro %}[{{ m() | trim }}]', {})).toBe('[<i>x</i>]');
  });

  it('does not run a regular expression over the string', () => {
    // 200,000 characters of indentation runs: nunjucks's regular expression scans each run again
    // from every space in it; String's trim looks at each end only.
    const long = ('\n' + ' '.repeat(40) + '<td>x</td>').repeat(4000);
    const spy = jest.spyOn(String.prototype, 'replace');
    expect(trim(long)).toBe(long.trim());
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
