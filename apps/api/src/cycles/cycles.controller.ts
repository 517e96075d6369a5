/** Cycles over the API: opening, listing and reading them, their events (If-Match), progress and verified history. */
import { Body, Controller, Get, Headers, HttpCode, Inject, Logger, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Principal } from '@app/accounts';
import { CycleCreationService, CycleEventsService, CycleQueriesService, CycleRecord, CycleReleasesService, CycleStore, EventInput, RedactEntryDto } from '@app/cycles';
import { type Clock, NotFound, ValidationFailed } from '@app/domain';
import { CLOCK } from '@app/config';
import { AdminOnly, Caller } from '../http/auth.guard';
import { HistoryExportRoute, sendHistoryExport } from '../http/history-export';
import { ExpensiveRead, IdPipe, jsonArrayStream } from '@app/http';
import {
  CreateCycleDto,
  CycleDto,
  CyclePageDto,
  CycleViewQuery,
  HistoryEntryDto,
  HistoryPageDto,
  HistoryQuery,
  ListCyclesQuery,
  OptionPageDto,
  OptionsQuery,
  ProgressPageDto,
  ProgressQuery,
  RevisionPageDto,
  RevisionsQuery,
  VerifyDto,
  VerifyQuery,
  mapCycle,
  mapCycleSummary,
  mapHistoryEntry,
} from './dto/cycles.dto';
import { EventPipe } from './dto/event.pipe';
import { CycleViewJson } from './cycle-view-json';
import { eventSchemaName } from '@app/http';
import { USER_EVENT_TYPES, MILESTONE_EVENT_TYPES } from '@app/domain';

const CycleId = () => Param('id', new IdPipe('cycle'));
const EVENT_TYPES = [...USER_EVENT_TYPES, ...MILESTONE_EVENT_TYPES];
const EVENT_REFS = EVENT_TYPES.map((type) => ({ $ref: `#/components/schemas/${eventSchemaName(type)}` }));
/** Which schema each `type` selects: without it, OpenAPI reads the discriminator's value as the schema's name (ConsentEvent, not CONSENT). */
const EVENT_MAPPING = Object.fromEntries(EVENT_TYPES.map((type) => [type, `#/components/schemas/${eventSchemaName(type)}`]));

/** `If-Match: 3`, `"3"` or `W/"3"`. */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new ValidationFailed([{ field: 'If-Match', message: 'must be the cycle version, a whole number' }]);
  return Number(match[1]);
}

@ApiExtraModels(HistoryEntryDto, HistoryPageDto)
@ApiTags('cycles')
@ApiBearerAuth()
@Controller('v1/cycles')
export class CyclesController {
  private readonly logger = new Logger(CyclesController.name);

  constructor(
    private readonly cycles: CycleQueriesService,
    private readonly creation: CycleCreationService,
    private readonly events: CycleEventsService,
    private readonly releases: CycleReleasesService,
    @Inject(CLOCK) private readonly clock: Clock,
    store: CycleStore,
  ) {
    this.json = new CycleViewJson(store);
  }

  private readonly json: CycleViewJson;

  /**
   * The cycle's view as its answer (a `GET`'s, an event's). A long-lived cycle's revisions and
   * options go as JSON made once and kept (the same bytes: see CycleViewJson), while a progress
   * update leaves them as they were; the whole history, asked for, is made each time.
   */
  private view(record: CycleRecord, res: FastifyReply, query: CycleViewQuery = {}): CycleDto | Readable {
    const cycle = mapCycle(record, this.clock.now(), query.view === 'full');
    res.header('ETag', `"${cycle.version}"`);
    const chunks = query.view === 'full' ? undefined : this.json.bytes(cycle);
    if (!chunks) return cycle;
    res.type('application/json; charset=utf-8');
    // Its length said, and its pieces written as they are (the kept ones not copied again).
    res.header(
      'content-length',
      chunks.reduce((n, chunk) => n + chunk.length, 0),
    );
    return Readable.from(chunks, { objectMode: false });
  }

  @Post()
  @ApiOperation({ summary: 'Open a cycle in draft (a commissioner member of the partnership)' })
  @ApiCreatedResponse({ type: CycleDto })
  async create(@Caller() caller: Principal, @Body() body: CreateCycleDto, @Res({ passthrough: true }) res: FastifyReply) {
    return this.view(await this.creation.create(caller, body), res);
  }

  @Get()
  @ApiOperation({ summary: "Cycles of the caller's partnerships, newest first" })
  @ApiOkResponse({ type: CyclePageDto })
  async list(@Caller() caller: Principal, @Query() query: ListCyclesQuery): Promise<CyclePageDto> {
    const page = await this.cycles.list(caller, { ...query, limit: query.limit ?? 20 });
    return { items: page.items.map(mapCycleSummary), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'The cycle: its latest problem revision and live options (`?view=full`: every revision and option)' })
  @ApiOkResponse({ type: CycleDto })
  async get(@Caller() caller: Principal, @CycleId() id: string, @Query() query: CycleViewQuery, @Res({ passthrough: true }) res: FastifyReply) {
    return this.view(await this.cycles.get(caller, id), res, query);
  }

  @Post(':id/events')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send an event to the cycle',
    description:
      'The body is `{ type, ...fields }`; each type has its own fields (see the schemas). 403 when the caller may not ' +
      'send it, 422 with the reason when the rules refuse it now, 409 when If-Match is stale.',
  })
  @ApiBody({ schema: { oneOf: EVENT_REFS, discriminator: { propertyName: 'type', mapping: EVENT_MAPPING } } })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read; 409 if the cycle has moved on' })
  @ApiHeader({ name: 'Prefer', required: false, description: '`return=minimal` (RFC 7240): answer `{ id, state, version, nextEvents }` instead of the whole cycle' })
  @ApiOkResponse({
    type: CycleDto,
    description: 'The cycle, as `GET` shows it (`?view=full` too); with `Prefer: return=minimal`, `{ id, state, version, nextEvents }` and `Preference-Applied: return=minimal`',
  })
  async send(
    @Caller() caller: Principal,
    @CycleId() id: string,
    @Body(EventPipe) event: EventInput,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Query() query: CycleViewQuery,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<CycleDto | Readable | MinimalCycleDto> {
    const minimal = prefersMinimal(prefer);
    const record = await this.events.send(caller, id, event, parseIfMatch(ifMatch), { minimal, full: query.view === 'full' });
    if (!minimal) return this.view(record, res, query);
    res.header('Preference-Applied', 'return=minimal');
    res.header('ETag', `"${record.row.version}"`);
    return { id: record.row.id, state: record.row.state, version: record.row.version, nextEvents: record.nextEvents };
  }

  @Get(':id/history')
  @ApiOperation({
    summary: 'Accepted events, oldest first',
    description: 'Without `limit` or `cursor`, the whole history as an array (streamed, however long); with either, a page `{ items, nextCursor }`.',
  })
  @ApiOkResponse({ schema: { oneOf: [{ type: 'array', items: { $ref: getSchemaPath(HistoryEntryDto) } }, { $ref: getSchemaPath(HistoryPageDto) }] } })
  async history(@Caller() caller: Principal, @CycleId() id: string, @Query() query: HistoryQuery, @Res() res: FastifyReply): Promise<void> {
    if (query.limit !== undefined || query.cursor !== undefined) {
      const page = await this.cycles.historyPage(caller, id, { cursor: query.cursor, limit: query.limit ?? 100 });
      res.send({ items: page.items.map(mapHistoryEntry), nextCursor: page.nextCursor });
      return;
    }
    const body = jsonArrayStream(await this.cycles.historyPages(caller, id), mapHistoryEntry);
    // Once some of the array is out, a failure cuts the answer short (invalid JSON): why is logged.
    body.on('error', (error) => this.logger.error({ err: error, cycleId: id }, 'The history stopped part way'));
    res.type('application/json; charset=utf-8').send(body);
  }

  @Get(':id/history/export')
  @HistoryExportRoute("The cycle's history")
  async exportHistory(@Caller() caller: Principal, @CycleId() id: string, @Res() res: FastifyReply): Promise<void> {
    const exportedAt = this.clock.now();
    const { head, pages } = await this.cycles.historyExport(caller, id);
    sendHistoryExport(res, this.logger, { history: 'cycle', subjectId: id, subjectKey: 'cycleId', head, pages, exportedAt });
  }

  @Get(':id/progress')
  @ApiOperation({ summary: 'Every progress update, oldest first, a page at a time (the cycle view carries the 20 newest)' })
  @ApiOkResponse({ type: ProgressPageDto })
  progress(@Caller() caller: Principal, @CycleId() id: string, @Query() query: ProgressQuery): Promise<ProgressPageDto> {
    return this.cycles.progress(caller, id, { cursor: query.cursor, limit: query.limit ?? 100 });
  }

  @Get(':id/revisions')
  @ApiOperation({ summary: 'Every problem revision, oldest first, a page at a time (the cycle view carries the latest)' })
  @ApiOkResponse({ type: RevisionPageDto })
  revisions(@Caller() caller: Principal, @CycleId() id: string, @Query() query: RevisionsQuery): Promise<RevisionPageDto> {
    return this.cycles.revisions(caller, id, { cursor: query.cursor, limit: query.limit ?? 100 });
  }

  @Get(':id/options')
  @ApiOperation({ summary: 'The options, in the order they were submitted, a page at a time; `?status=withdrawn` the withdrawn ones (the cycle view carries the live)' })
  @ApiOkResponse({ type: OptionPageDto })
  options(@Caller() caller: Principal, @CycleId() id: string, @Query() query: OptionsQuery): Promise<OptionPageDto> {
    return this.cycles.options(caller, id, { status: query.status, cursor: query.cursor, limit: query.limit ?? 100 });
  }

  @Get(':id/history/verify')
  @ExpensiveRead()
  @ApiOkResponse({ type: VerifyDto })
  @ApiOperation({
    summary: 'Whether the hash chain of the history is intact, and where it breaks if not',
    description: 'Goes on from the last entry verified before (a checkpoint); `?full=true` walks the whole chain. The worker also verifies every chain in full, in turn.',
  })
  verify(@Caller() caller: Principal, @CycleId() id: string, @Query() query: VerifyQuery): Promise<VerifyDto> {
    return this.cycles.verify(caller, id, { full: query.full === 'true' });
  }

  @Post(':id/history/:seq/redact')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Redacts one personal field of one history entry (admin), with a reason',
    description:
      'The field’s text becomes "[redacted]" in the history, the cycle’s views and exports; its salted digest stays in the chain, so `verify` stays intact. A REDACTED entry records the field, who and why. Only fields the entry sealed (what a person wrote) can be redacted (400 otherwise, naming them).',
  })
  @ApiBody({ type: RedactEntryDto })
  @ApiOkResponse({ schema: { type: 'object', properties: { seq: { type: 'integer' }, field: { type: 'string' }, redactedBySeq: { type: 'integer' } } } })
  redact(@Caller() caller: Principal, @CycleId() id: string, @Param('seq') seq: string, @Body() body: RedactEntryDto) {
    // A path that is not an entry's number names nothing.
    if (!/^[1-9][0-9]{0,8}$/.test(seq)) throw new NotFound('history entry');
    return this.releases.redact(caller, id, Number(seq), body);
  }
}

/** What an event answers when the client prefers a minimal answer. */
export interface MinimalCycleDto {
  id: string;
  state: string;
  version: number;
  nextEvents: string[];
}

/** RFC 7240: `Prefer: return=minimal`, among other preferences, in any case. */
export const prefersMinimal = (prefer: string | undefined): boolean => !!prefer && prefer.split(',').some((p) => /^\s*return\s*=\s*"?minimal"?\s*(;|$)/i.test(p));
