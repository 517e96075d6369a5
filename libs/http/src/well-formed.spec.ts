import { illFormedFields, mayEscapeSurrogates, notWellFormed, wellFormedEncoded, wellFormedUrl } from './well-formed';

describe('text that is not well-formed', () => {
  it('names each string or key holding a lone surrogate, with its dotted path', () => {
    const body = { name: 'x \ud800', ok: 'pair \ud83d\ude00', list: ['a', '\udc00'], nested: { ['k\udbff']: 'v', deep: [{ t: '\udfffend' }] }, n: 1, nil: null };
    expect(illFormedFields(body)).toEqual(['name', 'list.1', 'nested.k\udbff', 'nested.deep.0.t']);
    expect(illFormedFields('\ud800')).toEqual(['body']);
    expect(illFormedFields({ all: 'well formed é 😀', n: [1, true, null] })).toEqual([]);
  });

  it('looks at a JSON text’s values only when it escapes a surrogate', () => {
    expect(mayEscapeSurrogates('{"a":"\\ud800"}')).toBe(true);
    expect(mayEscapeSurrogates('{"a":"\\uDFFF"}')).toBe(true);
    expect(mayEscapeSurrogates('{"a":"\\u00e9 \\ucfff \\ue000"}')).toBe(false);
  });

  it('takes percent-encoded bytes as they decode: UTF-8 or not', () => {
    const ok = ['', 'plain', 'a=b&c=d', '%C3%A9', '%F0%9F%98%80', 'é raw', '%zz', '100%', '%E2%82%AC', 'a%2', '%%41'];
    for (const text of ok) expect({ text, ok: wellFormedEncoded(Buffer.from(text)) }).toEqual({ text, ok: true });
    const bad = ['%FF', '%C0%AF', '%E0%80%AF', '%E2%82', 'x%E2%82x', '%ED%A0%80', '%ED%BF%BF', '%F4%90%80%80', '%80', '%F0%9F%98'];
    for (const text of bad) expect({ text, ok: wellFormedEncoded(Buffer.from(text)) }).toEqual({ text, ok: false });
    expect(wellFormedEncoded(Buffer.from([0x61, 0xff]))).toBe(false);
    expect(wellFormedEncoded(Buffer.from([0x61, 0xff, 0x25, 0x34, 0x31]))).toBe(false);
    expect(wellFormedUrl('/v1/cycles?state=%E2%82')).toBe(false);
    expect(wellFormedUrl('/v1/cycles/%C3%A9?x=1')).toBe(true);
    expect(wellFormedUrl('/v1/cycles')).toBe(true);
  });

  it('is refused as a validation failure naming where', () => {
    expect(notWellFormed(['body']).errors).toEqual([{ field: 'body', message: 'is not well-formed text' }]);
  });
});
