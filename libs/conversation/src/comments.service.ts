/**
 * Comments on a cycle's revisions, options, proposals and objections: talk beside the decisions,
 * never part of them. Posting or editing one changes nothing of the cycle (neither its state nor its
 * version); hiding one is recorded in its history (COMMENT_HIDDEN, the reason sealed as prose).
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountsService, Principal, principalOf } from '@app/accounts';
import { CLOCK } from '@app/config';
import { CycleEntity, CycleEventsService, CycleQueriesService, CycleView } from '@app/cycles';
import { Transactions } from '@app/database';
import { type Clock, type CycleContext, DomainError, Forbidden, NotFound, TransitionRefused, ValidationFailed, normaliseEmail, restoreCycle } from '@app/domain';
import { NotificationsService } from '@app/notifications';
import { COMMENT_SUBJECTS, CommentEntity, CommentSubject } from './comment.entity';

/** How long after posting its author may still change a comment. */
export const EDIT_WINDOW_MS = 15 * 60_000;
export const MAX_COMMENT_LENGTH = 10_000;
export const MAX_HIDE_REASON_LENGTH = 2000;
/** Mentions beyond these in one comment are not looked up (nobody is told by the hundred). */
const MAX_MENTIONS = 20;
/** What a mention of an address is shown as when it is not of a person who may see the cycle. */
export const HIDDEN_MENTION = '@[email address hidden]';
/** The notification's kind for a mention. */
export const COMMENT_MENTION = 'comment.mention';

/** `@name@example.org` at the start of the text or after a space or an opening bracket; trailing punctuation is not part of it. */
const MENTION = /(^|[\s(])@([^\s@()<>"',;]+@[^\s@()<>"',;]+[^\s@()<>"',;.:!?])/g;

/** A comment as everyone who may see the cycle sees it: a hidden one without its body. */
export interface CommentView {
  id: string;
  subject: CommentSubject;
  subjectId: string;
  replyTo: string | null;
  /** Null once hidden; mentions of people who may see the cycle are shown as `@Their Name`, others' addresses never. */
  body: string | null;
  authorUserId: string;
  at: Date;
  editedAt: Date | null;
  hidden: boolean;
  hiddenAt: Date | null;
  hiddenByUserId: string | null;
  hiddenReason: string | null;
}

export interface NewComment {
  subject: CommentSubject;
  subjectId: string;
  body: string;
  replyTo?: string | null;
}

/** The parts of a cycle a comment can be about, as ids: what a subjectId must be (docs/api.md). */
export function subjectExists(c: CycleContext, subject: CommentSubject, subjectId: string): boolean {
  switch (subject) {
    case 'revision':
      return /^[1-9]\d{0,5}$/.test(subjectId) && c.problem.revisions.some((r) => r.number === Number(subjectId));
    case 'option':
      return c.options.some((o) => o.id === subjectId);
    case 'proposal':
      return c.proposals.some((p) => p.id === subjectId);
    case 'objection': {
      // `revision:<number>:<organisationId>` (an objection to a problem revision) or `proposal:<proposalId>:<organisationId>`.
      const [kind, of, organisationId, ...rest] = subjectId.split(':');
      if (rest.length || !organisationId) return false;
      if (kind === 'revision') return c.problem.objections.some((o) => String(o.revision) === of && o.organisationId === organisationId);
      if (kind === 'proposal') return c.proposals.some((p) => p.id === of && p.objections.some((o) => o.organisationId === organisationId));
      return false;
    }
  }
}

/** The addresses a body mentions (lower-cased, each once, in order). */
export function mentionsIn(body: string): string[] {
  return [...new Set([...body.matchAll(MENTION)].map((m) => normaliseEmail(m[2])))];
}

/** Whether the caller takes part in the cycle: a user of a co-owner, on its panel, one of its facilitators, or a guest invited to it (who can see it at all). */
function takesPart(principal: Principal, c: CycleContext): boolean {
  if (principal.role === 'guest') return true;
  if (c.panelUserIds.includes(principal.userId) || c.facilitatorUserIds.includes(principal.userId)) return true;
  return principal.organisationId !== null && c.coOwners.some((o) => o.organisationId === principal.organisationId);
}

export interface CommentRights {
  comment: boolean;
  hide: boolean;
}

/** What the caller may do with a cycle's comments: nothing in an archived partnership's cycle, nor with a read token. */
function rightsOn(caller: Principal, row: CycleEntity, archived: boolean): CommentRights {
  const c = restoreCycle(row.snapshot).context;
  const writes = !archived && caller.tokenScope !== 'read';
  return { comment: writes && takesPart(caller, c), hide: writes && moderates(caller, c) };
}

/** Whether the caller may hide comments: a user of a commissioner co-owner, or a facilitator of the cycle. */
export function moderates(principal: Pick<Principal, 'userId' | 'organisationId'>, c: CycleContext): boolean {
  if (c.facilitatorUserIds.includes(principal.userId)) return true;
  return principal.organisationId !== null && c.coOwners.some((o) => o.role === 'commissioner' && o.organisationId === principal.organisationId);
}

@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queries: CycleQueriesService,
    private readonly events: CycleEventsService,
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationsService,
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get comments() {
    return this.transactions.manager.getRepository(CommentEntity);
  }

  /** Posts a comment (or a reply) on a part of the cycle; mentions of people who may see it tell them. */
  async post(caller: Principal, cycleId: string, input: NewComment): Promise<CommentView> {
    const body = checkedBody(input.body);
    const row = await this.participating(caller, cycleId);
    const c = restoreCycle(row.snapshot).context;
    if (!COMMENT_SUBJECTS.includes(input.subject)) throw new ValidationFailed([{ field: 'subject', message: `must be one of ${COMMENT_SUBJECTS.join(', ')}` }]);
    if (typeof input.subjectId !== 'string' || !subjectExists(c, input.subject, input.subjectId)) {
      throw new TransitionRefused(`This cycle has no ${input.subject} “${String(input.subjectId).slice(0, 100)}” to comment on.`);
    }
    const replyTo = input.replyTo ?? null;
    if (replyTo !== null) {
      const parent = await this.comments.findOne({ where: { id: replyTo, cycleId } });
      if (!parent || parent.subject !== input.subject || parent.subjectId !== input.subjectId) throw new TransitionRefused('A reply answers a comment on the same part of this cycle.');
      // Threads are one level deep: a reply to a reply joins its thread.
      if (parent.replyTo) return this.post(caller, cycleId, { ...input, replyTo: parent.replyTo });
    }
    const saved = await this.comments.save(
      this.comments.create({
        cycleId,
        subject: input.subject,
        subjectId: input.subjectId,
        replyTo,
        authorUserId: caller.userId,
        body,
        at: this.clock.now(),
        editedAt: null,
        hiddenAt: null,
        hiddenByUserId: null,
        hiddenReason: null,
      }),
    );
    await this.tellMentioned(caller, row, saved);
    return (await this.viewsOf(row, [saved]))[0];
  }

  /** The author changes their comment, within EDIT_WINDOW_MS of posting it. */
  async edit(caller: Principal, cycleId: string, commentId: string, input: { body: string }): Promise<CommentView> {
    const body = checkedBody(input.body);
    const row = await this.participating(caller, cycleId);
    const found = await this.mustFind(cycleId, commentId);
    if (found.authorUserId !== caller.userId) throw new Forbidden('Only the person who wrote a comment may change it.');
    if (found.hiddenAt) throw new TransitionRefused('This comment has been hidden: it cannot be changed.');
    const now = this.clock.now();
    if (now.getTime() - found.at.getTime() > EDIT_WINDOW_MS) {
      throw new Forbidden(tooLate(found.at));
    }
    await this.comments.update({ id: found.id }, { body, editedAt: now });
    const edited = { ...found, body, editedAt: now };
    await this.tellMentioned(caller, row, edited);
    return (await this.viewsOf(row, [edited]))[0];
  }

  /** The author's comment as they wrote it (mentions as typed), to change it: while they still may (as `edit`). */
  async ownForEdit(caller: Principal, cycleId: string, commentId: string): Promise<{ id: string; body: string; subject: CommentSubject; subjectId: string; editableUntil: Date }> {
    await this.participating(caller, cycleId);
    const found = await this.mustFind(cycleId, commentId);
    if (found.authorUserId !== caller.userId) throw new Forbidden('Only the person who wrote a comment may change it.');
    if (found.hiddenAt) throw new TransitionRefused('This comment has been hidden: it cannot be changed.');
    const editableUntil = new Date(found.at.getTime() + EDIT_WINDOW_MS);
    if (this.clock.now().getTime() > editableUntil.getTime()) throw new Forbidden(tooLate(found.at));
    return { id: found.id, body: found.body, subject: found.subject, subjectId: found.subjectId, editableUntil };
  }

  /** Whether the caller may comment on the cycle and hide its comments (404 when they may not see it). */
  async rights(caller: Principal, cycleId: string): Promise<CommentRights> {
    const { row, archived } = await this.queries.loadVisible(caller, cycleId, false);
    return rightsOn(caller, row, archived);
  }

  /**
   * The cycle's comments (as `list`) and what the caller may do with them, from one read of the
   * cycle: what its page shows. `read`: the cycle as its page already read it for the caller in
   * this request (they may see it), used instead of reading it again.
   */
  async forPage(caller: Principal, cycleId: string, read?: Pick<CycleView, 'row' | 'archived'>): Promise<{ items: CommentView[] } & CommentRights> {
    const { row, archived } = read?.row.id === cycleId ? read : await this.queries.loadVisible(caller, cycleId, false);
    const rows = await this.comments.find({ where: { cycleId }, order: { at: 'ASC', id: 'ASC' } });
    return { items: await this.viewsOf(row, threaded(rows)), ...rightsOn(caller, row, archived) };
  }

  /** A commissioner's member or a facilitator hides a comment, with a reason: kept, never shown again, the act in the cycle's history. */
  async hide(caller: Principal, cycleId: string, commentId: string, input: { reason: string }): Promise<CommentView> {
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (!reason || reason.length > MAX_HIDE_REASON_LENGTH || !reason.isWellFormed()) {
      throw new ValidationFailed([{ field: 'reason', message: `must say why, in 1 to ${MAX_HIDE_REASON_LENGTH} characters` }]);
    }
    const { row, archived } = await this.queries.loadVisible(caller, cycleId, false);
    if (archived) throw new TransitionRefused(ARCHIVED);
    if (!moderates(caller, restoreCycle(row.snapshot).context)) throw new Forbidden('Only members of the cycle’s commissioners and its facilitators hide comments.');
    const hidden = await this.transactions.run(async () => {
      const found = await this.comments.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id AND c.cycle_id = :cycleId', { id: commentId, cycleId }).getOne();
      if (!found) throw new NotFound('comment');
      if (found.hiddenAt) throw new TransitionRefused('This comment is already hidden.');
      const now = this.clock.now();
      await this.comments.update({ id: found.id }, { hiddenAt: now, hiddenByUserId: caller.userId, hiddenReason: reason });
      await this.events.recordEntry(cycleId, {
        type: 'COMMENT_HIDDEN',
        actor: { userId: caller.userId, organisationId: caller.organisationId, ...(await this.accounts.representationOf(caller.userId, caller.organisationId)) },
        payload: { commentId: found.id, subject: found.subject, subjectId: found.subjectId, reason },
        at: now,
        sealed: ['/reason'],
      });
      return { ...found, hiddenAt: now, hiddenByUserId: caller.userId, hiddenReason: reason };
    });
    return (await this.viewsOf(row, [hidden]))[0];
  }

  /** The cycle's comments (of one subject, or one part, when asked), oldest first, each reply after its thread's earlier ones. */
  async list(caller: Principal, cycleId: string, filter: { subject?: string; subjectId?: string } = {}): Promise<CommentView[]> {
    const { row } = await this.queries.loadVisible(caller, cycleId, false);
    if (filter.subject !== undefined && !COMMENT_SUBJECTS.includes(filter.subject as CommentSubject)) {
      throw new ValidationFailed([{ field: 'subject', message: `must be one of ${COMMENT_SUBJECTS.join(', ')}` }]);
    }
    if (filter.subjectId !== undefined && filter.subject === undefined) throw new ValidationFailed([{ field: 'subjectId', message: 'goes with a subject' }]);
    const rows = await this.comments.find({
      where: { cycleId, ...(filter.subject !== undefined && { subject: filter.subject as CommentSubject }), ...(filter.subjectId !== undefined && { subjectId: filter.subjectId }) },
      order: { at: 'ASC', id: 'ASC' },
    });
    return this.viewsOf(row, threaded(rows));
  }

  /** 404 when the caller may not see the cycle, 403 when they see it but take no part in it, 422 when its partnership is archived. */
  private async participating(caller: Principal, cycleId: string): Promise<CycleEntity> {
    const { row, archived } = await this.queries.loadVisible(caller, cycleId, false);
    if (archived) throw new TransitionRefused(ARCHIVED);
    if (!takesPart(caller, restoreCycle(row.snapshot).context)) {
      throw new Forbidden('Only the cycle’s co-owners, its review panel, its facilitators and the people invited to it comment on it.');
    }
    return row;
  }

  private async mustFind(cycleId: string, id: string): Promise<CommentEntity> {
    const found = await this.comments.findOne({ where: { id, cycleId } });
    if (!found) throw new NotFound('comment');
    return found;
  }

  /** Each address mentioned that is of an active person who may see the cycle (not the author): their name. Anyone else's is passed over, saying nothing of who exists. */
  private async mentionedPeople(row: CycleEntity, emails: string[]): Promise<Map<string, { userId: string; name: string }>> {
    const people = new Map<string, { userId: string; name: string }>();
    for (const email of emails) {
      const user = await this.accounts.findActiveByEmail(email);
      if (!user) continue;
      try {
        const full = await this.accounts.getUser(user.id);
        await this.queries.loadVisible(principalOf(full), row.id, false);
        people.set(email, { userId: full.id, name: full.name });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    return people;
  }

  /** Tells each person mentioned who may see the cycle, once per comment (an edit tells only those newly mentioned). */
  private async tellMentioned(caller: Principal, row: CycleEntity, comment: CommentEntity): Promise<void> {
    const people = [...(await this.mentionedPeople(row, mentionsIn(comment.body).slice(0, MAX_MENTIONS))).values()].filter((p) => p.userId !== caller.userId);
    if (!people.length) return;
    const author = await this.accounts.getUser(caller.userId);
    await this.notifications.notify(
      people.map((p) => ({
        userId: p.userId,
        kind: COMMENT_MENTION,
        cycleId: row.id,
        milestoneId: null,
        text: `${author.name} mentioned you in a comment on “${row.title}”`,
        link: `/cycles/${row.id}#comment-${comment.id}`,
        dedupeKey: `${COMMENT_MENTION}:${comment.id}`,
      })),
    );
  }

  /** The comments as shown: hidden ones without their bodies, mentions as names (or hidden addresses). */
  private async viewsOf(row: CycleEntity, rows: CommentEntity[]): Promise<CommentView[]> {
    const shown = rows.filter((r) => !r.hiddenAt);
    const people = await this.mentionedPeople(row, [...new Set(shown.flatMap((r) => mentionsIn(r.body)))]);
    return rows.map((r) => ({
      id: r.id,
      subject: r.subject,
      subjectId: r.subjectId,
      replyTo: r.replyTo,
      body: r.hiddenAt
        ? null
        : r.body.replace(MENTION, (_, before: string, email: string) => `${before}${people.has(normaliseEmail(email)) ? `@${people.get(normaliseEmail(email))!.name}` : HIDDEN_MENTION}`),
      authorUserId: r.authorUserId,
      at: r.at,
      editedAt: r.editedAt,
      hidden: r.hiddenAt !== null,
      hiddenAt: r.hiddenAt,
      hiddenByUserId: r.hiddenByUserId,
      hiddenReason: r.hiddenReason,
    }));
  }
}

const tooLate = (at: Date) => `A comment can be changed for ${EDIT_WINDOW_MS / 60_000} minutes after it is posted; this one was posted at ${at.toISOString()}. Post a new comment instead.`;

const ARCHIVED = 'This cycle’s partnership is archived: its cycles are read-only, comments too.';

/** A body as kept: trimmed, 1 to MAX_COMMENT_LENGTH characters of well-formed text. */
function checkedBody(value: unknown): string {
  const body = typeof value === 'string' ? value.trim() : '';
  if (!body || body.length > MAX_COMMENT_LENGTH || !body.isWellFormed()) {
    throw new ValidationFailed([{ field: 'body', message: `must be 1 to ${MAX_COMMENT_LENGTH} characters of text` }]);
  }
  return body;
}

/** Oldest first, each thread's replies straight after the comment they answer. */
function threaded(rows: CommentEntity[]): CommentEntity[] {
  const replies = new Map<string, CommentEntity[]>();
  for (const r of rows) if (r.replyTo) replies.set(r.replyTo, [...(replies.get(r.replyTo) ?? []), r]);
  const ids = new Set(rows.map((r) => r.id));
  const tops = rows.filter((r) => !r.replyTo || !ids.has(r.replyTo));
  return tops.flatMap((t) => [t, ...(replies.get(t.id) ?? [])]);
}
