/** Streaming pages of items as one JSON array, in constant memory however many there are. */
import { Readable } from 'node:stream';

/**
 * Pages of items as one JSON array, a page at a time: a stream that reads the next page only when
 * the client has taken the last (constant memory however many there are). A failure once writing
 * has begun cannot change the status: the stream ends with the error and the response is cut off,
 * so the client sees invalid JSON, not a complete-looking answer.
 */
export function jsonArrayStream<T, U>(pages: AsyncIterable<T[]>, map: (item: T) => U): Readable {
  async function* chunks(): AsyncGenerator<string> {
    let first = true;
    for await (const page of pages) {
      let chunk = '';
      for (const item of page) {
        chunk += (first ? '[' : ',') + JSON.stringify(map(item));
        first = false;
      }
      if (chunk) yield chunk;
    }
    yield first ? '[]' : ']';
  }
  // Not object mode: the buffer holds bytes up to its mark, so a page is read ahead at most.
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
}
