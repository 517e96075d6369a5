/**
 * Pooled funding: pledges, allocations of pledged cash to chosen options, and what consent
 * commits. The rule for a pledge revised downward: it may not go below what its organisation has
 * already committed by consenting; below an allocation not yet consented to, it is accepted, and
 * the open proposal then cannot be consented to until a new one replaces it.
 */
import { formatPence } from '../money';
import { openProposal, standingFor } from './cycle.rules';
import type { Allocation, CycleContext, Proposal } from './cycle.types';

export const pledgesOf = (c: CycleContext) => c.pledges ?? [];
export const actionsOf = (c: CycleContext) => c.actions ?? [];
/** The actions of the delivery plan an organisation owns and has not done. */
export const openActionsOf = (c: CycleContext, organisationId: string | null) => actionsOf(c).filter((a) => !a.doneAt && a.ownerOrganisationId === organisationId);

/** The cash an organisation pledges now (0 when it pledges none, or not cash): with what it brought from the organisations it succeeded. */
export const cashPledged = (c: CycleContext, organisationId: string): number =>
  pledgesOf(c)
    .filter((p) => p.organisationId === organisationId && p.kind === 'cash')
    .reduce((sum, p) => sum + (p.amountPence ?? 0), 0);

const total = (allocations: Allocation[], organisationId: string) => allocations.filter((a) => a.organisationId === organisationId).reduce((sum, a) => sum + a.amountPence, 0);

/** The cash an organisation has committed: its allocations in the proposals it consented to that still stand. */
export function committed(c: CycleContext, organisationId: string): number {
  return c.proposals
    .filter((p) => p.status === 'open' || p.status === 'accepted')
    .flatMap((p) => p.consents.filter((x) => standingFor(c, x.organisationId) === organisationId))
    .reduce((sum, x) => sum + (x.committedPence ?? 0), 0);
}

/** Why allocations cannot stand against the pledges (422), naming organisations by `name`. */
export function allocationsRefuse(c: CycleContext, optionIds: string[], allocations: Allocation[], name: (organisationId: string) => string): string | undefined {
  const stray = allocations.find((a) => !optionIds.includes(a.optionId));
  if (stray) {
    const title = c.options.find((o) => o.id === stray.optionId)?.title;
    return `An allocation is to ${title ? `option “${title}”` : `option ${stray.optionId}`}, which the proposal does not choose.`;
  }
  const stranger = allocations.find((a) => !c.coOwners.some((o) => o.organisationId === a.organisationId));
  if (stranger) return `${name(stranger.organisationId)} does not co-own the cycle: only co-owners' pledges are allocated.`;
  const seen = new Set<string>();
  for (const a of allocations) {
    const key = `${a.optionId}.${a.organisationId}`;
    if (seen.has(key)) return `${name(a.organisationId)} is allocated to the same option twice: give one amount.`;
    seen.add(key);
  }
  for (const organisationId of new Set(allocations.map((a) => a.organisationId))) {
    const allocated = total(allocations, organisationId);
    const pledged = cashPledged(c, organisationId);
    if (allocated > pledged) {
      return pledged
        ? `${name(organisationId)} pledged ${formatPence(pledged)}; the proposal allocates ${formatPence(allocated)} of it.`
        : `${name(organisationId)} has pledged no cash; the proposal allocates ${formatPence(allocated)} of it.`;
    }
  }
  return undefined;
}

/** An open proposal whose allocations a lowered pledge no longer covers cannot be consented to. */
export function proposalUnfunded(c: CycleContext, proposal: Proposal | undefined = openProposal(c)): string | undefined {
  const allocations = proposal?.allocations ?? [];
  for (const organisationId of new Set(allocations.map((a) => a.organisationId))) {
    const allocated = total(allocations, organisationId);
    const pledged = cashPledged(c, organisationId);
    if (allocated > pledged) {
      return `The proposal allocates ${formatPence(allocated)} of a co-owner's pledge, which is now ${formatPence(pledged)}: a new proposal is needed.`;
    }
  }
  return undefined;
}

/** What an organisation commits by consenting to a proposal: the cash allocated from it. */
export const commitmentOf = (proposal: Proposal | undefined, organisationId: string | null): number => (proposal && organisationId ? total(proposal.allocations ?? [], organisationId) : 0);

/** The cycle's funding as its view shows it. Gap: the chosen options' costs less what is allocated, never negative. */
export function fundingOf(c: CycleContext) {
  const pledges = pledgesOf(c);
  const proposal = c.proposals.find((p) => p.status === 'accepted') ?? openProposal(c);
  const allocations = proposal?.allocations ?? [];
  const allocatedPence = allocations.reduce((sum, a) => sum + a.amountPence, 0);
  const costPence = (proposal?.optionIds ?? []).reduce((sum, id) => sum + (c.options.find((o) => o.id === id)?.estimatedCostPence ?? 0), 0);
  return {
    pledges: pledges.map((p) => ({
      organisationId: p.organisationId,
      kind: p.kind,
      amountPence: p.amountPence,
      description: p.description,
      ...(p.formerOrganisationId && { formerOrganisationId: p.formerOrganisationId }),
    })),
    pledgedPence: pledges.reduce((sum, p) => sum + (p.kind === 'cash' ? (p.amountPence ?? 0) : 0), 0),
    allocatedPence,
    costPence,
    gapPence: Math.max(0, costPence - allocatedPence),
    allocations,
  };
}
