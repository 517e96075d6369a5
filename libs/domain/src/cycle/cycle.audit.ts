/**
 * What people see of a cycle (its stored snapshot and its texts, cycle_texts) compared with what
 * its history recorded: the problem's revisions and their responses, the options, the proposals
 * and their consents and objections are rebuilt from the history's entries by the catalogue's own
 * effects, and must be what is stored. A chain that verifies proves the history; this proves the
 * snapshot and texts shown beside it were not changed behind it. Pure: the caller reads the rows.
 */
import canonicalize from 'canonicalize';
import { definitionOf } from './cycle.catalogue';
import type { PersistedCycle } from './cycle.engine';
import { type CycleTexts, joinTexts } from './cycle.texts';
import type { CycleContext } from './cycle.types';

/** The entry types whose effects write what is compared (every other leaves it as it was). */
export const RECORDED_PART_TYPES = [
  'REVISE_PROBLEM',
  'ENDORSE_PROBLEM',
  'OBJECT_PROBLEM',
  'SUBMIT_OPTION',
  'AMEND_OPTION',
  'WITHDRAW_OPTION',
  'PROPOSE_DECISION',
  'CONSENT',
  'OBJECT',
  // A succession moves option authorship and allocated cash to the successor.
  'ORGANISATION_SUCCEEDED',
] as const;

/** A history entry as the comparison reads it. */
export interface RecordedEntry {
  seq: number;
  type: string;
  actorUserId: string | null;
  organisationId: string | null;
  payload: Record<string, unknown>;
  at: Date;
}

/** Where the stored cycle disagrees with its history: the entry that recorded the part (the head when none did), and how. */
export interface SnapshotDisagreement {
  seq: number;
  where: 'snapshot' | 'texts';
  reason: string;
}

type Parts = Pick<CycleContext, 'options' | 'proposals'> & { problem: CycleContext['problem'] };

/**
 * Compares the stored snapshot (with its texts) with the history's entries of RECORDED_PART_TYPES,
 * oldest first. `carried`: the statement a later iteration's first revision carries from the one
 * before (its history does not record it) and when it was carried, the cycle's creation.
 * `head`: the cycle's version, named when a stored part no entry recorded is found.
 */
export function snapshotDisagreement(stored: PersistedCycle, texts: CycleTexts, entries: RecordedEntry[], head: number, carried?: { statement: string; at: Date }): SnapshotDisagreement | undefined {
  const { parts: expected, origin } = recordedParts(entries, carried);
  const context = stored.context as Partial<Parts> | undefined;
  const actual: Parts = {
    problem: { revisions: context?.problem?.revisions ?? [], endorsements: context?.problem?.endorsements ?? [], objections: context?.problem?.objections ?? [] },
    options: context?.options ?? [],
    proposals: context?.proposals ?? [],
  };
  // The stored items without their texts first: a changed title, status or consent is the snapshot's.
  const bare = <T extends object>(items: T[], field: string) => items.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => k !== field)));
  const lists: [string, unknown[], unknown[], (i: number) => number, string][] = [
    ['problem revision', bare(actual.problem.revisions, 'statement'), bare(expected.problem.revisions, 'statement'), (i) => origin.revisions[i], 'revisions'],
    ['problem endorsement', actual.problem.endorsements, expected.problem.endorsements, (i) => origin.endorsements[i], 'endorsements'],
    ['problem objection', actual.problem.objections, expected.problem.objections, (i) => origin.objections[i], 'objections'],
    ['option', bare(actual.options, 'summary'), bare(expected.options, 'summary'), (i) => origin.options.get(expected.options[i]?.id) ?? head, 'options'],
    [
      'proposal',
      actual.proposals.map(({ status: _, ...p }) => p),
      expected.proposals.map(({ status: _, ...p }) => p),
      (i) => origin.proposals.get(expected.proposals[i]?.id) ?? head,
      'proposals (their consents and objections)',
    ],
  ];
  for (const [name, got, want, seqOf, plural] of lists) {
    const n = Math.max(got.length, want.length);
    for (let i = 0; i < n; i++) {
      if (canonicalize(got[i]) === canonicalize(want[i])) continue;
      if (i >= want.length)
        return { seq: head, where: 'snapshot', reason: `The stored cycle has ${got.length} ${plural} but its history records ${want.length}: ${name} ${i + 1} was added behind it.` };
      if (i >= got.length)
        return { seq: seqOf(i), where: 'snapshot', reason: `The stored cycle has ${got.length} ${plural} but its history records ${want.length}: ${name} ${i + 1} (entry ${seqOf(i)}) is missing.` };
      return { seq: seqOf(i), where: 'snapshot', reason: `The stored cycle's ${name} ${i + 1} is not what entry ${seqOf(i)} of its history recorded.` };
    }
  }
  // Then the texts, wherever they are kept (in the snapshot, or by key in cycle_texts).
  const shown = joinTexts(stored, texts).context as Parts;
  for (const [i, revision] of expected.problem.revisions.entries()) {
    if (shown.problem.revisions[i]?.statement !== revision.statement) {
      return { seq: origin.revisions[i], where: 'texts', reason: `The text of problem revision ${revision.number} is not the statement entry ${origin.revisions[i]} of its history recorded.` };
    }
  }
  for (const [i, option] of expected.options.entries()) {
    if (shown.options[i]?.summary !== option.summary) {
      const seq = origin.options.get(option.id) ?? head;
      return { seq, where: 'texts', reason: `The summary of option “${option.title}” is not the one entry ${seq} of its history recorded.` };
    }
  }
  return undefined;
}

/** The parts rebuilt from the entries, and which entry last wrote each. */
export function recordedParts(entries: RecordedEntry[], carried?: { statement: string; at: Date }) {
  let parts: Parts = {
    problem: {
      revisions: carried ? [{ number: 1, statement: carried.statement, authorOrganisationId: null, authorUserId: null, carriedForward: true, at: carried.at.toISOString() }] : [],
      endorsements: [],
      objections: [],
    },
    options: [],
    proposals: [],
  };
  const origin = {
    revisions: parts.problem.revisions.map(() => 1),
    endorsements: [] as number[],
    objections: [] as number[],
    options: new Map<string, number>(),
    proposals: new Map<string, number>(),
  };
  for (const entry of entries) {
    const effect = definitionOf(entry.type)?.effect;
    if (!effect || !(RECORDED_PART_TYPES as readonly string[]).includes(entry.type)) continue;
    const event = { type: entry.type, ...entry.payload, actor: { userId: entry.actorUserId, organisationId: entry.organisationId }, at: entry.at.toISOString() };
    // Only the parts compared are rebuilt: the rest of the cycle (its co-owners) starts empty for effects that read it.
    const { problem, options, proposals } = effect({ coOwners: [], ...parts } as unknown as CycleContext, event as never);
    parts = { problem, options, proposals };
    const id = (field: string) => entry.payload[field] as string;
    if (entry.type === 'REVISE_PROBLEM') origin.revisions.push(entry.seq);
    if (entry.type === 'ENDORSE_PROBLEM') origin.endorsements.push(entry.seq);
    if (entry.type === 'OBJECT_PROBLEM') origin.objections.push(entry.seq);
    if (entry.type.endsWith('_OPTION')) origin.options.set(id('optionId'), entry.seq);
    if (entry.type === 'PROPOSE_DECISION' || entry.type === 'CONSENT' || entry.type === 'OBJECT') origin.proposals.set(id('proposalId'), entry.seq);
  }
  return { parts, origin };
}
