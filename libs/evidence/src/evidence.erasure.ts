/** Erasure's part in the evidence feature (libs/data-protection calls it in its transaction). */
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '@app/config';
import { Transactions } from '@app/database';
import type { Clock } from '@app/domain';
import { AttachmentStores } from './attachment-store';

/** What an erased person's attachments read as. */
export const ERASED_NAME = '[erased]';

@Injectable()
export class EvidenceErasure {
  constructor(
    private readonly transactions: Transactions,
    private readonly stores: AttachmentStores,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The files a person uploaded are their data: their names become "[erased]" and their bytes are
   * dropped (PostgreSQL's chunks in the caller's transaction, S3's objects just after), the sha256
   * kept in the row and the chained history (which the cycle's own erasure of their sealed fields
   * leaves verifying). The reasons they gave for withdrawing attachments become "[erased]" too.
   * Answers how many files were erased.
   */
  async eraseUploader(userId: string): Promise<number> {
    const m = this.transactions.manager;
    const rows: { id: string; store: 'postgres' | 's3' }[] = await m.query(`SELECT id, store FROM attachments WHERE uploaded_by_user_id = $1 AND erased_at IS NULL FOR UPDATE`, [userId]);
    await m.query(`UPDATE attachments SET name = $2, erased_at = $3 WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id), ERASED_NAME, this.clock.now()]);
    await m.query(`UPDATE attachments SET withdrawn_reason = $2 WHERE withdrawn_by_user_id = $1`, [userId, ERASED_NAME]);
    const ids = rows.map((r) => r.id);
    if (ids.length) await m.query(`DELETE FROM attachment_chunks WHERE attachment_id = ANY($1::uuid[])`, [ids]);
    const inS3 = rows.filter((r) => r.store === 's3').map((r) => r.id);
    if (inS3.length) await this.stores.of('s3').discard(inS3);
    return ids.length;
  }
}
