import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { COMMENT_SUBJECTS, CommentSubject } from './comment.entity';
import { MAX_COMMENT_LENGTH, MAX_HIDE_REASON_LENGTH } from './comments.service';

/** A comment posted on part of a cycle (the API's pipe validates with this class). */
export class CreateCommentDto {
  @ApiProperty({ enum: COMMENT_SUBJECTS, description: 'What the comment is about' })
  @IsIn(COMMENT_SUBJECTS)
  subject!: CommentSubject;

  @ApiProperty({
    example: '2',
    maxLength: 200,
    description:
      'Which one: a revision’s number ("2"), an option’s or a proposal’s id, or an objection as `revision:<number>:<organisationId>` ' +
      '(an organisation’s objection to a problem revision) or `proposal:<proposalId>:<organisationId>` (its objection to a proposal)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  subjectId!: string;

  @ApiProperty({ example: 'Could we ask @sam.patel@example.org how the winter calls went last year?', maxLength: MAX_COMMENT_LENGTH, description: 'Plain text; `@<email>` mentions a person' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_COMMENT_LENGTH)
  body!: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The comment this one answers (of the same subject); threads are one level deep' })
  @IsOptional()
  @IsUUID()
  replyTo?: string | null;
}

export class EditCommentDto {
  @ApiProperty({ maxLength: MAX_COMMENT_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_COMMENT_LENGTH)
  body!: string;
}

export class HideCommentDto {
  @ApiProperty({ example: 'Names a resident’s address', maxLength: MAX_HIDE_REASON_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_HIDE_REASON_LENGTH)
  reason!: string;
}
