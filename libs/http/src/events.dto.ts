import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type, plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsUUID,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
  validate,
} from 'class-validator';
import type { EventInput } from '@app/cycles';
import { MILESTONE_EVENT_TYPES, ValidationFailed } from '@app/domain';
import { fieldProblems } from './validation';
import { Text } from './validators';

const TypeIs = (type: string) => (target: object, key: string) => {
  ApiProperty({ enum: [type] })(target, key);
  IsIn([type])(target, key);
};

export class LaunchEvent {
  @TypeIs('LAUNCH') type!: 'LAUNCH';
}
export class ReviseProblemEvent {
  @TypeIs('REVISE_PROBLEM') type!: 'REVISE_PROBLEM';
  @ApiProperty({ minLength: 1, maxLength: 20000 }) @Text(20000) statement!: string;
}
export class EndorseProblemEvent {
  @TypeIs('ENDORSE_PROBLEM') type!: 'ENDORSE_PROBLEM';
  @ApiProperty({ description: 'The latest revision number' }) @IsInt() @Min(1) revision!: number;
}
export class ObjectProblemEvent {
  @TypeIs('OBJECT_PROBLEM') type!: 'OBJECT_PROBLEM';
  @ApiProperty() @IsInt() @Min(1) revision!: number;
  @ApiProperty() @Text(5000) reason!: string;
}
export class SubmitOptionEvent {
  @TypeIs('SUBMIT_OPTION') type!: 'SUBMIT_OPTION';
  @ApiProperty() @Text(300) title!: string;
  @ApiProperty() @Text(20000) summary!: string;
  @ApiPropertyOptional({ type: [String], description: 'Other co-owners writing it with you' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  coAuthorOrganisationIds?: string[];
}
export class AmendOptionEvent {
  @TypeIs('AMEND_OPTION') type!: 'AMEND_OPTION';
  @ApiProperty() @IsUUID() optionId!: string;
  @ApiPropertyOptional({ description: 'title or summary, or both' })
  @ValidateIf((o: AmendOptionEvent) => o.title !== undefined || o.summary === undefined)
  @Text(300)
  title?: string;
  @ApiPropertyOptional() @IsOptional() @Text(20000) summary?: string;
}
export class WithdrawOptionEvent {
  @TypeIs('WITHDRAW_OPTION') type!: 'WITHDRAW_OPTION';
  @ApiProperty() @IsUUID() optionId!: string;
}
export class CloseOptionsEvent {
  @TypeIs('CLOSE_OPTIONS') type!: 'CLOSE_OPTIONS';
}
export class ScoreDto {
  @ApiProperty() @IsUUID() outcomeId!: string;
  @ApiProperty({ minimum: 0, maximum: 5 }) @IsInt() @Min(0) @Max(5) score!: number;
}
export class AppraiseOptionEvent {
  @TypeIs('APPRAISE_OPTION') type!: 'APPRAISE_OPTION';
  @ApiProperty() @IsUUID() optionId!: string;
  @ApiProperty({ type: [ScoreDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ScoreDto)
  scores!: ScoreDto[];
  @ApiPropertyOptional() @IsOptional() @Text(5000) comment?: string;
}
export class ProposeDecisionEvent {
  @TypeIs('PROPOSE_DECISION') type!: 'PROPOSE_DECISION';
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsUUID('all', { each: true }) optionIds!: string[];
  @ApiProperty() @Text(20000) rationale!: string;
}
export class ConsentEvent {
  @TypeIs('CONSENT') type!: 'CONSENT';
  @ApiProperty() @IsUUID() proposalId!: string;
}
export class ObjectEvent {
  @TypeIs('OBJECT') type!: 'OBJECT';
  @ApiProperty() @IsUUID() proposalId!: string;
  @ApiProperty() @Text(5000) reason!: string;
}
export class ReadingDto {
  @ApiProperty({ description: "A metric of the cycle's outcomes, by id or name" }) @Text(200) metric!: string;
  @ApiProperty() @IsNumber({ allowNaN: false, allowInfinity: false }) value!: number;
}
export class RecordProgressEvent {
  @TypeIs('RECORD_PROGRESS') type!: 'RECORD_PROGRESS';
  @ApiProperty() @Text(20000) note!: string;
  @ApiPropertyOptional({ type: [ReadingDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReadingDto)
  readings?: ReadingDto[];
}
export class StartReviewEvent {
  @TypeIs('START_REVIEW') type!: 'START_REVIEW';
}
export class RecordLearningEvent {
  @TypeIs('RECORD_LEARNING') type!: 'RECORD_LEARNING';
  @ApiProperty() @Text(20000) insight!: string;
  @ApiPropertyOptional() @IsOptional() @Text(20000) evidence?: string;
  @ApiProperty({ enum: ['continue', 'adapt', 'stop'] }) @IsIn(['continue', 'adapt', 'stop']) recommendation!: string;
}
export class SignOffReviewEvent {
  @TypeIs('SIGN_OFF_REVIEW') type!: 'SIGN_OFF_REVIEW';
  @ApiProperty({ enum: ['close', 'iterate'] }) @IsIn(['close', 'iterate']) outcome!: string;
}
export class EscalateEvent {
  @TypeIs('ESCALATE') type!: 'ESCALATE';
  @ApiProperty() @Text(5000) reason!: string;
}
export class ResolveEscalationEvent {
  @TypeIs('RESOLVE_ESCALATION') type!: 'RESOLVE_ESCALATION';
  @ApiProperty() @Text(20000) resolution!: string;
}
export class CancelEvent {
  @TypeIs('CANCEL') type!: 'CANCEL';
  @ApiProperty() @Text(5000) reason!: string;
}
/** Milestones send these themselves; a client sending one gets 403. */
export class MilestoneEventDto {
  @ApiProperty({ enum: MILESTONE_EVENT_TYPES }) @IsIn(MILESTONE_EVENT_TYPES) type!: string;
}

export const EVENT_DTOS = {
  LAUNCH: LaunchEvent,
  REVISE_PROBLEM: ReviseProblemEvent,
  ENDORSE_PROBLEM: EndorseProblemEvent,
  OBJECT_PROBLEM: ObjectProblemEvent,
  SUBMIT_OPTION: SubmitOptionEvent,
  AMEND_OPTION: AmendOptionEvent,
  WITHDRAW_OPTION: WithdrawOptionEvent,
  CLOSE_OPTIONS: CloseOptionsEvent,
  APPRAISE_OPTION: AppraiseOptionEvent,
  PROPOSE_DECISION: ProposeDecisionEvent,
  CONSENT: ConsentEvent,
  OBJECT: ObjectEvent,
  RECORD_PROGRESS: RecordProgressEvent,
  START_REVIEW: StartReviewEvent,
  RECORD_LEARNING: RecordLearningEvent,
  SIGN_OFF_REVIEW: SignOffReviewEvent,
  ESCALATE: EscalateEvent,
  RESOLVE_ESCALATION: ResolveEscalationEvent,
  CANCEL: CancelEvent,
  ...Object.fromEntries(MILESTONE_EVENT_TYPES.map((t) => [t, MilestoneEventDto])),
} as Record<string, new () => object>;

/** Validates `{ type, ...fields }` against the fields of that event type (unknown fields refused):
 *  the API's event pipe and the web app's event forms alike. */
export async function validateEvent(body: unknown): Promise<EventInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationFailed([{ field: 'body', message: 'must be a JSON object with a type' }]);
  }
  const type = (body as { type?: unknown }).type;
  // Own keys only: `toString` or `__proto__` is not an event type.
  const dto = typeof type === 'string' && Object.hasOwn(EVENT_DTOS, type) ? EVENT_DTOS[type] : undefined;
  if (!dto) {
    throw new ValidationFailed([{ field: 'type', message: `must be one of ${Object.keys(EVENT_DTOS).join(', ')}` }]);
  }
  const instance = plainToInstance(dto, body);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length) throw new ValidationFailed(fieldProblems(errors));
  return { ...(instance as EventInput) };
}
