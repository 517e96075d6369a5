import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Principal } from '@app/accounts';
import { ExpensiveRead, PageLimit } from '@app/http';
import { SEARCH_KINDS, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX, SearchItem, SearchKind, SearchService, snippetHtml } from '@app/search';
import { Caller } from '../http/auth.guard';

export class SearchQuery {
  @ApiProperty({
    minLength: 1,
    maxLength: SEARCH_QUERY_MAX,
    description: 'Words (English stemming: "commissioning" finds "commissioned"); "quoted phrases", `or`, and `-word` to leave a word out, as web search engines read them',
  })
  @IsString()
  @MaxLength(SEARCH_QUERY_MAX)
  q!: string;
  @ApiPropertyOptional({ minimum: 1, maximum: SEARCH_PAGE_MAX, default: 20 }) @PageLimit(SEARCH_PAGE_MAX) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page, for the same q' }) @IsOptional() @IsString() @MaxLength(300) cursor?: string;
}

export class SearchItemDto {
  @ApiProperty({ enum: SEARCH_KINDS }) kind!: SearchKind;
  @ApiProperty({ format: 'uuid' }) cycleId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The option’s or the comment’s id, the learning’s number (from 1); null for the cycle itself' }) id!: string | null;
  @ApiProperty({ description: 'The cycle’s title, the option’s, the learning’s insight; for a comment, its cycle’s title' }) title!: string;
  @ApiProperty() cycleTitle!: string;
  @ApiProperty({ description: 'An option its authors withdrew (found all the same)' }) withdrawn!: boolean;
  @ApiProperty({ description: 'HTML: a passage of the text with each hit in `<mark>…</mark>`, everything else escaped (`&`, `<`, `>`, quotes)' }) snippet!: string;
}

export class SearchPageDto {
  @ApiProperty({ type: [SearchItemDto] }) items!: SearchItemDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` (with the same q) for the next page; null on the last' }) nextCursor!: string | null;
}

const mapItem = (item: SearchItem): SearchItemDto => ({ ...item, snippet: snippetHtml(item.snippet) });

@ApiTags('search')
@ApiBearerAuth()
@Controller('v1/search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  @ExpensiveRead()
  @ApiOperation({
    summary: 'Find cycles, options, learning and comments by words, best first, among the cycles the caller may see',
    description:
      'Only what the caller may see is searched, in the statement that ranks and pages: an admin every cycle, an independent facilitator the cycles that name them, a guest the cycles they were invited to, anyone else the cycles of their organisation’s partnerships. ' +
      'A cycle is found by its title and its latest problem statement, an option by its title and summary (withdrawn ones too, marked), learning by its insight and evidence, a comment by its body (hidden ones never). ' +
      'A title’s words weigh more than a body’s. q of 1 to 200 characters (400 otherwise); a q of only common words ("the and") finds nothing.',
  })
  @ApiOkResponse({ type: SearchPageDto })
  async find(@Caller() caller: Principal, @Query() query: SearchQuery): Promise<SearchPageDto> {
    const page = await this.search.search(caller, query);
    return { items: page.items.map(mapItem), nextCursor: page.nextCursor };
  }
}
