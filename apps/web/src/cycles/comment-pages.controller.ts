/**
 * Comments from the cycle page's forms: posting one (or a reply), its author changing it in its
 * first 15 minutes, a commissioner's member or a facilitator hiding one with a reason. The forms
 * sit on the cycle page; one that fails opens on a page of its own with what to put right.
 */
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { WebSession } from '@app/accounts';
import { COMMENT_SUBJECTS, type CommentSubject, CommentsService, CreateCommentDto, EditCommentDto, HideCommentDto, MAX_COMMENT_LENGTH, MAX_HIDE_REASON_LENGTH } from '@app/conversation';
import { CycleQueriesService } from '@app/cycles';
import { Forbidden, TransitionRefused, ValidationFailed, formErrorStatus } from '@app/domain';
import { IdPipe } from '@app/http';
import { LayoutService } from '../http/layout.service';
import { checkForm, field, text } from '../http/form';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

const CycleId = () => Param('id', new IdPipe('cycle'));
const CommentId = () => Param('commentId', new IdPipe('comment'));
const SHOWN_ERRORS = [ValidationFailed, Forbidden, TransitionRefused] as const;

/** What a comment is about, in words. */
function subjectLabel(subject: string, subjectId: string): string {
  switch (subject) {
    case 'revision':
      return `revision ${subjectId} of the problem`;
    case 'option':
      return 'the option';
    case 'proposal':
      return 'the proposal';
    default:
      return 'the objection';
  }
}

/** Where on the cycle page a part's comments are. */
function anchorOf(subject: string, subjectId: string): string {
  if (subject !== 'objection') return `${subject}-${subjectId}`;
  // An objection's key names what it objects to: `revision:<number>:…` or `proposal:<id>:…`.
  const [kind, of] = subjectId.split(':');
  return `${kind === 'revision' ? 'revision' : 'proposal'}-${of ?? ''}`;
}

@Controller('cycles')
export class CommentPagesController {
  constructor(
    private readonly comments: CommentsService,
    private readonly cycles: CycleQueriesService,
    private readonly layout: LayoutService,
  ) {}

  @Post(':id/comments')
  async post(@Session() session: WebSession, @CycleId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const shape = { subject: text(body, 'subject'), subjectId: text(body, 'subjectId'), body: field(body, 'body'), replyTo: text(body, 'replyTo') };
    const { value, errors } = await checkForm(
      CreateCommentDto,
      { ...shape, body: shape.body?.trim() || undefined },
      {
        subject: { field: 'comment-body', text: 'Choose what you are commenting on' },
        subjectId: { field: 'comment-body', text: 'Choose what you are commenting on' },
        body: { field: 'comment-body', text: shape.body?.trim() ? `Your comment must be ${MAX_COMMENT_LENGTH.toLocaleString('en-GB')} characters or fewer` : 'Enter your comment' },
        replyTo: { field: 'comment-body', text: 'Choose the comment you are replying to' },
      },
    );
    let status = 400;
    if (!errors.length) {
      try {
        const posted = await this.comments.post(session.principal, id, value);
        return res.redirect(303, `/cycles/${id}?done=COMMENTED#comment-${posted.id}`);
      } catch (error) {
        status = this.shown(error, errors);
      }
    }
    const subject = COMMENT_SUBJECTS.includes(shape.subject as CommentSubject) ? shape.subject! : 'revision';
    await this.form(res, status, session, id, {
      mode: shape.replyTo ? 'reply' : 'new',
      action: `/cycles/${id}/comments`,
      hidden: { subject, subjectId: shape.subjectId ?? '', replyTo: shape.replyTo ?? '' },
      about: subjectLabel(subject, shape.subjectId ?? ''),
      back: `/cycles/${id}#${anchorOf(subject, shape.subjectId ?? '')}`,
      body: shape.body ?? '',
      errors,
    });
  }

  @Get(':id/comments/:commentId/edit')
  async editPage(@Session() session: WebSession, @CycleId() id: string, @CommentId() commentId: string, @Res() res: Response) {
    const own = await this.comments.ownForEdit(session.principal, id, commentId);
    await this.form(res, 200, session, id, this.editForm(id, own, own.body, []));
  }

  @Post(':id/comments/:commentId/edit')
  async edit(@Session() session: WebSession, @CycleId() id: string, @CommentId() commentId: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const own = await this.comments.ownForEdit(session.principal, id, commentId);
    const typed = field(body, 'body') ?? '';
    const { value, errors } = await checkForm(
      EditCommentDto,
      { body: typed.trim() || undefined },
      {
        body: { field: 'comment-body', text: typed.trim() ? `Your comment must be ${MAX_COMMENT_LENGTH.toLocaleString('en-GB')} characters or fewer` : 'Enter your comment' },
      },
    );
    let status = 400;
    if (!errors.length) {
      try {
        await this.comments.edit(session.principal, id, commentId, value);
        return res.redirect(303, `/cycles/${id}?done=COMMENT_CHANGED#comment-${commentId}`);
      } catch (error) {
        status = this.shown(error, errors);
      }
    }
    await this.form(res, status, session, id, this.editForm(id, own, typed, errors));
  }

  @Get(':id/comments/:commentId/hide')
  async hidePage(@Session() session: WebSession, @CycleId() id: string, @CommentId() commentId: string, @Res() res: Response) {
    await this.requireModerator(session, id);
    await this.form(res, 200, session, id, this.hideForm(id, commentId, '', []));
  }

  @Post(':id/comments/:commentId/hide')
  async hide(@Session() session: WebSession, @CycleId() id: string, @CommentId() commentId: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    await this.requireModerator(session, id);
    const reason = text(body, 'reason');
    const { value, errors } = await checkForm(
      HideCommentDto,
      { reason },
      {
        reason: { field: 'hide-reason', text: reason ? `The reason must be ${MAX_HIDE_REASON_LENGTH.toLocaleString('en-GB')} characters or fewer` : 'Enter why you are hiding this comment' },
      },
    );
    let status = 400;
    if (!errors.length) {
      try {
        await this.comments.hide(session.principal, id, commentId, value);
        return res.redirect(303, `/cycles/${id}?done=COMMENT_HIDDEN#comment-${commentId}`);
      } catch (error) {
        status = this.shown(error, errors, 'hide-reason');
      }
    }
    await this.form(res, status, session, id, this.hideForm(id, commentId, reason ?? '', errors));
  }

  /** 404 for a cycle the caller cannot see, 403 unless they may hide its comments (before any form is read). */
  private async requireModerator(session: WebSession, id: string): Promise<void> {
    if (!(await this.comments.rights(session.principal, id)).hide) throw new Forbidden('Only members of the cycle’s commissioners and its facilitators hide comments.');
  }

  /** The error a form shows about itself (its status), or throws it on for the page filter. */
  private shown(error: unknown, errors: FormError[], field = 'comment-body'): number {
    const status = formErrorStatus(error, SHOWN_ERRORS);
    if (!status) throw error;
    if (error instanceof ValidationFailed) errors.push(...error.errors.map((e) => ({ field, text: `The ${e.field} ${e.message}` })));
    else errors.push({ field, text: (error as Error).message });
    return status;
  }

  private editForm(id: string, own: { id: string; subject: string; subjectId: string; editableUntil: Date }, body: string, errors: FormError[]) {
    return {
      mode: 'edit' as const,
      action: `/cycles/${id}/comments/${own.id}/edit`,
      hidden: {},
      about: subjectLabel(own.subject, own.subjectId),
      back: `/cycles/${id}#comment-${own.id}`,
      body,
      editableUntil: own.editableUntil,
      errors,
    };
  }

  private hideForm(id: string, commentId: string, reason: string, errors: FormError[]) {
    return { mode: 'hide' as const, action: `/cycles/${id}/comments/${commentId}/hide`, hidden: {}, about: '', back: `/cycles/${id}#comment-${commentId}`, body: reason, errors };
  }

  private async form(
    res: Response,
    status: number,
    session: WebSession,
    id: string,
    form: { mode: 'new' | 'reply' | 'edit' | 'hide'; action: string; hidden: Record<string, string>; about: string; back: string; body: string; editableUntil?: Date; errors: FormError[] },
  ) {
    const { row } = await this.cycles.visible(session.principal, id);
    const voice = session.principal.role === 'guest' && form.mode === 'new';
    const titles = { new: voice ? 'Give your view' : 'Add a comment', reply: 'Reply to a comment', edit: 'Change your comment', hide: 'Hide a comment' };
    res.status(status).render('comment-form', {
      ...(await this.layout.of(session)),
      section: 'work',
      title: titles[form.mode],
      cycle: { id, title: row.title },
      form,
      errors: form.errors,
    });
  }
}
