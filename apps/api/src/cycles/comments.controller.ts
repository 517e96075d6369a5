import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { COMMENT_SUBJECTS, CommentSubject, CommentView, CommentsService, CreateCommentDto, EditCommentDto, HideCommentDto } from '@app/conversation';
import { IdPipe } from '@app/http';
import { Caller } from '../http/auth.guard';

export class CommentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: COMMENT_SUBJECTS }) subject!: CommentSubject;
  @ApiProperty({ description: 'A revision’s number, an option’s or a proposal’s id, or an objection’s key (see the request)' }) subjectId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The comment this one answers' }) replyTo!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Plain text; null once hidden. Mentions of people who may see the cycle read `@Their Name`; an address of anyone else reads `@[email address hidden]`.',
  })
  body!: string | null;
  @ApiProperty({ format: 'uuid' }) authorUserId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) editedAt!: string | null;
  @ApiProperty() hidden!: boolean;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) hiddenAt!: string | null;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Who hid it (a commissioner’s member or a facilitator)' }) hiddenByUserId!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Why it was hidden' }) hiddenReason!: string | null;
}

export class CommentListDto {
  @ApiProperty({ type: [CommentDto] }) items!: CommentDto[];
}

const iso = (at: Date | null) => (at ? at.toISOString() : null);
const mapComment = (c: CommentView): CommentDto => ({ ...c, at: c.at.toISOString(), editedAt: iso(c.editedAt), hiddenAt: iso(c.hiddenAt) });

@ApiTags('cycles')
@ApiBearerAuth()
@Controller('v1/cycles/:id/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @Post()
  @ApiOperation({
    summary: 'Comment on a revision, an option, a proposal or an objection (or reply to a comment)',
    description:
      'By the users of the cycle’s co-owners, its review panel, its facilitators and the guests invited to it (403 for anyone else who sees it; 404 for those who do not). ' +
      'The subject must be part of the cycle (422 otherwise); a reply answers a comment of the same subject, and threads are one level deep. ' +
      '`@<email>` of a person who may see the cycle tells them (a notification, emailed as they chose); anyone else’s address is passed over without a word. ' +
      'A comment changes nothing of the cycle: not its state, not its version, not its history.',
  })
  @ApiCreatedResponse({ type: CommentDto })
  async create(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string, @Body() body: CreateCommentDto): Promise<CommentDto> {
    return mapComment(await this.comments.post(caller, id, body));
  }

  @Get()
  @ApiOperation({ summary: 'The cycle’s comments, oldest first, each reply after the comment it answers (hidden ones without their bodies)' })
  @ApiQuery({ name: 'subject', required: false, enum: COMMENT_SUBJECTS })
  @ApiQuery({ name: 'subjectId', required: false, description: 'With subject: one part’s thread' })
  @ApiOkResponse({ type: CommentListDto })
  async list(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string, @Query('subject') subject?: string, @Query('subjectId') subjectId?: string): Promise<CommentListDto> {
    const one = (v: unknown) => (Array.isArray(v) ? '' : (v as string | undefined));
    return { items: (await this.comments.list(caller, id, { subject: one(subject), subjectId: one(subjectId) })).map(mapComment) };
  }

  @Patch(':commentId')
  @ApiOperation({ summary: 'Change a comment: its author only (403), within 15 minutes of posting it (403 after, saying so)' })
  @ApiOkResponse({ type: CommentDto })
  async edit(
    @Caller() caller: Principal,
    @Param('id', new IdPipe('cycle')) id: string,
    @Param('commentId', new IdPipe('comment')) commentId: string,
    @Body() body: EditCommentDto,
  ): Promise<CommentDto> {
    return mapComment(await this.comments.edit(caller, id, commentId, body));
  }

  @Post(':commentId/hide')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hide a comment, with a reason: a commissioner’s member or a facilitator (403 otherwise)',
    description: 'Its body is shown to nobody again; who hid it, when and why are shown instead, and a COMMENT_HIDDEN entry (the reason sealed) is chained in the cycle’s history.',
  })
  @ApiOkResponse({ type: CommentDto })
  async hide(
    @Caller() caller: Principal,
    @Param('id', new IdPipe('cycle')) id: string,
    @Param('commentId', new IdPipe('comment')) commentId: string,
    @Body() body: HideCommentDto,
  ): Promise<CommentDto> {
    return mapComment(await this.comments.hide(caller, id, commentId, body));
  }
}
