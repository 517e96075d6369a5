/**
 * Bytes that are not UTF-8, for the fuzzers: invalid bytes, overlong encodings, truncated
 * sequences, an encoded high and low surrogate, a code point past U+10FFFF, a continuation alone.
 */
export const BAD_BYTES: readonly number[][] = [
  [0xff],
  [0xfe],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xf0, 0x80, 0x80, 0xaf],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
];

/** The bytes percent-encoded, as an address or a form carries them. */
export const percentEncoded = (bytes: readonly number[]): string => bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
