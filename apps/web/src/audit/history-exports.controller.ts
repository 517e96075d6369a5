/** The histories as files for an offline audit (NDJSON, the head last), for signed-in people, linked from the cycle, agreement and partnership history pages. */
import { Controller, Get, Inject, Logger, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { WebSession } from '@app/accounts';
import { AgreementsService } from '@app/agreements';
import { CLOCK } from '@app/config';
import { CycleQueriesService } from '@app/cycles';
import type { Clock } from '@app/domain';
import { HistoryExport, historyExportFile } from '@app/history';
import { ExpensiveRead, IdPipe } from '@app/http';
import { PartnershipGovernanceService } from '@app/partnerships';
import { Session } from '../http/session.guard';

/**
 * The API's `.../history/export` files for signed-in people (their session instead of a token):
 * the same visibility (404 otherwise), the same file (docs/history-format.md).
 */
@ExpensiveRead()
@Controller()
export class HistoryExportsController {
  private readonly logger = new Logger(HistoryExportsController.name);

  constructor(
    private readonly cycles: CycleQueriesService,
    private readonly agreements: AgreementsService,
    private readonly governance: PartnershipGovernanceService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('cycles/:id/history.ndjson')
  async cycle(@Session() session: WebSession, @Param('id', new IdPipe('cycle')) id: string, @Res() res: Response) {
    const exportedAt = this.clock.now();
    await this.send(res, { history: 'cycle', subjectId: id, subjectKey: 'cycleId', exportedAt, ...(await this.cycles.historyExport(session.principal, id)) });
  }

  @Get('partnerships/:id/agreement/history.ndjson')
  async agreement(@Session() session: WebSession, @Param('id', new IdPipe('partnership')) id: string, @Res() res: Response) {
    const exportedAt = this.clock.now();
    await this.send(res, { history: 'agreement', subjectId: id, subjectKey: 'partnershipId', exportedAt, ...(await this.agreements.historyExport(session.principal, id)) });
  }

  @Get('partnerships/:id/history.ndjson')
  async partnership(@Session() session: WebSession, @Param('id', new IdPipe('partnership')) id: string, @Res() res: Response) {
    const exportedAt = this.clock.now();
    await this.send(res, { history: 'partnership', subjectId: id, subjectKey: 'partnershipId', exportedAt, ...(await this.governance.historyExport(session.principal, id)) });
  }

  /** Streams the file; once it has begun, a failure can only cut it short (without its head: every verifier refuses it), and is logged. */
  private async send(res: Response, file: HistoryExport): Promise<void> {
    const { headers, body } = historyExportFile(file);
    res.status(200);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    try {
      await pipeline(body, res);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
        this.logger.error({ err: error, history: file.history, subjectId: file.subjectId }, 'The history export stopped part way');
    }
  }
}
