/** One JSON object written key by key, each value read only when its turn comes: lists a page at a time, in constant memory. */
import { Readable } from 'node:stream';

/** A key's value: read when its turn comes; a list read in pages is streamed page by page. */
export type Section = () => Promise<unknown> | AsyncIterable<unknown[]>;

const isPages = (value: unknown): value is AsyncIterable<unknown[]> => typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * The sections as one JSON object, laid out for a person to read (a key a line; a list's items
 * one a line). A failure once writing has begun cannot change the status: the stream ends with the
 * error and the file is cut off (invalid JSON), not complete-looking.
 */
export function jsonObjectStream(sections: [string, Section][]): Readable {
  async function* chunks(): AsyncGenerator<string> {
    let first = true;
    for (const [key, read] of sections) {
      const head = `${first ? '{\n' : ',\n'}  ${JSON.stringify(key)}: `;
      first = false;
      const value = read();
      if (!isPages(value)) {
        yield head + JSON.stringify(await value);
        continue;
      }
      let items = 0;
      let chunk = head;
      for await (const page of value) {
        for (const item of page) chunk += `${items++ ? ',' : '['}\n    ${JSON.stringify(item)}`;
        yield chunk;
        chunk = '';
      }
      yield chunk + (items ? '\n  ]' : '[]');
    }
    yield first ? '{}\n' : '\n}\n';
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
}
