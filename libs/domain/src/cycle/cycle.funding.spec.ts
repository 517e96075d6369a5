import { CycleSnapshot, decide, startCycle, stateOf } from './cycle.engine';
import { Directory } from './cycle.people';
import { Actor } from './cycle.types';
import type { CycleEvent } from './cycle.catalogue';
import { fundingOf } from './cycle.funding';
import { formatPence, parsePounds, financialYear } from '../money';
import { dateInEngland } from '../calendar/working-days';

const council: Actor = { userId: 'u-council', organisationId: 'org-council' };
const charity: Actor = { userId: 'u-charity', organisationId: 'org-charity' };
const directory: Directory = {
  members: { 'org-council': 'commissioner', 'org-charity': 'provider' },
  users: {},
  outcomes: {},
  organisationNames: { 'org-council': 'Northshire County Council', 'org-charity': 'Age Well Northshire' },
};
let tick = 0;
const event = (actor: Actor, body: Record<string, unknown>) => ({ ...body, actor, at: new Date(Date.UTC(2027, 4, 1) + tick++ * 1000).toISOString(), directory }) as unknown as CycleEvent;
function send(s: CycleSnapshot, actor: Actor, body: Record<string, unknown>): CycleSnapshot {
  const d = decide(s, event(actor, body));
  if (!d.accepted) throw new Error(`${String(body.type)} refused: ${d.reason}`);
  return d.snapshot;
}
const refusal = (s: CycleSnapshot, actor: Actor, body: Record<string, unknown>) => {
  const d = decide(s, event(actor, body));
  if (d.accepted) throw new Error('accepted');
  return d.reason;
};

function deciding(): CycleSnapshot {
  let s = startCycle({
    coOwners: [
      { organisationId: 'org-council', role: 'commissioner' },
      { organisationId: 'org-charity', role: 'provider' },
    ],
    panelUserIds: ['u-panel'],
    facilitatorUserIds: [],
    outcomeIds: [],
    metrics: [],
  });
  s = send(s, council, { type: 'LAUNCH' });
  s = send(s, council, { type: 'PLEDGE', kind: 'cash', amountPence: 4_000_000, description: 'Budget' });
  s = send(s, charity, { type: 'PLEDGE', kind: 'staff_time', description: 'Two nurses a week' });
  s = send(s, charity, { type: 'REVISE_PROBLEM', statement: 'Winter' });
  for (const a of [council, charity]) s = send(s, a, { type: 'ENDORSE_PROBLEM', revision: 1 });
  s = send(s, charity, { type: 'SUBMIT_OPTION', optionId: 'o-1', title: 'Calls', summary: 'Weekly', estimatedCostPence: 5_500_000 });
  s = send(s, charity, { type: 'SUBMIT_OPTION', optionId: 'o-2', title: 'Grants', summary: 'Insulation' });
  return send(s, council, { type: 'CLOSE_OPTIONS' });
}

/** A co-owner's proposal of the option with the council's cash allocated to it. */
const proposal = (proposalId: string, amountPence: number, optionId = 'o-1') => ({
  type: 'PROPOSE_DECISION',
  proposalId,
  optionIds: ['o-1'],
  rationale: 'r',
  allocations: [{ optionId, organisationId: 'org-council', amountPence }],
});

describe('funding rules', () => {
  it('refuses over-allocation in words, and allocation to an option not proposed', () => {
    const s = deciding();
    const alloc = (amountPence: number, optionId = 'o-1') => proposal(`p-${tick}`, amountPence, optionId);
    expect(refusal(s, charity, alloc(5_500_000))).toBe('Northshire County Council pledged £40,000.00; the proposal allocates £55,000.00 of it.');
    expect(refusal(s, charity, alloc(100, 'o-2'))).toBe('An allocation is to option “Grants”, which the proposal does not choose.');
    expect(refusal(s, charity, { ...alloc(100), allocations: [{ optionId: 'o-1', organisationId: 'org-charity', amountPence: 100 }] })).toBe(
      'Age Well Northshire has pledged no cash; the proposal allocates £1.00 of it.',
    );
  });

  it('consent commits the allocation; the gap is the chosen cost less what is allocated, never negative', () => {
    let s = send(deciding(), charity, proposal('p', 4_000_000));
    expect(fundingOf(s.context)).toMatchObject({ pledgedPence: 4_000_000, allocatedPence: 4_000_000, costPence: 5_500_000, gapPence: 1_500_000 });
    s = send(s, council, { type: 'CONSENT', proposalId: 'p' });
    expect(s.context.proposals[0].consents[0].committedPence).toBe(4_000_000);
    s = send(s, charity, { type: 'CONSENT', proposalId: 'p' });
    expect(stateOf(s)).toBe('delivering');
    // No pledge once delivering.
    expect(refusal(s, council, { type: 'PLEDGE', kind: 'cash', amountPence: 1, description: 'Late' })).toContain('delivering');
  });

  it('a pledge lowered below an unconsented allocation blocks consent; below a commitment it is refused', () => {
    let s = send(deciding(), charity, proposal('p', 4_000_000));
    s = send(s, council, { type: 'PLEDGE', kind: 'cash', amountPence: 3_000_000, description: 'Cut' });
    expect(refusal(s, charity, { type: 'CONSENT', proposalId: 'p' })).toBe("The proposal allocates £40,000.00 of a co-owner's pledge, which is now £30,000.00: a new proposal is needed.");
    s = send(s, charity, proposal('p2', 3_000_000));
    s = send(s, council, { type: 'CONSENT', proposalId: 'p2' });
    expect(refusal(s, council, { type: 'PLEDGE', kind: 'in_kind', description: 'Rooms instead' })).toBe('Your organisation has committed £30,000.00 by consenting: it cannot pledge less now.');
  });

  it('money the GOV.UK way, and financial years in England', () => {
    expect(formatPence(123450)).toBe('£1,234.50');
    expect(formatPence(4_000_000, { wholePounds: true })).toBe('£40,000');
    expect(formatPence(4_000_050, { wholePounds: true })).toBe('£40,000.50');
    expect(parsePounds('£40,000.5')).toBe(4_000_050);
    expect(parsePounds('12.345')).toBeUndefined();
    expect(financialYear(new Date('2027-03-31T22:30:00Z'), dateInEngland)).toBe('2026-27');
    expect(financialYear(new Date('2027-03-31T23:30:00Z'), dateInEngland)).toBe('2027-28');
  });
});
