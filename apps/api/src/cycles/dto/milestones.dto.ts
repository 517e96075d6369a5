/** The milestone, incident and notification answers, with their mappers from entities. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageLimit } from '@app/http';
import { IncidentEntity, MILESTONE_KINDS, MilestoneEntity, incidentSummary } from '@app/milestones';
import { NotificationEntity } from '@app/notifications';

// The request body is the milestones feature's (the web app's form validates with it too).
export { CreateMilestoneDto } from '@app/milestones';

export class MilestoneDto {
  @ApiProperty() id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty({ enum: MILESTONE_KINDS }) kind!: string;
  @ApiProperty() dueAt!: string;
  @ApiProperty({ enum: ['scheduled', 'fired', 'moot', 'cancelled'] }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) anchorId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) offsetDays!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) offsetWorkingDays!: number | null;
  @ApiProperty({ description: 'Every change of status or date, with its time' }) changes!: object[];
}

export const mapMilestone = (m: MilestoneEntity): MilestoneDto => ({
  id: m.id,
  cycleId: m.cycleId,
  kind: m.kind,
  dueAt: m.dueAt.toISOString(),
  status: m.status,
  anchorId: m.anchorId,
  offsetDays: m.offsetDays,
  offsetWorkingDays: m.offsetWorkingDays,
  changes: m.changes,
});

export class IncidentDto {
  @ApiProperty() id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty() milestoneId!: string;
  @ApiProperty({ description: 'What failed, in general terms, and the incident id under which the worker logged the cause (never the cause itself)' })
  error!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty() at!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) retriedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) retriedByUserId!: string | null;
}

export const mapIncident = (i: IncidentEntity): IncidentDto => ({
  id: i.id,
  cycleId: i.cycleId,
  milestoneId: i.milestoneId,
  // Worded afresh, so that incidents recorded before causes were kept out of them show none either.
  error: incidentSummary(i),
  attempts: i.attempts,
  at: i.createdAt.toISOString(),
  retriedAt: i.retriedAt?.toISOString() ?? null,
  retriedByUserId: i.retriedByUserId,
});

export class NotificationDto {
  @ApiProperty() id!: string;
  @ApiProperty() kind!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) cycleId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) milestoneId!: string | null;
  @ApiProperty() text!: string;
  @ApiProperty({ enum: ['open', 'done'], description: 'A task stays open until anyone entitled does the work' }) state!: 'open' | 'done';
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The web page where the work is done' }) link!: string | null;
  @ApiProperty() at!: string;
  @ApiProperty() read!: boolean;
}

export const mapNotification = (n: NotificationEntity, webUrl: string): NotificationDto => ({
  id: n.id,
  kind: n.kind,
  cycleId: n.cycleId,
  milestoneId: n.milestoneId,
  text: n.text,
  state: n.state,
  link: n.link && `${webUrl}${n.link}`,
  at: n.createdAt.toISOString(),
  read: n.readAt !== null,
});

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) items!: NotificationDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ description: 'Unread notifications in all' }) unread!: number;
  @ApiProperty({ description: 'Tasks still waiting for you' }) open!: number;
}

export class NotificationQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @PageLimit()
  limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsUUID() cursor?: string;
}
