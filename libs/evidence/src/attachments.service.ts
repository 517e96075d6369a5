/**
 * Attachments: files kept as evidence on a cycle's problem revisions, options, progress reports and
 * learning review. An upload streams through the inspection (type sniffed from the bytes, size
 * limit, SHA-256) into the store, and its ATTACHED entry (with the sha256) is chained in the same
 * transaction; anything refused stores nothing. Never deleted: a commissioner withdraws one with a
 * reason (ATTACHMENT_WITHDRAWN, the reason sealed).
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import IORedis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { AccountsService, Principal, refusedWith } from '@app/accounts';
import { APP_CONFIG, AppConfig, CLOCK } from '@app/config';
import { CycleEntity, CycleEventsService, CycleQueriesService, type CycleRecord } from '@app/cycles';
import { Transactions } from '@app/database';
import { type Clock, type CycleContext, Forbidden, NotFound, TransitionRefused, ValidationFailed, restoreCycle } from '@app/domain';
import { REDIS } from '@app/queue';
import { ATTACHMENT_SUBJECTS, AttachmentEntity, AttachmentSubject } from './attachment.entity';
import { attachmentDisposition, formatBytes, inspect, sanitiseName } from './attachment-inspection';
import { AttachmentStores } from './attachment-store';

export const MAX_WITHDRAW_REASON_LENGTH = 2000;

/** An attachment as those who may see the cycle see it. */
export interface AttachmentView {
  id: string;
  name: string;
  mediaType: string;
  bytes: number;
  sha256: string;
  subject: AttachmentSubject;
  subjectId: string | null;
  uploadedBy: string;
  at: Date;
  withdrawn: boolean;
  withdrawnAt: Date | null;
  withdrawnBy: string | null;
  withdrawnReason: string | null;
  /** Its uploader was erased: its name reads "[erased]" and its bytes are gone (the sha256 stays). */
  erased: boolean;
}

/** An upload as the API or the web app read it from a multipart body: its fields (sent before the file) and the file's bytes as they come. */
export interface Upload {
  subject?: string;
  subjectId?: string;
  name?: string;
  bytes: AsyncIterable<Buffer>;
}

/** A download: the headers to send and the bytes as they are read. */
export interface AttachmentDownload {
  attachment: AttachmentView;
  headers: Record<string, string>;
  body: Readable;
}

export interface AttachmentRights {
  upload: boolean;
  withdraw: boolean;
}

/** Users of the cycle's co-owners and its review panel attach files. */
export function uploads(principal: Pick<Principal, 'userId' | 'organisationId'>, c: CycleContext): boolean {
  if (c.panelUserIds.includes(principal.userId)) return true;
  return principal.organisationId !== null && c.coOwners.some((o) => o.organisationId === principal.organisationId);
}

/** Users of a commissioner co-owner withdraw attachments. */
export function withdraws(principal: Pick<Principal, 'userId' | 'organisationId'>, c: CycleContext): boolean {
  return principal.organisationId !== null && c.coOwners.some((o) => o.role === 'commissioner' && o.organisationId === principal.organisationId);
}

const ARCHIVED = 'This cycle’s partnership is archived: its cycles are read-only, attachments too.';

@Injectable()
export class AttachmentsService {
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly queries: CycleQueriesService,
    private readonly events: CycleEventsService,
    private readonly accounts: AccountsService,
    private readonly transactions: Transactions,
    private readonly stores: AttachmentStores,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REDIS) redis: IORedis,
  ) {
    const perMinute = config.attachments.uploadsPerMinute;
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${config.redis.prefix}:attachment-uploads`, points: perMinute, duration: 60, inMemoryBlockOnConsumed: perMinute + 1 });
  }

  private get attachments() {
    return this.transactions.manager.getRepository(AttachmentEntity);
  }

  /** The largest file accepted, in bytes (ATTACHMENT_MAX_BYTES). */
  get maxBytes(): number {
    return this.config.attachments.maxBytes;
  }

  /**
   * Who may attach files, checked before a byte of the file is read: 404 when the caller may not
   * see the cycle, 403 when they take no part, 422 when it is archived or the subject is not part
   * of it, 429 past ATTACHMENT_UPLOADS_PER_MINUTE.
   */
  async checkUpload(caller: Principal, cycleId: string, fields: { subject?: string; subjectId?: string }): Promise<{ row: CycleEntity; subject: AttachmentSubject; subjectId: string | null }> {
    const { row, archived } = await this.queries.loadVisible(caller, cycleId, false);
    if (archived) throw new TransitionRefused(ARCHIVED);
    const c = restoreCycle(row.snapshot).context;
    if (caller.tokenScope === 'read' || !uploads(caller, c)) throw new Forbidden('Only the users of the cycle’s co-owners and its review panel attach files to it.');
    const subject = fields.subject as AttachmentSubject;
    if (!ATTACHMENT_SUBJECTS.includes(subject)) throw new ValidationFailed([{ field: 'subject', message: `must be one of ${ATTACHMENT_SUBJECTS.join(', ')} (sent before the file)` }]);
    const subjectId = subject === 'review' ? null : (fields.subjectId ?? '');
    if (subjectId !== null && (subjectId.length < 1 || subjectId.length > 200 || !subjectId.isWellFormed())) {
      throw new ValidationFailed([{ field: 'subjectId', message: 'must name the revision, option or progress report (sent before the file)' }]);
    }
    if (!(await this.subjectExists(caller, row.id, c, subject, subjectId))) {
      throw new TransitionRefused(`This cycle has no ${subject} “${String(subjectId).slice(0, 100)}” to attach a file to.`);
    }
    await this.limiter.consume(caller.userId).catch(refusedWith((wait) => `Too many uploads from your account. Try again in ${wait}.`));
    return { row, subject, subjectId };
  }

  /**
   * Attaches a file: the checks of `checkUpload`, then its bytes streamed through the inspection
   * into the store and the ATTACHED entry chained, in one transaction (a refusal part way, 413 or
   * 415, leaves nothing behind).
   */
  async upload(caller: Principal, cycleId: string, upload: Upload): Promise<AttachmentView> {
    const { subject, subjectId } = await this.checkUpload(caller, cycleId, upload);
    return this.store(caller, cycleId, subject, subjectId, upload);
  }

  /** The second half of `upload`, once `checkUpload` has passed. */
  async store(caller: Principal, cycleId: string, subject: AttachmentSubject, subjectId: string | null, upload: Upload): Promise<AttachmentView> {
    const id = randomUUID();
    const store = this.stores.current;
    const inspection = inspect(upload.bytes, upload.name ?? '', this.maxBytes);
    const actor = await this.queries.actorOf(caller);
    // A store may wrap what the inspection refused (S3's SDK does): the refusal is what the caller hears.
    let refusal: unknown;
    const guarded = (async function* () {
      try {
        yield* inspection.bytes;
      } catch (error) {
        refusal = error;
        throw error;
      }
    })();
    try {
      const saved = await this.transactions.run(async () => {
        // The bytes first, the row last: inserting the row takes a share lock on the cycle, which taken
        // before the history's lock on it deadlocks two uploads to one cycle (chunks' key is deferred).
        await store.put(id, guarded);
        const { mediaType, bytes, sha256 } = inspection.result();
        const name = sanitiseName(upload.name, mediaType);
        const at = this.clock.now();
        await this.events.recordEntry(cycleId, {
          type: 'ATTACHED',
          actor,
          payload: { attachmentId: id, subject, subjectId, name, mediaType, bytes, sha256 },
          at,
          // The file's name is its uploader's words (it may name a person): sealed, so erasure can release it.
          sealed: ['/name'],
        });
        const row = this.attachments.create({
          id,
          cycleId,
          subject,
          subjectId,
          name,
          mediaType,
          bytes,
          sha256,
          store: store.kind,
          uploadedByUserId: caller.userId,
          at,
          withdrawnAt: null,
          withdrawnByUserId: null,
          withdrawnReason: null,
          erasedAt: null,
        });
        await this.attachments.insert(row);
        return row;
      });
      return viewOf(saved);
    } catch (error) {
      await store.discard([id]).catch(() => undefined);
      throw refusal ?? error;
    }
  }

  /** The cycle's attachments, oldest first; withdrawn ones only when asked (404 when the caller may not see the cycle). */
  async list(caller: Principal, cycleId: string, options: { withdrawn?: boolean } = {}): Promise<AttachmentView[]> {
    await this.queries.loadVisible(caller, cycleId, false);
    const rows = await this.attachments.find({ where: { cycleId }, order: { at: 'ASC', id: 'ASC' } });
    return rows.filter((r) => options.withdrawn || !r.withdrawnAt).map(viewOf);
  }

  /**
   * The attachments (not withdrawn) and what the caller may do with them, from one read of the cycle:
   * what its page shows; the withdrawn ones too for the commissioners' users, whose record they stay in.
   */
  async forPage(
    caller: Principal,
    cycleId: string,
    /** The cycle as read for this caller (the page has it): not read again. */
    read?: Pick<CycleRecord, 'row' | 'snapshot' | 'archived'>,
  ): Promise<{ items: AttachmentView[]; withdrawn: AttachmentView[]; maxBytes: number } & AttachmentRights> {
    const { c, archived } =
      read?.row.id === cycleId
        ? { c: read.snapshot.context, archived: read.archived }
        : await this.queries.loadVisible(caller, cycleId, false).then(({ row, archived }) => ({ c: restoreCycle(row.snapshot).context, archived }));
    const writes = !archived && caller.tokenScope !== 'read';
    const rows = await this.attachments.find({ where: { cycleId }, order: { at: 'ASC', id: 'ASC' } });
    return {
      items: rows.filter((r) => !r.withdrawnAt).map(viewOf),
      withdrawn: withdraws(caller, c) ? rows.filter((r) => r.withdrawnAt).map(viewOf) : [],
      maxBytes: this.maxBytes,
      upload: writes && uploads(caller, c),
      withdraw: writes && withdraws(caller, c),
    };
  }

  /**
   * The bytes, to those who may see the cycle (others: 404); a withdrawn one to the commissioners'
   * users only, whose record it stays in; an erased one to nobody.
   */
  async download(caller: Principal, cycleId: string, attachmentId: string): Promise<AttachmentDownload> {
    const { row } = await this.queries.loadVisible(caller, cycleId, false);
    const found = await this.attachments.findOne({ where: { id: attachmentId, cycleId } });
    if (!found || found.erasedAt) throw new NotFound('attachment');
    if (found.withdrawnAt && !withdraws(caller, restoreCycle(row.snapshot).context)) throw new NotFound('attachment');
    const body = await this.stores.of(found.store).get(found.id);
    return {
      attachment: viewOf(found),
      headers: {
        'content-type': found.mediaType.startsWith('text/') ? `${found.mediaType}; charset=utf-8` : found.mediaType,
        'content-length': String(found.bytes),
        'content-disposition': attachmentDisposition(found.name),
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
        'content-security-policy': "default-src 'none'; sandbox",
        'x-attachment-sha256': found.sha256,
      },
      body,
    };
  }

  /** A commissioner's user withdraws an attachment with a reason: hidden from the list, kept, the act chained in the history. */
  async withdraw(caller: Principal, cycleId: string, attachmentId: string, input: { reason: string }): Promise<AttachmentView> {
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (!reason || reason.length > MAX_WITHDRAW_REASON_LENGTH || !reason.isWellFormed()) {
      throw new ValidationFailed([{ field: 'reason', message: `must say why, in 1 to ${MAX_WITHDRAW_REASON_LENGTH} characters` }]);
    }
    const { row, archived } = await this.queries.loadVisible(caller, cycleId, false);
    if (archived) throw new TransitionRefused(ARCHIVED);
    if (caller.tokenScope === 'read' || !withdraws(caller, restoreCycle(row.snapshot).context)) throw new Forbidden('Only the users of the cycle’s commissioners withdraw attachments.');
    const actor = await this.queries.actorOf(caller);
    const withdrawn = await this.transactions.run(async () => {
      const found = await this.attachments.createQueryBuilder('a').setLock('pessimistic_write').where('a.id = :id AND a.cycle_id = :cycleId', { id: attachmentId, cycleId }).getOne();
      if (!found) throw new NotFound('attachment');
      if (found.withdrawnAt) throw new TransitionRefused('This attachment is already withdrawn.');
      const now = this.clock.now();
      await this.attachments.update({ id: found.id }, { withdrawnAt: now, withdrawnByUserId: caller.userId, withdrawnReason: reason });
      await this.events.recordEntry(cycleId, {
        type: 'ATTACHMENT_WITHDRAWN',
        actor,
        payload: { attachmentId: found.id, sha256: found.sha256, reason },
        at: now,
        sealed: ['/reason'],
      });
      return { ...found, withdrawnAt: now, withdrawnByUserId: caller.userId, withdrawnReason: reason };
    });
    return viewOf(withdrawn);
  }

  /** Whether the subject is part of the cycle: a revision by number, an option by id, a progress report by its history position, the review (no id). */
  private async subjectExists(caller: Principal, cycleId: string, c: CycleContext, subject: AttachmentSubject, subjectId: string | null): Promise<boolean> {
    switch (subject) {
      case 'revision':
        return /^[1-9]\d{0,5}$/.test(subjectId!) && c.problem.revisions.some((r) => r.number === Number(subjectId));
      case 'option':
        return c.options.some((o) => o.id === subjectId);
      case 'progress': {
        if (!/^[1-9]\d{0,8}$/.test(subjectId!)) return false;
        const seq = Number(subjectId);
        const page = await this.queries.progress(caller, cycleId, { cursor: String(seq - 1), limit: 1 });
        return page.items[0]?.seq === seq;
      }
      case 'review':
        return true;
    }
  }

  /** What the list and the page say of the limit. */
  describeLimit(): string {
    return formatBytes(this.maxBytes);
  }

  /** Whether the accounts know this person (for the page's "who"): their names by id. */
  async namesOf(userIds: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of new Set(userIds)) {
      try {
        names.set(id, (await this.accounts.getUser(id)).name);
      } catch {
        names.set(id, 'Unknown');
      }
    }
    return names;
  }
}

export function viewOf(r: AttachmentEntity): AttachmentView {
  return {
    id: r.id,
    name: r.name,
    mediaType: r.mediaType,
    bytes: r.bytes,
    sha256: r.sha256,
    subject: r.subject,
    subjectId: r.subjectId,
    uploadedBy: r.uploadedByUserId,
    at: r.at,
    withdrawn: r.withdrawnAt !== null,
    withdrawnAt: r.withdrawnAt,
    withdrawnBy: r.withdrawnByUserId,
    withdrawnReason: r.withdrawnReason,
    erased: r.erasedAt !== null,
  };
}
