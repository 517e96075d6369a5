/** What the evidence feature holds about one person, for their subject-access export: the attachments they uploaded and those they withdrew. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

/**
 * An attachment the person uploaded (its name, type, size and sha256: the bytes themselves are
 * downloaded from the cycle, as anyone who may see it does) or withdrew (with the reason they gave).
 */
export type SubjectAttachment =
  | {
      relation: 'uploaded';
      id: string;
      cycleId: string;
      subject: string;
      subjectId: string | null;
      name: string;
      mediaType: string;
      bytes: number;
      sha256: string;
      at: string;
      withdrawnAt: string | null;
      erasedAt: string | null;
    }
  | { relation: 'withdrew'; id: string; cycleId: string; sha256: string; withdrawnAt: string; reason: string | null };

const PAGE = 500;

@Injectable()
export class EvidenceSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every attachment the person uploaded or withdrew, oldest first, a page at a time. */
  async *attachments(userId: string): AsyncGenerator<SubjectAttachment[]> {
    type Row = {
      id: string;
      cycle_id: string;
      subject: string;
      subject_id: string | null;
      name: string;
      media_type: string;
      bytes: string;
      sha256: string;
      at: Date;
      withdrawn_at: Date | null;
      withdrawn_reason: string | null;
      erased_at: Date | null;
      uploaded: boolean;
      withdrew: boolean;
    };
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const rows: Row[] = await this.dataSource.query(
        `SELECT a.id, a.cycle_id, a.subject, a.subject_id, a.name, a.media_type, a.bytes, a.sha256, a.at, a.withdrawn_at, a.withdrawn_reason, a.erased_at,
           a.uploaded_by_user_id = $1 AS uploaded, a.withdrawn_by_user_id IS NOT DISTINCT FROM $1::uuid AS withdrew
         FROM attachments a
         WHERE (a.uploaded_by_user_id = $1 OR a.withdrawn_by_user_id = $1) AND ($2::timestamptz IS NULL OR (a.at, a.id) > ($2, $3::uuid))
         ORDER BY a.at, a.id LIMIT $4`,
        [userId, after?.at ?? null, after?.id ?? null, PAGE],
      );
      if (!rows.length) return;
      yield rows.flatMap((r): SubjectAttachment[] => [
        ...(r.uploaded
          ? [
              {
                relation: 'uploaded' as const,
                id: r.id,
                cycleId: r.cycle_id,
                subject: r.subject,
                subjectId: r.subject_id,
                name: r.name,
                mediaType: r.media_type,
                bytes: Number(r.bytes),
                sha256: r.sha256,
                at: r.at.toISOString(),
                withdrawnAt: iso(r.withdrawn_at),
                erasedAt: iso(r.erased_at),
              },
            ]
          : []),
        ...(r.withdrew ? [{ relation: 'withdrew' as const, id: r.id, cycleId: r.cycle_id, sha256: r.sha256, withdrawnAt: r.withdrawn_at!.toISOString(), reason: r.withdrawn_reason }] : []),
      ]);
      if (rows.length < PAGE) return;
      after = { at: rows[rows.length - 1].at, id: rows[rows.length - 1].id };
    }
  }
}
