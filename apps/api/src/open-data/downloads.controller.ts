/** CSV downloads of a cycle's and a partnership's data, with the same visibility as their JSON reads. */
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Principal } from '@app/accounts';
import { OpenDataService } from '@app/open-data';
import { CsvTable, ExpensiveRead, IdPipe, csvFile } from '@app/http';
import { Caller } from '../http/auth.guard';

const CSV = (description: string) => ApiOkResponse({ description, content: { 'text/csv': { schema: { type: 'string' } } } });
const CSV_NOTE =
  ' RFC 4180 (CRLF line ends), UTF-8 with a byte-order mark, a header row; an attachment. A text cell that starts with =, +, -, @, a tab or a carriage return gets a single quote in front, so that a spreadsheet does not run it as a formula.';

/** CSV downloads of a cycle's and a partnership's data: the same visibility as their JSON reads. */
@ApiTags('open data')
@ApiBearerAuth()
@ExpensiveRead()
@Controller('v1')
export class DownloadsController {
  constructor(private readonly openData: OpenDataService) {}

  @Get('cycles/:id/history.csv')
  @ApiOperation({
    summary: "The cycle's history as CSV, oldest first",
    description: 'Columns: seq, at, type, organisationId, organisation, representative, actorUserId, fromState, toState, summary, payload (JSON), hash.' + CSV_NOTE,
  })
  @ApiProduces('text/csv')
  @CSV('One row per history entry')
  @ApiNotFoundResponse({ description: 'No such cycle, or the caller may not see it' })
  async history(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string, @Res() res: FastifyReply): Promise<void> {
    send(res, await this.openData.historyTable(caller, id));
  }

  @Get('partnerships/:id/learning.csv')
  @ApiOperation({
    summary: "The learning recorded in the partnership's cycles, as CSV",
    description: 'Columns: cycleId, cycle, iteration, at, writtenBy (panel or co-owner), organisationId, organisation, recommendation, insight, evidence.' + CSV_NOTE,
  })
  @ApiProduces('text/csv')
  @CSV('One row per learning entry, oldest cycle first')
  @ApiNotFoundResponse({ description: 'No such partnership, or the caller may not see it' })
  async learning(@Caller() caller: Principal, @Param('id', new IdPipe('partnership')) id: string, @Res() res: FastifyReply): Promise<void> {
    send(res, await this.openData.learningTable(caller, id));
  }

  @Get('partnerships/:id/readings.csv')
  @ApiOperation({
    summary: "Every metric reading of the partnership's cycles, as CSV",
    description: 'Columns: cycleId, cycle, iteration, seq, recordedAt, organisationId, organisation, outcome, metricId, metric, unit, value, baseline, target, direction.' + CSV_NOTE,
  })
  @ApiProduces('text/csv')
  @CSV('One row per reading, oldest first')
  @ApiNotFoundResponse({ description: 'No such partnership, or the caller may not see it' })
  async readings(@Caller() caller: Principal, @Param('id', new IdPipe('partnership')) id: string, @Res() res: FastifyReply): Promise<void> {
    send(res, await this.openData.readingsTable(caller, id));
  }

  @Get('partnerships/:id/funding.csv')
  @ApiOperation({
    summary: 'Cash pledged and committed per member organisation and financial year, in pounds, as CSV',
    description: 'Columns: year (2027-28), organisationId, organisation, pledgedPounds, committedPounds (40000.50: no symbol, no separators).' + CSV_NOTE,
  })
  @ApiProduces('text/csv')
  @CSV('One row per financial year and organisation')
  @ApiNotFoundResponse({ description: 'No such partnership, or the caller may not see it' })
  async funding(@Caller() caller: Principal, @Param('id', new IdPipe('partnership')) id: string, @Res() res: FastifyReply): Promise<void> {
    send(res, await this.openData.fundingTable(caller, id));
  }
}

/** Streams the table as a CSV download (see csvFile); a failure before the first byte is answered as any other error. */
function send(res: FastifyReply, table: CsvTable): void {
  const file = csvFile(table);
  res.headers(file.headers).send(file.body);
}
