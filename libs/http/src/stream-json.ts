import { once } from 'node:events';
import type { Response } from 'express';

/**
 * Writes pages of items as one JSON array, a page at a time, waiting for the client to drain
 * what was written (constant memory however many there are). A failure once writing has begun
 * cannot change the status: the response is cut off, so the client sees invalid JSON, not a
 * complete-looking answer.
 */
export async function streamJsonArray<T, U>(res: Response, pages: AsyncIterable<T[]>, map: (item: T) => U): Promise<void> {
  res.status(200).type('application/json');
  let first = true;
  try {
    for await (const page of pages) {
      let chunk = '';
      for (const item of page) {
        chunk += (first ? '[' : ',') + JSON.stringify(map(item));
        first = false;
      }
      if (chunk && !res.write(chunk)) await drainedOrClosed(res);
      // The client went away: stop reading.
      if (res.destroyed) return;
    }
    res.end(first ? '[]' : ']');
  } catch (error) {
    if (!res.headersSent) throw error;
    res.destroy(error as Error);
  }
}

/** Waits for the response to drain or close, leaving no listener behind either way. */
async function drainedOrClosed(res: Response): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]);
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    done.abort();
  }
}
