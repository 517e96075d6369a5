/** What the agreements feature holds about one person, for their subject-access export: their entries in agreements' histories, the free texts in them, the review dates they set. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AGREEMENT_FREE_TEXT_FIELDS, freeTextTypes, freeTextsOf } from '@app/domain';
import { entriesByActor } from '@app/history';

/** An entry the person made in a partnership agreement's history (its chain is the partnership's id). */
export interface SubjectAgreementEntry {
  partnershipId: string;
  seq: number;
  type: string;
  at: string;
  organisationId: string | null;
  representative: boolean;
}

/** A free text the person wrote in an agreement's history (the destination, a principle, a position, a reason). */
export interface SubjectAgreementText {
  partnershipId: string;
  seq: number;
  field: string;
  text: string;
}

const TEXT_PAGE = 100;

@Injectable()
export class AgreementsSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private readonly query = (sql: string, parameters: unknown[]) => this.dataSource.query(sql, parameters) as Promise<unknown[]>;

  /** Every entry the person made in an agreement's history, a page at a time (see entriesByActor). */
  async *historyEntries(userId: string): AsyncGenerator<SubjectAgreementEntry[]> {
    type Row = { subject_id: string; seq: number; type: string; at: Date; organisation_id: string | null; representative: boolean };
    for await (const rows of entriesByActor<Row>(this.query, { table: 'agreement_history', subject: 'partnership_id' }, userId, {
      columns: 'h.type, h.at, h.organisation_id, h.representative',
    })) {
      yield rows.map((r) => ({ partnershipId: r.subject_id, seq: r.seq, type: r.type, at: r.at.toISOString(), organisationId: r.organisation_id, representative: r.representative }));
    }
  }

  /** The free texts of the person's agreement entries (AGREEMENT_FREE_TEXT_FIELDS). */
  async *texts(userId: string): AsyncGenerator<SubjectAgreementText[]> {
    type Row = { subject_id: string; seq: number; type: string; payload: Record<string, unknown> };
    for await (const rows of entriesByActor<Row>(this.query, { table: 'agreement_history', subject: 'partnership_id' }, userId, {
      columns: 'h.type, h.payload',
      types: freeTextTypes(AGREEMENT_FREE_TEXT_FIELDS),
      pageSize: TEXT_PAGE,
    })) {
      const texts = rows.flatMap((r) => freeTextsOf(AGREEMENT_FREE_TEXT_FIELDS, r.type, r.payload).map(({ field, text }) => ({ partnershipId: r.subject_id, seq: r.seq, field, text })));
      if (texts.length) yield texts;
    }
  }

  /** The agreements' review dates the person set. */
  async reviews(userId: string): Promise<{ id: string; partnershipId: string; anchorId: string; offsetDays: number | null; offsetWorkingDays: number | null; status: string; createdAt: string }[]> {
    const rows: { id: string; partnership_id: string; anchor_id: string; offset_days: number | null; offset_working_days: number | null; status: string; created_at: Date }[] =
      await this.dataSource.query(
        `SELECT id, partnership_id, anchor_id, offset_days, offset_working_days, status, created_at FROM agreement_reviews WHERE created_by_user_id = $1 ORDER BY created_at, id`,
        [userId],
      );
    return rows.map((r) => ({
      id: r.id,
      partnershipId: r.partnership_id,
      anchorId: r.anchor_id,
      offsetDays: r.offset_days,
      offsetWorkingDays: r.offset_working_days,
      status: r.status,
      createdAt: r.created_at.toISOString(),
    }));
  }
}
