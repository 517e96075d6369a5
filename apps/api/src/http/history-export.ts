/** Sending a history as the offline audit's file (NDJSON, one entry a line, the head last): an attachment, streamed a page at a time. */
import { applyDecorators, Logger } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HistoryExport, NDJSON, historyExportFile } from '@app/history';
import { ExpensiveRead } from '@app/http';

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

/** Streams the file (see historyExportFile); a failure part way is logged, and the file is cut short without its head. */
export function sendHistoryExport(res: FastifyReply, logger: Logger, file: HistoryExport): void {
  const { headers, body } = historyExportFile(file);
  body.on('error', (error) => logger.error({ err: error, history: file.history, subjectId: file.subjectId }, 'The history export stopped part way'));
  res.headers(headers).send(body);
}
