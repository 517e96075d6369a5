/** What the conversation feature holds about one person, for their subject-access export: the comments they wrote and those they hid. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

/** A comment the person wrote (with its body, as they wrote it) or hid (with the reason they gave; the body is its author's). */
export type SubjectComment =
  | { relation: 'wrote'; id: string; cycleId: string; subject: string; subjectId: string; replyTo: string | null; body: string; at: string; editedAt: string | null; hiddenAt: string | null }
  | { relation: 'hid'; id: string; cycleId: string; subject: string; subjectId: string; hiddenAt: string; reason: string | null };

const PAGE = 500;

@Injectable()
export class ConversationSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every comment the person wrote or hid, oldest first, a page at a time. */
  async *comments(userId: string): AsyncGenerator<SubjectComment[]> {
    type Row = {
      id: string;
      cycle_id: string;
      subject: string;
      subject_id: string;
      reply_to: string | null;
      body: string;
      at: Date;
      edited_at: Date | null;
      hidden_at: Date | null;
      hidden_reason: string | null;
      wrote: boolean;
      hid: boolean;
    };
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const rows: Row[] = await this.dataSource.query(
        `SELECT c.id, c.cycle_id, c.subject, c.subject_id, c.reply_to, c.body, c.at, c.edited_at, c.hidden_at, c.hidden_reason,
           c.author_user_id = $1 AS wrote, c.hidden_by_user_id IS NOT DISTINCT FROM $1::uuid AS hid
         FROM comments c
         WHERE (c.author_user_id = $1 OR c.hidden_by_user_id = $1) AND ($2::timestamptz IS NULL OR (c.at, c.id) > ($2, $3::uuid))
         ORDER BY c.at, c.id LIMIT $4`,
        [userId, after?.at ?? null, after?.id ?? null, PAGE],
      );
      if (!rows.length) return;
      yield rows.flatMap((r): SubjectComment[] => {
        const common = { id: r.id, cycleId: r.cycle_id, subject: r.subject, subjectId: r.subject_id };
        return [
          ...(r.wrote ? [{ relation: 'wrote' as const, ...common, replyTo: r.reply_to, body: r.body, at: r.at.toISOString(), editedAt: iso(r.edited_at), hiddenAt: iso(r.hidden_at) }] : []),
          ...(r.hid ? [{ relation: 'hid' as const, ...common, hiddenAt: r.hidden_at!.toISOString(), reason: r.hidden_reason }] : []),
        ];
      });
      if (rows.length < PAGE) return;
      after = { at: rows[rows.length - 1].at, id: rows[rows.length - 1].id };
    }
  }
}
