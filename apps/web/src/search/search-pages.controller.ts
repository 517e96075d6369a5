/** The search page: the header's search box (a GET form, no JavaScript needed) and its results, a page at a time. */
import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { WebSession } from '@app/accounts';
import { ValidationFailed } from '@app/domain';
import { ExpensiveRead } from '@app/http';
import { SEARCH_QUERY_MAX, SearchPage, SearchService } from '@app/search';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

const KIND_LABELS = { cycle: 'Cycle', option: 'Option', learning: 'Learning', comment: 'Comment' } as const;

/** Where on the cycle page a result is. */
const linkOf = (item: SearchPage['items'][number]) =>
  `/cycles/${item.cycleId}${item.kind === 'option' ? `#option-${item.id}` : item.kind === 'comment' ? `#comment-${item.id}` : item.kind === 'learning' ? '#learning' : ''}`;

@Controller('search')
export class SearchPagesController {
  constructor(
    private readonly search: SearchService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  @ExpensiveRead()
  async index(@Session() session: WebSession, @Query('q') q: unknown, @Query('cursor') cursor: unknown, @Res() res: Response) {
    const query = typeof q === 'string' ? q.trim() : '';
    const frame = { ...(await this.layout.of(session)), title: query ? `Search: ${query}` : 'Search', searchQuery: typeof q === 'string' ? q : '' };
    if (!query) return res.render('search', frame);
    if (query.length > SEARCH_QUERY_MAX || query.includes('\u0000')) {
      const errors: FormError[] = [{ field: 'q', text: query.length > SEARCH_QUERY_MAX ? `Enter at most ${SEARCH_QUERY_MAX} characters` : 'Enter words without control characters' }];
      return res.status(400).render('search', { ...frame, errors });
    }
    // A cursor that is not one this search gave out (an old link, a changed query) starts again from the first page.
    const page = await this.search.search(session.principal, { q: query, cursor: typeof cursor === 'string' ? cursor : undefined }).catch((error: unknown) => {
      if (error instanceof ValidationFailed) return this.search.search(session.principal, { q: query });
      throw error;
    });
    const results = page.items.map((item) => ({ ...item, kindLabel: KIND_LABELS[item.kind], link: linkOf(item) }));
    res.render('search', {
      ...frame,
      query,
      results,
      next: page.nextCursor ? `/search?${new URLSearchParams({ q: query, cursor: page.nextCursor }).toString()}` : null,
      first: typeof cursor === 'string' && cursor !== '',
    });
  }
}
