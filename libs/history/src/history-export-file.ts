/** A history export as a download: its file name, headers and body, streamed a page at a time (for the API's and the web app's routes). */
import { Readable } from 'node:stream';
import type { ChainHead, ChainLink, EntryContent } from './chain';
import { HistoryKind, exportLines } from './history-export';

export const NDJSON = 'application/x-ndjson';

/** What a history export sends: the head read when it began, and the entries up to it in pages. */
export interface HistoryExport {
  history: HistoryKind;
  subjectId: string;
  /** What the subject's entity calls the chain's subject (`cycleId`, `partnershipId`): the file calls it `subjectId`. */
  subjectKey: string;
  head: ChainHead;
  pages: AsyncIterable<(EntryContent & ChainLink)[]>;
  exportedAt: Date;
}

/**
 * The download: an NDJSON attachment named for the history, its subject and the day, whose body
 * reads a page of entries only when the client has taken the last (constant memory however long
 * the history). A failure part way cuts the file short: it then has no head line, which every
 * verifier refuses.
 */
export function historyExportFile(file: HistoryExport): { headers: Record<string, string>; body: Readable } {
  const { history, subjectId, head, exportedAt } = file;
  const name = `${history}-history-${subjectId}-${exportedAt.toISOString().slice(0, 10)}.ndjson`;
  const lines = exportLines({ history, subjectId, version: head.version, historyHash: head.historyHash, exportedAt: exportedAt.toISOString() }, file.subjectKey, file.pages);
  return {
    headers: { 'content-type': `${NDJSON}; charset=utf-8`, 'content-disposition': `attachment; filename="${name}"`, 'x-content-type-options': 'nosniff' },
    // Not object mode: the buffer holds bytes up to its mark, so a page is read ahead at most.
    body: Readable.from(lines, { objectMode: false, highWaterMark: 64 * 1024 }),
  };
}
