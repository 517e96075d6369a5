import { linkedText } from './comment-threads';

describe('a comment’s text as HTML', () => {
  it('escapes everything and makes http(s) addresses links, leaving trailing punctuation out', () => {
    expect(linkedText('See https://example.org/a?b=1&c=2.')).toBe(
      'See <a class="govuk-link" href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">https://example.org/a?b=1&amp;c=2</a>.',
    );
    expect(linkedText('<script>alert("x")</script>')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(linkedText('javascript:alert(1) and ftp://x.org')).toBe('javascript:alert(1) and ftp://x.org');
    expect(linkedText('(http://a.org/x) "https://b.org"')).toBe(
      '(<a class="govuk-link" href="http://a.org/x" rel="nofollow noopener noreferrer">http://a.org/x</a>) &quot;<a class="govuk-link" href="https://b.org" rel="nofollow noopener noreferrer">https://b.org</a>&quot;',
    );
  });
});
