/** The cycle routes' queries, bodies and answers, with the mappers from records to answers. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, IsString, MaxLength } from 'class-validator';
import { CycleRecord } from '@app/cycles';
import type { ChainedEntryColumns } from '@app/history';
import { CYCLE_STATES, CycleContext, CycleState, OPTION_STATUSES, OptionStatus, USER_EVENT_TYPES, fundingOf, liveOptions } from '@app/domain';
import type { CycleSummaryRow } from '@app/cycles';
import { PageLimit } from '@app/http';

// The request body is the cycles feature's (the web app's form validates with it too).
export { CreateCycleDto } from '@app/cycles';

/** Parts of the cycle view described in words: objects (not strings, as a bare `object` would be documented). */
const OBJECT = { type: 'object', additionalProperties: true } as const;
const OBJECT_LIST = { type: 'array', items: OBJECT } as const;

export class ListCyclesQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() partnershipId?: string;
  @ApiPropertyOptional({ enum: CYCLE_STATES }) @IsOptional() @IsIn(CYCLE_STATES) state?: CycleState;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @PageLimit()
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsUUID() cursor?: string;
}

/** A page of up to 100 (100 unless asked) after the cursor the previous page answered, told in `cursorIs`. */
function PageQuery(cursorIs: string) {
  class Page {
    @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 })
    @PageLimit()
    limit?: number;
    @ApiPropertyOptional({ description: `nextCursor of the previous page${cursorIs}` }) @IsOptional() @IsString() @MaxLength(20) cursor?: string;
  }
  return Page;
}

export class ProgressQuery extends PageQuery('') {}

export class HistoryQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, description: 'With limit or cursor, a page `{ items, nextCursor }`; without either, the whole history as an array' })
  @PageLimit(1000)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(20) cursor?: string;
}

/** `?view=full`: the cycle's view with every problem revision and option, as it was before the view was paged. */
export class CycleViewQuery {
  @ApiPropertyOptional({
    enum: ['full'],
    description: 'full: every problem revision and every option, withdrawn ones too (an old cycle’s answer grows with its history); without it, the latest revision and the live options',
  })
  @IsOptional()
  @IsIn(['full'])
  view?: 'full';
}

export class RevisionsQuery extends PageQuery(' (a revision number)') {}

export class OptionsQuery {
  @ApiPropertyOptional({ enum: OPTION_STATUSES, description: 'Only the options with this status (all of them without it)' }) @IsOptional() @IsIn(OPTION_STATUSES) status?: OptionStatus;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 })
  @PageLimit()
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (an option id)' }) @IsOptional() @IsUUID() cursor?: string;
}

export class VerifyQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: walk the whole chain again rather than go on from the last verified entry' })
  @IsOptional()
  @IsIn(['true', 'false'])
  full?: 'true' | 'false';
}

export class HistoryPageDto {
  @ApiProperty({ type: () => [HistoryEntryDto] }) items!: HistoryEntryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ReadingDto {
  @ApiProperty({ description: 'Metric id or name' }) metric!: string;
  @ApiProperty() value!: number;
}

export class ProgressEntryDto {
  @ApiProperty({ description: 'Position of the update in the cycle history' }) seq!: number;
  @ApiProperty() note!: string;
  @ApiProperty({ type: [ReadingDto] }) readings!: ReadingDto[];
  @ApiProperty() organisationId!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() at!: string;
}

export class ProgressPageDto {
  @ApiProperty({ type: [ProgressEntryDto] }) items!: ProgressEntryDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class RevisionPageDto {
  @ApiProperty({ ...OBJECT_LIST, description: '[{ number, statement, authorOrganisationId, authorUserId, carriedForward, at }], oldest first' }) items!: object[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class OptionPageDto {
  @ApiProperty({ ...OBJECT_LIST, description: '[{ id, title, summary, status, authorOrganisationIds, ... }], in the order they were submitted' }) items!: object[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CoOwnerDto {
  @ApiProperty() organisationId!: string;
  @ApiProperty({ enum: ['commissioner', 'provider', 'community'] }) role!: string;
}

export class CycleSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() partnershipId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() iteration!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) previousCycleId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) nextCycleId!: string | null;
  @ApiProperty({ enum: CYCLE_STATES }) state!: string;
  @ApiProperty({ description: 'Send it back in If-Match to write only over this version' }) version!: number;
  @ApiProperty({ type: [CoOwnerDto] }) coOwners!: CoOwnerDto[];
  @ApiProperty({ type: [String] }) panelUserIds!: string[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class CyclePageDto {
  @ApiProperty({ type: [CycleSummaryDto] }) items!: CycleSummaryDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CycleDto extends CycleSummaryDto {
  @ApiProperty() machineVersion!: number;
  @ApiProperty({ type: [String] }) facilitatorUserIds!: string[];
  @ApiProperty({ type: [String] }) outcomeIds!: string[];
  @ApiProperty({ ...OBJECT_LIST, description: 'Metrics of the linked outcomes: readings refer to them by id or name' }) metrics!: object[];
  @ApiProperty({
    ...OBJECT,
    description:
      '{ revisions: [{ number, statement, ... }], latestRevision, endorsements, objections }: `revisions` holds the latest revision only (every one with `?view=full`); GET /v1/cycles/{id}/revisions pages through them all',
  })
  problem!: object;
  @ApiProperty({
    ...OBJECT_LIST,
    description:
      '[{ id, title, summary, status, authorOrganisationIds, ... }]: the live options (withdrawn ones too with `?view=full`); GET /v1/cycles/{id}/options?status=withdrawn pages through the withdrawn',
  })
  options!: object[];
  @ApiProperty({ description: 'How many options were withdrawn (the view leaves them out unless `?view=full`)' }) withdrawnOptionCount!: number;
  @ApiProperty({ ...OBJECT_LIST, description: '[{ optionId, organisationId, scores: [{ outcomeId, score }], comment }]' }) appraisals!: object[];
  @ApiProperty({ ...OBJECT, description: '{ proposals: [{ id, optionIds, rationale, status, consents, objections }] }' }) decision!: object;
  @ApiProperty({ type: () => [ProgressEntryDto], description: 'The 20 newest progress updates, oldest first; GET /v1/cycles/{id}/progress has them all' })
  progress!: ProgressEntryDto[];
  @ApiProperty({ description: 'How many progress updates the cycle has in all' }) progressCount!: number;
  @ApiProperty({ ...OBJECT, description: '{ learnings, signOffs, outcome }' }) review!: object;
  @ApiPropertyOptional({ ...OBJECT, nullable: true, description: 'The escalation waiting for a facilitator' }) escalation!: object | null;
  @ApiProperty({ ...OBJECT_LIST }) escalations!: object[];
  @ApiPropertyOptional({ ...OBJECT, nullable: true }) cancellation!: object | null;
  @ApiPropertyOptional({ ...OBJECT, nullable: true, description: "The previous iteration's learning, for iteration 2 onwards" }) inheritedLearning!: object | null;
  @ApiProperty({ ...OBJECT_LIST, description: 'Scheduled milestones' }) milestones!: object[];
  @ApiProperty({
    ...OBJECT,
    description:
      '{ pledges: [{ organisationId, kind, amountPence, description }], pledgedPence, allocatedPence, costPence, gapPence, allocations }: gap = the chosen options’ cost − allocations, never negative (the accepted proposal, else the open one)',
  })
  funding!: object;
  @ApiProperty({ ...OBJECT_LIST, description: 'The delivery plan: [{ id, title, ownerOrganisationId, dueAt, status: open|done|overdue, doneAt, note }]' }) actions!: object[];
  @ApiProperty({ enum: USER_EVENT_TYPES, isArray: true, description: 'What the caller may send now' }) nextEvents!: string[];
}

export const mapCycleSummary = (c: CycleSummaryRow): CycleSummaryDto => ({
  id: c.id,
  partnershipId: c.partnershipId,
  title: c.title,
  iteration: c.iteration,
  previousCycleId: c.previousCycleId,
  nextCycleId: c.nextCycleId,
  state: c.state,
  version: c.version,
  coOwners: c.coOwners,
  panelUserIds: c.panelUserIds,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

/**
 * The live options of a context's options, found once for the same list: a progress update leaves
 * the list as it was (the snapshot restored once: CycleQueriesService), and an old cycle's hundreds
 * of options were looked through again for every answer. The list is never changed (the machine
 * makes a new one).
 */
const liveOf = (c: CycleContext): CycleContext['options'] => {
  let live = liveLists.get(c.options);
  if (!live) liveLists.set(c.options, (live = liveOptions(c)));
  return live;
};
const liveLists = new WeakMap<CycleContext['options'], CycleContext['options']>();

/**
 * `now` decides which actions are overdue (the services' clock). The view carries the latest problem
 * revision and the live options, so that its size does not grow with the cycle's history; `full`
 * (`?view=full`) every revision and option, as before the view was paged.
 */
export function mapCycle({ row, snapshot, nextEvents, milestones, progress, progressCount }: CycleRecord, now: Date, full = false): CycleDto {
  const c = snapshot.context;
  const current = row.state === 'escalated' ? (c.escalations.at(-1) ?? null) : null;
  const live = liveOf(c);
  return {
    ...mapCycleSummary({ ...row, coOwners: c.coOwners, panelUserIds: c.panelUserIds }),
    machineVersion: row.machineVersion,
    facilitatorUserIds: c.facilitatorUserIds,
    outcomeIds: c.outcomeIds,
    metrics: c.metrics,
    problem: {
      revisions: full ? c.problem.revisions : c.problem.revisions.slice(-1),
      latestRevision: c.problem.revisions.length || null,
      endorsements: c.problem.endorsements,
      objections: c.problem.objections,
    },
    options: full ? c.options : live,
    withdrawnOptionCount: c.options.length - live.length,
    appraisals: c.appraisals,
    decision: { proposals: c.proposals },
    progress,
    progressCount,
    review: { learnings: c.learnings, signOffs: c.signOffs, outcome: c.closure },
    escalation: current,
    escalations: c.escalations,
    cancellation: c.cancellation,
    inheritedLearning: row.inheritedLearning,
    milestones,
    funding: fundingOf(c),
    actions: (c.actions ?? []).map((a) => ({ ...a, status: a.doneAt ? 'done' : new Date(a.dueAt) < now ? 'overdue' : 'open' })),
    nextEvents,
  };
}

export class HistoryEntryDto {
  @ApiProperty() seq!: number;
  @ApiProperty() type!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) actorUserId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) organisationId!: string | null;
  @ApiProperty({ description: "Whether the actor was one of their organisation's representatives" }) representative!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) fromState!: string | null;
  @ApiProperty() toState!: string;
  @ApiProperty() payload!: object;
  @ApiProperty() at!: string;
  @ApiProperty() prevHash!: string;
  @ApiProperty({ description: "SHA-256 of prevHash and this entry's content" }) hash!: string;
}

/** An entry of any of the three histories (a cycle's, an agreement's, a partnership's) as the API shows it. */
export const mapHistoryEntry = (e: ChainedEntryColumns & { seq: number }): HistoryEntryDto => ({
  seq: e.seq,
  type: e.type,
  actorUserId: e.actorUserId,
  organisationId: e.organisationId,
  representative: e.representative,
  fromState: e.fromState,
  toState: e.toState,
  payload: e.payload,
  at: e.at.toISOString(),
  prevHash: e.prevHash,
  hash: e.hash,
});

export class VerifyDto {
  @ApiProperty() intact!: boolean;
  @ApiPropertyOptional({ description: 'The first entry that does not hold, when broken' }) brokenAtSeq?: number;
  @ApiPropertyOptional({ description: 'Why, in words, when broken (an entry changed, a link broken, the newest entries missing)' }) reason?: string;
  @ApiPropertyOptional({
    enum: ['snapshot', 'texts'],
    description:
      'Set when the chain holds but what the cycle shows does not: its stored snapshot (revisions, responses, options, proposals and their consents) or its texts differ from what the history recorded; `brokenAtSeq` names the entry that recorded the part',
  })
  disagrees?: 'snapshot' | 'texts';
  @ApiProperty() length!: number;
}
