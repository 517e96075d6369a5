/** The cycle's vocabulary: who acts, what they send, what the cycle remembers. Pure data. */

export const CO_OWNER_ROLES = ['commissioner', 'provider', 'community'] as const;
export type CoOwnerRole = (typeof CO_OWNER_ROLES)[number];

export const CYCLE_STATES = ['draft', 'framing', 'options', 'deciding', 'delivering', 'reviewing', 'escalated', 'cancelled', 'closed'] as const;
export type CycleState = (typeof CYCLE_STATES)[number];
/** States a cycle can escalate from and return to. */
export type WorkingState = Exclude<CycleState, 'escalated' | 'cancelled' | 'closed'>;
export const FINAL_STATES: readonly CycleState[] = ['cancelled', 'closed'];

export interface CoOwner {
  organisationId: string;
  role: CoOwnerRole;
}

/** Who sends an event. Milestones act as the system. */
export interface Actor {
  userId: string | null;
  organisationId: string | null;
  system?: boolean;
  /** Whether the person is one of their organisation's representatives (every history entry records it). */
  representative?: boolean;
  /** The names of their organisation's representatives, where it names any: only they commit it. */
  representatives?: string[];
}

export interface CycleMetric {
  id: string;
  name: string;
  outcomeId: string;
}

export interface Revision {
  number: number;
  statement: string;
  authorOrganisationId: string | null;
  authorUserId: string | null;
  carriedForward: boolean;
  at: string;
}
export interface ProblemEndorsement {
  revision: number;
  organisationId: string;
  userId: string;
  at: string;
}
export interface ProblemObjection extends ProblemEndorsement {
  reason: string;
}

export const PLEDGE_KINDS = ['cash', 'in_kind', 'staff_time'] as const;
export type PledgeKind = (typeof PLEDGE_KINDS)[number];
/** What a co-owner organisation puts in: cash (in pence, integers only), in kind or staff time. Its latest replaces the earlier. */
export interface Pledge {
  organisationId: string;
  kind: PledgeKind;
  /** Cash only. */
  amountPence: number | null;
  /** The organisation that made it, where a succession brought it to its successor (the history keeps it in the predecessor's name). */
  formerOrganisationId?: string;
  description: string;
  userId: string;
  at: string;
}

/** Pledged cash a proposal puts towards a chosen option. */
export interface Allocation {
  optionId: string;
  organisationId: string;
  amountPence: number;
}

/** One action of the delivery plan: an owning organisation and a due date. */
export interface DeliveryAction {
  id: string;
  title: string;
  ownerOrganisationId: string;
  dueAt: string;
  addedByOrganisationId: string;
  at: string;
  doneAt: string | null;
  doneByUserId: string | null;
  note: string | null;
}

export const OPTION_STATUSES = ['live', 'withdrawn'] as const;
export type OptionStatus = (typeof OPTION_STATUSES)[number];
export interface CycleOption {
  id: string;
  title: string;
  summary: string;
  status: OptionStatus;
  authorOrganisationIds: string[];
  submittedByUserId: string;
  amendments: number;
  /** Its estimated cost in pence, where its authors gave one. */
  estimatedCostPence?: number | null;
  /** The on-the-table items (of members' declarations) it uses. */
  tableItems?: { organisationId: string; item: string }[];
  at: string;
}

export interface Appraisal {
  optionId: string;
  organisationId: string;
  userId: string;
  scores: { outcomeId: string; score: number }[];
  comment: string | null;
  at: string;
}

export type ProposalStatus = 'open' | 'accepted' | 'blocked' | 'superseded';
export interface Consent {
  organisationId: string;
  userId: string;
  at: string;
  /** The cash of the organisation's allocations it committed by consenting. */
  committedPence?: number;
}
export interface Objection extends Consent {
  reason: string;
}
export interface Proposal {
  id: string;
  optionIds: string[];
  rationale: string;
  proposedByOrganisationId: string;
  proposedByUserId: string;
  status: ProposalStatus;
  /** Pledged cash towards the chosen options, organisation by organisation. */
  allocations?: Allocation[];
  consents: Consent[];
  objections: Objection[];
  at: string;
}

export interface Reading {
  metric: string;
  value: number;
}
/** A progress update as the cycle's view shows it; read from the history, not kept in the snapshot. */
export interface ProgressEntry {
  /** The history entry that recorded it. */
  seq: number;
  note: string;
  readings: Reading[];
  organisationId: string;
  userId: string;
  at: string;
}

export type Recommendation = 'continue' | 'adapt' | 'stop';
export interface Learning {
  insight: string;
  evidence: string | null;
  recommendation: Recommendation;
  /** Whether a co-owner or the review panel wrote it (a panel member of a co-owner counts as panel). */
  writtenBy: 'co-owner' | 'panel';
  organisationId: string | null;
  userId: string;
  at: string;
}

export type SignOffOutcome = 'close' | 'iterate';
export interface SignOff {
  userId: string;
  outcome: SignOffOutcome;
  at: string;
}

export interface Escalation {
  reason: string;
  from: WorkingState;
  raisedByUserId: string | null;
  raisedByOrganisationId: string | null;
  /** Set when a milestone raised it. */
  milestone: MilestoneEventType | null;
  at: string;
  resolution: string | null;
  resolvedByUserId: string | null;
  resolvedAt: string | null;
}

/**
 * An organisation that took another's place in the cycle (a reorganisation's vesting date).
 * What the predecessor gave (endorsements, consents, objections, appraisals, learning) stays
 * recorded in its name and counts for its successor; `keptRole` is set when the successor
 * already co-owned the cycle (its own role kept, the predecessor's dropped).
 */
export interface Succession {
  predecessorOrganisationId: string;
  successorOrganisationId: string;
  at: string;
  keptRole?: CoOwnerRole;
}

export interface CycleContext {
  coOwners: CoOwner[];
  panelUserIds: string[];
  facilitatorUserIds: string[];
  outcomeIds: string[];
  metrics: CycleMetric[];
  problem: { revisions: Revision[]; endorsements: ProblemEndorsement[]; objections: ProblemObjection[] };
  options: CycleOption[];
  appraisals: Appraisal[];
  proposals: Proposal[];
  learnings: Learning[];
  signOffs: SignOff[];
  escalations: Escalation[];
  cancellation: { reason: string; userId: string | null; organisationId: string | null; at: string } | null;
  /** Each co-owner organisation's current pledge (the history keeps every version). Absent in cycles made before funding. */
  pledges?: Pledge[];
  /** The delivery plan. Absent in cycles made before it. */
  actions?: DeliveryAction[];
  /** Organisations that succeeded others, in order. Absent in cycles no reorganisation touched. */
  successions?: Succession[];
  closure: { outcome: SignOffOutcome; close: number; iterate: number; at: string } | null;
}

export interface CycleInput {
  coOwners: CoOwner[];
  panelUserIds: string[];
  facilitatorUserIds: string[];
  outcomeIds: string[];
  metrics: CycleMetric[];
  /** The previous iteration's last problem statement, carried forward as revision 1. */
  carriedStatement?: { statement: string; at: string };
}

export const MILESTONE_EVENT_TYPES = ['FRAMING_DUE', 'OPTIONS_DUE', 'DECISION_DUE', 'REVIEW_START', 'REVIEW_DUE'] as const;
export type MilestoneEventType = (typeof MILESTONE_EVENT_TYPES)[number];
// The events themselves (their fields, who sends them, what they do, and their types) are in
// cycle.catalogue.ts, which builds on these: this file imports nothing.
