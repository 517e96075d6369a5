/** Everything the cycle page shows, in words and with names instead of ids: the lifecycle, who is awaited, the money. */
import type { CycleRecord } from '@app/cycles';
import { CYCLE_STATES, CycleContext, CycleState, STATE_META, formatPence, fundingOf } from '@app/domain';
import type { FormChoices } from './forms';
import type { OutcomeEntity } from '@app/partnerships';
import type { WordDiff } from '../http/word-diffs.service';
import { EventForm, eventForms } from './event-forms';

/** The lifecycle as the picture on the page shows it, in order, named as the machine's states are. */
const PATH = (['draft', 'framing', 'options', 'deciding', 'delivering', 'reviewing', 'closed'] as const).map((state) => ({ state, label: STATE_META[state].label }));
export const STATE_LABELS = Object.fromEntries(CYCLE_STATES.map((state) => [state, STATE_META[state].label])) as Record<CycleState, string>;

export interface Names {
  org: (id: string | null | undefined) => string;
  user: (id: string | null | undefined) => string;
}

/** Where the cycle is on its path: steps before it done, it current (escalated: where it came from). */
export function lifecycle(state: CycleState, context: CycleContext) {
  const at = state === 'escalated' ? (context.escalations.at(-1)?.from ?? 'draft') : state;
  const index = PATH.findIndex((p) => p.state === at);
  const steps = PATH.map((p, i) => ({
    label: p.label,
    status: state === 'cancelled' ? (i === 0 ? 'done' : 'todo') : i < index ? 'done' : i === index ? (state === 'escalated' ? 'paused' : 'current') : 'todo',
  }));
  return { steps, escalated: state === 'escalated', cancelled: state === 'cancelled' };
}

/** What the caller's organisation (or the caller) is awaited for, in words; null when nothing. */
export function waitingFor(record: Pick<CycleRecord, 'snapshot' | 'nextEvents'>): string | null {
  const c = record.snapshot.context;
  const state = record.snapshot.value as CycleState;
  const next = new Set(record.nextEvents);
  const latest = c.problem.revisions.at(-1);
  switch (state) {
    case 'draft':
      return next.has('LAUNCH') ? 'Ready for you to launch' : null;
    case 'framing':
      if (!latest) return next.has('REVISE_PROBLEM') ? 'No problem statement yet: write the first revision' : null;
      if (next.has('ENDORSE_PROBLEM')) return `Your organisation has not endorsed revision ${latest.number}`;
      return null;
    case 'options':
      return next.has('SUBMIT_OPTION') ? 'Options are open: submit or co-author an option' : null;
    case 'deciding': {
      const open = c.proposals.find((p) => p.status === 'open');
      if (open && next.has('CONSENT')) return `Your organisation has not responded to proposal ${c.proposals.indexOf(open) + 1}`;
      return next.has('PROPOSE_DECISION') ? 'No open proposal: propose a decision' : null;
    }
    case 'delivering':
      return next.has('RECORD_PROGRESS') ? 'Record progress and metric readings' : null;
    case 'reviewing':
      if (next.has('SIGN_OFF_REVIEW')) return 'You have not signed off the learning review';
      return next.has('RECORD_LEARNING') ? 'Record what was learned' : null;
    case 'escalated':
      return next.has('RESOLVE_ESCALATION') ? 'Waiting for you to resolve the escalation' : null;
    default:
      return null;
  }
}

const KIND_LABEL: Record<string, string> = { cash: 'Cash', in_kind: 'In kind', staff_time: 'Staff time' };

/** A proposal's cost, allocations and gap, where it has any. */
function proposalMoney(c: CycleContext, p: CycleContext['proposals'][number]) {
  const cost = p.optionIds.reduce((sum, id) => sum + (c.options.find((o) => o.id === id)?.estimatedCostPence ?? 0), 0);
  const allocated = (p.allocations ?? []).reduce((sum, a) => sum + a.amountPence, 0);
  if (!cost && !allocated) return null;
  return { cost: formatPence(cost), allocated: formatPence(allocated), gap: formatPence(Math.max(0, cost - allocated)) };
}

/** Pledges, costs, allocations and the gap, in pounds the GOV.UK way. */
function fundingView(c: CycleContext, names: Names, optionTitle: (id: string) => string) {
  const f = fundingOf(c);
  return {
    any: f.pledges.length > 0 || f.costPence > 0,
    pledges: f.pledges.map((p) => ({
      organisation: names.org(p.organisationId),
      kind: KIND_LABEL[p.kind],
      amount: p.amountPence !== null ? formatPence(p.amountPence) : '',
      description: p.description,
    })),
    pledged: formatPence(f.pledgedPence),
    allocated: formatPence(f.allocatedPence),
    cost: formatPence(f.costPence),
    gap: formatPence(f.gapPence),
    gapHeading: formatPence(f.gapPence, { wholePounds: true }),
    hasGap: f.gapPence > 0,
    allocations: f.allocations.map((a) => ({ option: optionTitle(a.optionId), organisation: names.org(a.organisationId), amount: formatPence(a.amountPence) })),
  };
}

/** How many revisions the page lists unless asked for all of them. */
export const REVISIONS_SHOWN = 10;

/** Everything the cycle page shows, with names instead of ids. */
export function cyclePage(
  record: CycleRecord,
  names: Names,
  outcomes: OutcomeEntity[],
  caller: { userId: string; organisationId: string | null },
  choices: FormChoices | undefined,
  now: Date,
  display: { compare?: number; allRevisions?: boolean },
  /** Word differences between two revisions (WordDiffs: each pair compared once). */
  wordDiff: (before: string, after: string) => WordDiff,
) {
  const c = record.snapshot.context;
  const state = record.snapshot.value as CycleState;
  const latest = c.problem.revisions.at(-1);
  const coOwners = c.coOwners.map((o) => {
    const endorsed = latest && c.problem.endorsements.find((e) => e.revision === latest.number && e.organisationId === o.organisationId);
    const objected = latest && c.problem.objections.find((e) => e.revision === latest.number && e.organisationId === o.organisationId);
    return {
      name: names.org(o.organisationId),
      role: o.role,
      problem: endorsed ? 'endorsed' : objected ? 'objected' : 'waiting',
      objection: objected?.reason ?? null,
    };
  });
  // The newest few (or all when asked); word differences only for the pair shown (the newest, or the one asked to compare).
  const all = c.problem.revisions;
  const shown = display.allRevisions ? all : all.slice(-REVISIONS_SHOWN);
  const revisions = shown.map((r) => {
    const i = all.indexOf(r);
    const compared = i > 0 && (i === all.length - 1 || r.number === display.compare);
    const diff = compared ? wordDiff(all[i - 1].statement, r.statement) : null;
    return {
      ...r,
      author: r.carriedForward ? 'Carried forward from the previous iteration' : `${names.user(r.authorUserId)}, ${names.org(r.authorOrganisationId)}`,
      comparable: i > 0,
      compared,
      diff,
      // Too large to compare word by word: the earlier text, to read beside this one.
      previousStatement: compared && !diff ? all[i - 1].statement : null,
    };
  });
  const optionTitle = (id: string) => c.options.find((o) => o.id === id)?.title ?? 'an option';
  const outcomeTitle = (id: string) => outcomes.find((o) => o.id === id)?.title ?? 'an outcome';
  const forms: EventForm[] = eventForms(record.nextEvents, {
    context: c,
    organisationId: caller.organisationId,
    orgName: (id) => names.org(id),
    userName: (id) => names.user(id),
    outcomeTitle,
    choices,
  });
  const metrics = c.metrics.map((m) => {
    const outcome = outcomes.find((o) => o.id === m.outcomeId);
    const definition = outcome?.metrics.find((x) => x.id === m.id);
    const readings = record.progress.flatMap((p) => p.readings.filter((r) => r.metric === m.id || r.metric === m.name).map((r) => ({ value: r.value, at: p.at, by: names.org(p.organisationId) })));
    return { ...m, unit: definition?.unit ?? '', baseline: definition?.baseline ?? null, target: definition?.target ?? null, direction: definition?.direction ?? null, readings };
  });
  return {
    state,
    stateLabel: STATE_LABELS[state],
    lifecycle: lifecycle(state, c),
    waiting: waitingFor(record),
    coOwners,
    latestRevision: latest?.number ?? null,
    revisions: [...revisions].reverse(),
    revisionCount: all.length,
    allRevisions: !!display.allRevisions,
    options: c.options.map((o) => ({ ...o, authors: o.authorOrganisationIds.map((id) => names.org(id)).join(', ') })),
    appraisals: c.appraisals.map((a) => ({
      option: optionTitle(a.optionId),
      organisation: names.org(a.organisationId),
      scores: a.scores.map((s) => `${outcomeTitle(s.outcomeId)}: ${s.score}`).join('; '),
      comment: a.comment,
    })),
    proposals: c.proposals.map((p, i) => ({
      id: p.id,
      number: i + 1,
      // Each objection, by the key its comments name it by (`proposal:<id>:<organisationId>`).
      objections: p.objections.map((o) => ({ key: `proposal:${p.id}:${o.organisationId}`, by: names.org(o.organisationId) })),
      status: p.status,
      options: p.optionIds.map(optionTitle).join(', '),
      rationale: p.rationale,
      proposedBy: names.org(p.proposedByOrganisationId),
      money: proposalMoney(c, p),
      responses: c.coOwners.map((o) => {
        const objection = p.objections.find((x) => x.organisationId === o.organisationId);
        const consent = p.consents.find((x) => x.organisationId === o.organisationId);
        return { name: names.org(o.organisationId), response: consent ? 'consented' : objection ? 'objected' : 'waiting', reason: objection?.reason ?? null };
      }),
    })),
    progress: [...record.progress].reverse().map((p) => ({
      ...p,
      readings: p.readings.map((r) => ({ ...r, metric: c.metrics.find((m) => m.id === r.metric)?.name ?? r.metric })),
      by: `${names.user(p.userId)}, ${names.org(p.organisationId)}`,
    })),
    progressCount: record.progressCount,
    metrics,
    learnings: c.learnings.map((l) => ({ ...l, by: `${names.user(l.userId)}${l.organisationId ? `, ${names.org(l.organisationId)}` : ''}` })),
    panel: c.panelUserIds.map((id) => {
      const signOff = c.signOffs.find((s) => s.userId === id);
      return { name: names.user(id), signOff: signOff?.outcome ?? null };
    }),
    escalation: state === 'escalated' ? (c.escalations.at(-1) ?? null) : null,
    escalations: c.escalations.map((e) => ({ ...e, raisedBy: e.milestone ? `the ${e.milestone} milestone` : names.org(e.raisedByOrganisationId) })),
    cancellation: c.cancellation,
    closure: c.closure,
    facilitators: c.facilitatorUserIds.map((id) => names.user(id)),
    funding: fundingView(c, names, optionTitle),
    actions: (c.actions ?? []).map((a) => ({
      ...a,
      owner: names.org(a.ownerOrganisationId),
      status: a.doneAt ? 'done' : new Date(a.dueAt) < now ? 'overdue' : 'open',
    })),
    forms,
  };
}
