import { snippetHtml, snippetParts, viewerOf } from './search.service';

describe('search snippets', () => {
  it('splits a marked snippet into hits and text, and restores what stood in for markup', () => {
    expect(snippetParts('\uE000Loneliness\uE001 \uE002b\uE003 \uE004 \uE000calls\uE001')).toEqual([
      { text: 'Loneliness', hit: true },
      { text: ' <b> & ', hit: false },
      { text: 'calls', hit: true },
    ]);
    expect(snippetParts('no hit')).toEqual([{ text: 'no hit', hit: false }]);
    // A stray end mark (none should come) is dropped.
    expect(snippetParts('a\uE001b')).toEqual([{ text: 'ab', hit: false }]);
  });

  it('writes HTML with the hits in <mark> and everything else escaped', () => {
    expect(
      snippetHtml([
        { text: 'x<y', hit: true },
        { text: ' & "z"', hit: false },
      ]),
    ).toBe('<mark>x&#60;y</mark> &#38; &#34;z&#34;');
  });

  it('keeps to whom a person is, as the cycle views do', () => {
    const base = { userId: 'u', generation: 0 };
    expect(viewerOf({ ...base, role: 'admin', organisationId: null, organisationKind: null })).toEqual({ all: true });
    expect(viewerOf({ ...base, role: 'guest', organisationId: null, organisationKind: null })).toEqual({ guestUserId: 'u' });
    expect(viewerOf({ ...base, role: 'member', organisationId: 'o', organisationKind: 'facilitator' })).toEqual({ facilitatorUserId: 'u' });
    expect(viewerOf({ ...base, role: 'lead', organisationId: 'o', organisationKind: 'commissioner' })).toEqual({ memberOrganisationId: 'o' });
  });
});
