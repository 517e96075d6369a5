/** The comments a cycle page shows beside its revisions and options: threads with names, not ids, and what the reader may do with each. */
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@app/accounts';
import { CLOCK } from '@app/config';
import { type CommentView, CommentsService, EDIT_WINDOW_MS } from '@app/conversation';
import type { CycleRecord } from '@app/cycles';
import type { Clock } from '@app/domain';
import { NamesService } from '../http/names.service';

/** One comment as the page shows it. */
export interface ShownComment {
  id: string;
  author: string;
  at: Date;
  edited: boolean;
  /** The body as HTML: escaped, its web addresses made links; null once hidden. */
  bodyHtml: string | null;
  hidden: boolean;
  hiddenBy: string | null;
  hiddenAt: Date | null;
  hiddenReason: string | null;
  canEdit: boolean;
  canHide: boolean;
}

export interface ShownThread extends ShownComment {
  replies: ShownComment[];
}

/** Everything the page's comment parts need: the threads by part (`revision:2`, `option:<id>`), and whether the reader may comment or hide. */
export interface CommentsOnPage {
  threads: Record<string, ShownThread[]>;
  canComment: boolean;
  canHide: boolean;
  /** A guest invited to give their view (not on the panel): the form says so. */
  voice: boolean;
}

const escapeHtml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** Plain text as HTML: everything escaped, web addresses (http and https only) made links that open without telling the other site where from. */
export function linkedText(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    html += escapeHtml(text.slice(last, match.index));
    const href = escapeHtml(match[0]);
    html += `<a class="govuk-link" href="${href}" rel="nofollow noopener noreferrer">${href}</a>`;
    last = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

@Injectable()
export class CommentThreads {
  constructor(
    private readonly comments: CommentsService,
    private readonly names: NamesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The cycle's comments for this reader (the record was read for them: they may see it). */
  async of(principal: Principal, record: CycleRecord): Promise<CommentsOnPage> {
    // (An archived partnership's cycles offer nothing to send, no comment either.)
    const { items, ...rights } = await this.comments.forPage(principal, record.row.id, record);
    const names = await this.names.of([], [...items.map((i) => i.authorUserId), ...items.map((i) => i.hiddenByUserId)]);
    const now = this.clock.now().getTime();
    const shown = (i: CommentView): ShownComment => ({
      id: i.id,
      author: names.user(i.authorUserId),
      at: i.at,
      edited: i.editedAt !== null,
      bodyHtml: i.body === null ? null : linkedText(i.body),
      hidden: i.hidden,
      hiddenBy: i.hiddenByUserId ? names.user(i.hiddenByUserId) : null,
      hiddenAt: i.hiddenAt,
      hiddenReason: i.hiddenReason,
      canEdit: rights.comment && !i.hidden && i.authorUserId === principal.userId && now - i.at.getTime() <= EDIT_WINDOW_MS,
      canHide: rights.hide && !i.hidden,
    });
    const threads: Record<string, ShownThread[]> = {};
    const byId = new Map<string, ShownThread>();
    for (const i of items) {
      if (i.replyTo && byId.has(i.replyTo)) {
        byId.get(i.replyTo)!.replies.push(shown(i));
        continue;
      }
      const thread = { ...shown(i), replies: [] };
      byId.set(i.id, thread);
      (threads[`${i.subject}:${i.subjectId}`] ??= []).push(thread);
    }
    const c = record.snapshot.context;
    const voice = principal.role === 'guest' && !c.panelUserIds.includes(principal.userId);
    return { threads, canComment: rights.comment, canHide: rights.hide, voice };
  }
}
