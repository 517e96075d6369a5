import type { Directory } from './cycle.people';
import { nextEvents, stateOf, tasksOf } from './index';
import { committed } from './cycle.funding';
import { CHARITY, COUNCIL, FORUM, ICB, council, deciding, delivering, facilitator, framed, icb, launched, panelA, panelB, refusal, reviewing, send, system } from './cycle.machine.fixtures';

const UNITARY = 'org-unitary';
/** The partnership as it will be on the vesting date: the unitary a member, the council's people its people. */
const directory = (overrides: Directory['users'] = {}): Directory => ({
  members: { [COUNCIL]: 'commissioner', [ICB]: 'commissioner', [CHARITY]: 'provider', [FORUM]: 'community', [UNITARY]: 'commissioner', 'org-outsider': 'provider' },
  organisationNames: { [COUNCIL]: 'Northshire County Council', [UNITARY]: 'North Wold Council', [ICB]: 'Wold ICB', [CHARITY]: 'Age Well', [FORUM]: 'Residents Forum' },
  users: {
    [facilitator.userId!]: { name: 'Fran Facilitator', organisationId: 'org-mediation', kind: 'facilitator', active: true },
    [panelA.userId!]: { name: 'Pat Panel', organisationId: FORUM, kind: 'community', active: true },
    'u-colleague': { name: 'Cole League', organisationId: FORUM, kind: 'community', active: true },
    'u-inactive': { name: 'Ina Active', organisationId: FORUM, kind: 'community', active: false },
    ...overrides,
  },
  outcomes: {},
});
const succession = (predecessor: string, successor: string, dir = directory()) => ({
  type: 'ORGANISATION_SUCCEEDED' as const,
  predecessorOrganisationId: predecessor,
  successorOrganisationId: successor,
  directory: dir,
});
const handover = (from: string, to: string, dir = directory()) => ({ type: 'HANDED_OVER' as const, fromUserId: from, toUserId: to, directory: dir });
const admin = { ...system, userId: 'u-admin' };

describe('a succession in a cycle (ORGANISATION_SUCCEEDED)', () => {
  it('is recorded by the service only: a person sending it gets 403', () => {
    expect(refusal(framed(), council, succession(COUNCIL, UNITARY))).toMatchObject({ kind: 'forbidden', reason: expect.stringMatching(/recorded by the service/) });
  });

  it('puts the successor in the predecessor’s place, in the same role, and the state does not change', () => {
    const s = send(framed(), admin, succession(COUNCIL, UNITARY));
    expect(stateOf(s)).toBe('options');
    expect(s.context.coOwners).toContainEqual({ organisationId: UNITARY, role: 'commissioner' });
    expect(s.context.coOwners.map((o) => o.organisationId)).not.toContain(COUNCIL);
    expect(s.context.successions).toEqual([{ predecessorOrganisationId: COUNCIL, successorOrganisationId: UNITARY, at: expect.any(String) }]);
  });

  it('keeps the endorsements given in the predecessor’s name, and they count for the successor', () => {
    let s = send(launched(), council, { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted in winter.' });
    s = send(s, council, { type: 'ENDORSE_PROBLEM', revision: 1 });
    s = send(s, admin, succession(COUNCIL, UNITARY));
    expect(s.context.problem.endorsements.map((e) => e.organisationId)).toEqual([COUNCIL]);
    // The unitary has endorsed already (through its predecessor): it is not asked again, nor may it endorse twice.
    expect(tasksOf(s).map((t) => t.key)).not.toContain(`endorse.1.${UNITARY}`);
    expect(refusal(s, { userId: 'u-unitary', organisationId: UNITARY }, { type: 'ENDORSE_PROBLEM', revision: 1 }).reason).toMatch(/already endorsed/);
    // The others endorse: the cycle moves on with the predecessor's endorsement counted.
    for (const actor of [icb, { userId: 'u-charity', organisationId: CHARITY }, { userId: 'u-forum', organisationId: FORUM }]) s = send(s, actor, { type: 'ENDORSE_PROBLEM', revision: 1 });
    expect(stateOf(s)).toBe('options');
  });

  it('keeps a consent given by the predecessor: the proposal is agreed when the others consent', () => {
    let s = send(deciding(), icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'Cheapest, fastest.' });
    s = send(s, council, { type: 'CONSENT', proposalId: 'p-1' });
    s = send(s, admin, succession(COUNCIL, UNITARY));
    const unitary = { userId: 'u-unitary', organisationId: UNITARY };
    expect(nextEvents(s, unitary)).not.toContain('CONSENT');
    expect(refusal(s, unitary, { type: 'CONSENT', proposalId: 'p-1' }).reason).toMatch(/already consented/);
    for (const actor of [icb, { userId: 'u-charity', organisationId: CHARITY }, { userId: 'u-forum', organisationId: FORUM }]) s = send(s, actor, { type: 'CONSENT', proposalId: 'p-1' });
    expect(stateOf(s)).toBe('delivering');
    expect(s.context.proposals[0].consents.map((c) => c.organisationId)).toContain(COUNCIL);
  });

  it('brings the predecessor’s pledge, its allocated cash and commitments to the successor', () => {
    let s = send(framed(), council, { type: 'PLEDGE', kind: 'cash', amountPence: 4_000_000, description: 'Winter pressures fund' });
    s = send(s, { userId: 'u-charity', organisationId: CHARITY }, { type: 'SUBMIT_OPTION', optionId: 'opt-1', title: 'Calls', summary: 'Weekly calls.', coAuthorOrganisationIds: [FORUM] });
    s = send(s, council, { type: 'CLOSE_OPTIONS' });
    s = send(s, icb, {
      type: 'PROPOSE_DECISION',
      proposalId: 'p-1',
      optionIds: ['opt-1'],
      rationale: 'Fund it.',
      allocations: [{ optionId: 'opt-1', organisationId: COUNCIL, amountPence: 3_000_000 }],
    });
    s = send(s, council, { type: 'CONSENT', proposalId: 'p-1' });
    s = send(s, admin, succession(COUNCIL, UNITARY));
    expect(s.context.pledges).toEqual([expect.objectContaining({ organisationId: UNITARY, formerOrganisationId: COUNCIL, amountPence: 4_000_000 })]);
    expect(s.context.proposals[0].allocations).toEqual([{ optionId: 'opt-1', organisationId: UNITARY, amountPence: 3_000_000 }]);
    expect(committed(s.context, UNITARY)).toBe(3_000_000);
    // The successor may not pledge below what its predecessor committed.
    expect(refusal(s, { userId: 'u-unitary', organisationId: UNITARY }, { type: 'PLEDGE', kind: 'cash', amountPence: 100, description: 'Less' }).reason).toMatch(/committed £30,000.00/);
  });

  it('moves option authorship and the actions the predecessor owns', () => {
    let s = send(delivering(), council, { type: 'ADD_ACTION', actionId: 'a-1', title: 'Recruit volunteers', ownerOrganisationId: COUNCIL, dueAt: '2027-03-01T00:00:00.000Z' });
    s = send(s, admin, succession(CHARITY, 'org-outsider', directory()));
    s = send(s, admin, succession(COUNCIL, UNITARY));
    expect(s.context.actions![0].ownerOrganisationId).toBe(UNITARY);
    expect(s.context.options[0].authorOrganisationIds).toEqual(['org-outsider', FORUM]);
  });

  it('keeps a successor that already co-owns in its own role, once', () => {
    const s = send(framed(), admin, succession(COUNCIL, ICB));
    expect(s.context.coOwners.filter((o) => o.organisationId === ICB)).toEqual([{ organisationId: ICB, role: 'commissioner' }]);
    expect(s.context.coOwners.map((o) => o.organisationId)).not.toContain(COUNCIL);
    expect(s.context.successions).toEqual([expect.objectContaining({ keptRole: 'commissioner' })]);
  });

  it('is refused when the cycle would lose its last commissioner, or its last provider or community co-owner', () => {
    let s = send(framed(), admin, succession(ICB, COUNCIL));
    expect(refusal(s, admin, succession(COUNCIL, CHARITY)).reason).toMatch(/already co-owns the cycle.*at least one commissioner/);
    s = send(s, admin, succession(FORUM, CHARITY));
    expect(refusal(s, admin, succession(CHARITY, COUNCIL)).reason).toMatch(/at least one provider or community co-owner/);
  });

  it('is refused when the successor may not take the role, when the predecessor does not co-own, and for itself', () => {
    expect(refusal(framed(), admin, succession(COUNCIL, 'org-outsider')).reason).toMatch(/provider organisation, not a commissioner/);
    expect(refusal(framed(), admin, succession('org-elsewhere', UNITARY)).reason).toMatch(/does not co-own the cycle/);
    expect(refusal(framed(), admin, succession(COUNCIL, COUNCIL)).reason).toMatch(/cannot succeed itself/);
  });

  it('leaves a succeeded organisation out for good: it is not invited back, nor succeeds another', () => {
    const s = send(framed(), admin, succession(COUNCIL, UNITARY));
    expect(refusal(s, icb, { type: 'INVITE_CO_OWNER', organisationId: COUNCIL, role: 'commissioner', directory: directory() }).reason).toBe(
      'Northshire County Council was succeeded by North Wold Council, which stands for it in this cycle.',
    );
    expect(refusal(s, admin, succession(ICB, COUNCIL)).reason).toMatch(/^Northshire County Council was succeeded by North Wold Council/);
  });

  it('is refused when a facilitator would belong to a co-owner', () => {
    const dir = directory({ [facilitator.userId!]: { name: 'Fran Facilitator', organisationId: UNITARY, kind: 'commissioner', active: true } });
    expect(refusal(framed(), admin, succession(COUNCIL, UNITARY, dir)).reason).toMatch(/facilitator must be neutral: Fran Facilitator/);
  });

  it('reaches a cycle in every unfinished state, and not a closed one', () => {
    expect(stateOf(send(launched(), admin, succession(COUNCIL, UNITARY)))).toBe('framing');
    expect(stateOf(send(reviewing(), admin, succession(COUNCIL, UNITARY)))).toBe('reviewing');
    let closed = reviewing();
    for (const member of [panelA, panelB, { userId: 'u-panel-c', organisationId: 'org-outsider' }]) closed = send(closed, member, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    expect(stateOf(closed)).toBe('closed');
    expect(refusal(closed, admin, succession(COUNCIL, UNITARY)).accepted).toBe(false);
  });
});

describe('a handover in a cycle (HANDED_OVER)', () => {
  it('moves a panel seat and a facilitator role to the colleague', () => {
    let s = send(framed(), admin, handover(panelA.userId!, 'u-colleague'));
    expect(s.context.panelUserIds).toEqual(['u-colleague', panelB.userId, 'u-panel-c']);
    const dir = directory({ 'u-mediator': { name: 'Mo Mediator', organisationId: 'org-mediation', kind: 'facilitator', active: true } });
    s = send(s, admin, handover(facilitator.userId!, 'u-mediator', dir));
    expect(s.context.facilitatorUserIds).toEqual(['u-mediator']);
  });

  it('leaves a seat whose holder has signed off: the sign-off stands', () => {
    const s = send(reviewing(), panelA, { type: 'SIGN_OFF_REVIEW', outcome: 'close' });
    expect(refusal(s, admin, handover(panelA.userId!, 'u-colleague')).reason).toMatch(/signed off this cycle's review/);
  });

  it('is refused for someone with no seat, for an inactive colleague, a partial facilitator, and for people', () => {
    expect(refusal(framed(), admin, handover('u-colleague', panelA.userId!)).reason).toMatch(/holds no panel seat or facilitator role/);
    expect(refusal(framed(), admin, handover(panelA.userId!, 'u-inactive')).reason).toMatch(/Ina Active cannot take over: not active users/);
    const dir = directory({ 'u-partial': { name: 'Par Tial', organisationId: COUNCIL, kind: 'commissioner', active: true } });
    expect(refusal(framed(), admin, handover(facilitator.userId!, 'u-partial', dir)).reason).toMatch(/facilitator must be neutral/);
    expect(refusal(framed(), council, handover(panelA.userId!, 'u-colleague')).kind).toBe('forbidden');
  });
});
