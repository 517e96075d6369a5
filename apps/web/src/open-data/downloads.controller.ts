/** The API's CSV downloads for signed-in people, linked from the cycle and partnership pages. */
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { OpenDataService } from '@app/open-data';
import { ExpensiveRead, IdPipe, sendCsv } from '@app/http';
import { Session } from '../http/session.guard';

/**
 * The same CSV downloads as the API's, for signed-in people (their session instead of a token),
 * linked from the cycle and partnership pages.
 */
@ExpensiveRead()
@Controller()
export class DownloadsController {
  constructor(private readonly openData: OpenDataService) {}

  @Get('cycles/:id/history.csv')
  async history(@Session() session: WebSession, @Param('id', new IdPipe('cycle')) id: string, @Res() res: Response) {
    await sendCsv(res, await this.openData.historyTable(session.principal, id));
  }

  @Get('partnerships/:id/learning.csv')
  async learning(@Session() session: WebSession, @Param('id', new IdPipe('partnership')) id: string, @Res() res: Response) {
    await sendCsv(res, await this.openData.learningTable(session.principal, id));
  }

  @Get('partnerships/:id/readings.csv')
  async readings(@Session() session: WebSession, @Param('id', new IdPipe('partnership')) id: string, @Res() res: Response) {
    await sendCsv(res, await this.openData.readingsTable(session.principal, id));
  }

  @Get('partnerships/:id/funding.csv')
  async funding(@Session() session: WebSession, @Param('id', new IdPipe('partnership')) id: string, @Res() res: Response) {
    await sendCsv(res, await this.openData.fundingTable(session.principal, id));
  }
}
