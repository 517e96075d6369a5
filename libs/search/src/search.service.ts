/** Search across the caller's partnerships: cycles, options, learning and comments, by words with English stemming, only within what they may see. */
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Principal, isAdmin } from '@app/accounts';
import { ValidationFailed } from '@app/domain';
import { HIT_END, HIT_START, STAND_INS, SearchKind, SearchPosition, SearchRepository, SearchViewer } from './search.repository';

export const SEARCH_QUERY_MAX = 200;
export const SEARCH_PAGE_MAX = 50;

/** A piece of a snippet: a hit (to mark) or the text around it. */
export interface SnippetPart {
  text: string;
  hit: boolean;
}

export interface SearchItem {
  kind: SearchKind;
  cycleId: string;
  /** The option's or comment's id, the learning's number (from 1); null for the cycle itself. */
  id: string | null;
  /** The cycle's, option's or learning's (its insight) title; a comment's cycle's title. */
  title: string;
  cycleTitle: string;
  /** An option withdrawn by its authors: still found, and said to be. */
  withdrawn: boolean;
  snippet: SnippetPart[];
}

export interface SearchPage {
  items: SearchItem[];
  nextCursor: string | null;
}

/** Whose cycles a person sees, as CycleQueriesService.loadVisible decides (null: none). */
export function viewerOf(principal: Principal): SearchViewer | null {
  if (isAdmin(principal)) return { all: true };
  if (principal.role === 'guest') return { guestUserId: principal.userId };
  if (principal.organisationKind === 'facilitator') return { facilitatorUserId: principal.userId };
  return principal.organisationId ? { memberOrganisationId: principal.organisationId } : null;
}

/** The parts of a snippet PostgreSQL marked with HIT_START and HIT_END. */
export function snippetParts(marked: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const restored = marked.replace(/[\uE002-\uE004]/g, (ch) => STAND_INS[ch]);
  for (const [i, piece] of restored.split(HIT_START).entries()) {
    // Before the first mark, text only; after each, the hit up to its end mark, then text.
    const end = i === 0 ? -1 : piece.indexOf(HIT_END);
    const [hit, rest] = end < 0 ? ['', piece.replaceAll(HIT_END, '')] : [piece.slice(0, end), piece.slice(end + 1).replaceAll(HIT_END, '')];
    if (hit) parts.push({ text: hit, hit: true });
    if (rest) parts.push({ text: rest, hit: false });
  }
  return parts;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A snippet as HTML: its text escaped, each hit in <mark>. */
export const snippetHtml = (parts: SnippetPart[]): string => parts.map((p) => (p.hit ? `<mark>${escapeHtml(p.text)}</mark>` : escapeHtml(p.text))).join('');

const queryDigest = (q: string) => createHash('sha256').update(q).digest('base64url').slice(0, 12);
const CURSOR_FIELD = [{ field: 'cursor', message: 'is not a cursor this search gave out' }];

@Injectable()
export class SearchService {
  constructor(private readonly repository: SearchRepository) {}

  /** A page of what matches `q` among what the caller may see, best first; `cursor` is the nextCursor of the page before (for the same q). */
  async search(principal: Principal, request: { q?: unknown; cursor?: unknown; limit?: number }): Promise<SearchPage> {
    const q = typeof request.q === 'string' ? request.q.trim() : '';
    // PostgreSQL's text holds no NUL: refused here rather than by the driver.
    if (!q || q.length > SEARCH_QUERY_MAX || q.includes('\u0000')) throw new ValidationFailed([{ field: 'q', message: `must be 1 to ${SEARCH_QUERY_MAX} characters` }]);
    const limit = request.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_PAGE_MAX) throw new ValidationFailed([{ field: 'limit', message: `must be 1 to ${SEARCH_PAGE_MAX}` }]);
    const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor, q);
    const viewer = viewerOf(principal);
    if (!viewer) return { items: [], nextCursor: null };
    const rows = await this.repository.search(viewer, q, after, limit + 1);
    const page = rows.slice(0, limit);
    const items = page.map((r) => ({
      kind: r.kind,
      cycleId: r.cycleId,
      id: r.kind === 'cycle' ? null : r.key.slice(r.key.indexOf(':') + 1),
      title: r.kind === 'comment' ? r.cycleTitle : r.title,
      cycleTitle: r.cycleTitle,
      withdrawn: r.withdrawn,
      snippet: snippetParts(r.snippet),
    }));
    return { items, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].position, q) : null };
  }
}

/** A cursor names the last row of its page and the query it was given for (another query's cursor is refused). */
function encodeCursor(position: SearchPosition, q: string): string {
  return Buffer.from(JSON.stringify([position.rank, position.cycleId, position.key, queryDigest(q)])).toString('base64url');
}

function decodeCursor(cursor: unknown, q: string): SearchPosition {
  if (typeof cursor !== 'string' || cursor.length > 300 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new ValidationFailed(CURSOR_FIELD);
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationFailed(CURSOR_FIELD);
  }
  if (!Array.isArray(fields) || fields.length !== 4) throw new ValidationFailed(CURSOR_FIELD);
  const [rank, cycleId, key, digest] = fields as unknown[];
  const valid =
    typeof rank === 'string' &&
    /^(\d+(\.\d+)?(e-?\d+)?)$/.test(rank) &&
    typeof cycleId === 'string' &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(cycleId) &&
    typeof key === 'string' &&
    /^(cycle|option:[\w-]{1,64}|learning:\d{1,6}|comment:[0-9a-f-]{36})$/.test(key) &&
    digest === queryDigest(q);
  if (!valid) throw new ValidationFailed(CURSOR_FIELD);
  return { rank, cycleId, key };
}
