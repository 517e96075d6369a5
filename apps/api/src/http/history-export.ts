/** Sending a history as the offline audit's file (NDJSON, one entry a line, the head last): an attachment, streamed a page at a time. */
import { applyDecorators, Logger } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { ChainHead, ChainLink, EntryContent, HistoryKind, exportLines } from '@app/history';
import { ExpensiveRead } from '@app/http';

export const NDJSON = 'application/x-ndjson';

/** The route's OpenAPI: what the file is, and where its format is written down. */
export const HistoryExportRoute = (what: string) =>
  applyDecorators(
    ExpensiveRead(),
    ApiOperation({
      summary: `${what} as a file for an offline audit: NDJSON, one entry a line in seq order, the head last`,
      description:
        'Each line is one JSON object: an entry as stored (subjectId, seq, type, actorUserId, organisationId, representative, fromState, toState, payload, at, prevHash, hash, hashScheme), ' +
        'and last the head (`kind: "head"`, history, subjectId, version, historyHash, exportedAt): what the row recorded when the export began. ' +
        '`npm run verify-history -- <file>` verifies it with no server; docs/history-format.md describes the format for a verifier of your own. An attachment.',
    }),
    ApiProduces(NDJSON),
    ApiOkResponse({ description: 'The history file', content: { [NDJSON]: { schema: { type: 'string' } } } }),
    ApiNotFoundResponse({ description: 'No such subject, or the caller may not see it' }),
  );

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
 * Streams the file: a page of entries is read only when the client has taken the last (constant
 * memory however long the history). A failure part way cuts the file short: it then has no head
 * line, which every verifier refuses (the error is logged).
 */
export function sendHistoryExport(res: FastifyReply, logger: Logger, file: HistoryExport): void {
  const { history, subjectId, head, exportedAt } = file;
  const name = `${history}-history-${subjectId}-${exportedAt.toISOString().slice(0, 10)}.ndjson`;
  const body = Readable.from(exportLines({ history, subjectId, version: head.version, historyHash: head.historyHash, exportedAt: exportedAt.toISOString() }, file.subjectKey, file.pages), {
    objectMode: false,
    highWaterMark: 64 * 1024,
  });
  body.on('error', (error) => logger.error({ err: error, history, subjectId }, 'The history export stopped part way'));
  res.type(`${NDJSON}; charset=utf-8`).header('Content-Disposition', `attachment; filename="${name}"`).header('X-Content-Type-Options', 'nosniff').send(body);
}
