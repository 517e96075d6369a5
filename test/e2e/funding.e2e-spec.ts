import request from 'supertest';
import { ActionRemindersService } from '@app/milestones';
import { Collaboration, TEST_PASSWORD, TestApi, cycleSteps, fromNow, startCollaboration } from '@test/support';
import { TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/** Pooled funding and a delivery plan over HTTP. */
describe('funding and the delivery plan', () => {
  let api: TestApi;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;

  beforeAll(async () => ({ api, c, steps } = await startCollaboration()));
  afterAll(() => api.close());

  it('three funders (one in kind) reach delivery with the gap recorded; two of three actions done, one overdue', async () => {
    const id = await c.newCycle({ title: 'Funded winter' });
    await steps.toFraming(id);
    await steps.ok(c.councilUser.as, id, { type: 'PLEDGE', kind: 'cash', amountPence: 4_000_000, description: 'Prevention budget' });
    await steps.ok(c.icbUser.as, id, { type: 'PLEDGE', kind: 'cash', amountPence: 2_500_000, description: 'Winter pressures money' });
    await steps.ok(c.charityUser.as, id, { type: 'PLEDGE', kind: 'in_kind', description: '120 trained volunteers' });
    // A pledge of cash must say how much; one in kind must not.
    const noAmount = await steps.send(c.forumUser.as, id, { type: 'PLEDGE', kind: 'cash', description: 'Some money' });
    expect(noAmount.status).toBe(400);
    expect(noAmount.body.errors).toEqual([{ field: 'amountPence', message: 'Enter the cash amount in pounds, for example 40,000' }]);
    for (const u of c.coOwners) await steps.ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    const a = await steps.ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: 'Winter calls', summary: 'Weekly calls', estimatedCostPence: 5_000_000 });
    const b = await steps.ok(c.forumUser.as, id, { type: 'SUBMIT_OPTION', title: 'Warm homes', summary: 'Insulation grants', estimatedCostPence: 3_000_000 });
    const calls = a.options[0].id;
    const warm = b.options[1].id;
    await steps.ok(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' });

    // Over-allocation is refused in words; so is an allocation to an option not proposed.
    const over = await steps.send(c.icbUser.as, id, {
      type: 'PROPOSE_DECISION',
      optionIds: [calls],
      rationale: 'Calls first',
      allocations: [{ optionId: calls, organisationId: c.orgs.council.id, amountPence: 5_500_000 }],
    });
    expect(over.status).toBe(422);
    expect(over.body.detail).toBe('Northshire County Council pledged £40,000.00; the proposal allocates £55,000.00 of it.');
    const stray = await steps.send(c.icbUser.as, id, {
      type: 'PROPOSE_DECISION',
      optionIds: [calls],
      rationale: 'Calls first',
      allocations: [{ optionId: warm, organisationId: c.orgs.council.id, amountPence: 100 }],
    });
    expect(stray.status).toBe(422);
    expect(stray.body.detail).toBe('An allocation is to option “Warm homes”, which the proposal does not choose.');

    const proposed = await steps.ok(c.icbUser.as, id, {
      type: 'PROPOSE_DECISION',
      optionIds: [calls, warm],
      rationale: 'Both, jointly funded',
      allocations: [
        { optionId: calls, organisationId: c.orgs.council.id, amountPence: 4_000_000 },
        { optionId: warm, organisationId: c.orgs.icb.id, amountPence: 2_500_000 },
      ],
    });
    expect(proposed.funding).toMatchObject({ pledgedPence: 6_500_000, allocatedPence: 6_500_000, costPence: 8_000_000, gapPence: 1_500_000 });
    const proposalId = proposed.decision.proposals.at(-1).id;
    let view;
    for (const u of c.coOwners) view = await steps.ok(u.as, id, { type: 'CONSENT', proposalId });
    expect(view.state).toBe('delivering');
    expect(view.funding.gapPence).toBe(1_500_000);
    const councilConsent = view.decision.proposals.at(-1).consents.find((x: { organisationId: string }) => x.organisationId === c.orgs.council.id);
    expect(councilConsent.committedPence).toBe(4_000_000);
    // No more pledges once delivering.
    expect((await steps.send(c.icbUser.as, id, { type: 'PLEDGE', kind: 'cash', amountPence: 1, description: 'Late' })).status).toBe(422);

    // The delivery plan: three actions; the owners complete two; one is overdue by the test clock.
    const add = (title: string, owner: string, dueAt: string) => steps.ok(c.councilUser.as, id, { type: 'ADD_ACTION', title, ownerOrganisationId: owner, dueAt });
    await add('Recruit volunteers', c.orgs.charity.id, fromNow(20 * 86_400_000));
    await add('Agree the grant scheme', c.orgs.forum.id, fromNow(30 * 86_400_000));
    view = await add('Sign the funding letter', c.orgs.icb.id, fromNow(-86_400_000));
    const [recruit, grants, letter] = view.actions;
    expect((await steps.send(c.forumUser.as, id, { type: 'COMPLETE_ACTION', actionId: recruit.id })).status).toBe(403);
    await steps.ok(c.charityUser.as, id, { type: 'COMPLETE_ACTION', actionId: recruit.id, note: '120 volunteers trained' });
    view = await steps.ok(c.forumUser.as, id, { type: 'COMPLETE_ACTION', actionId: grants.id });
    expect(view.actions.map((x: { title: string; status: string }) => [x.title, x.status])).toEqual([
      ['Recruit volunteers', 'done'],
      ['Agree the grant scheme', 'done'],
      ['Sign the funding letter', 'overdue'],
    ]);
    expect(letter.ownerOrganisationId).toBe(c.orgs.icb.id);
    // The owner is told it is theirs to do.
    const notes = (await c.icbUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items;
    expect(notes).toContainEqual(expect.objectContaining({ kind: 'task.action', state: 'open', text: expect.stringContaining('Complete “Sign the funding letter”') }));
    // The reminders pass: the overdue action tells its owner once; one due within the partnership's 7 days reminds.
    await add('Publish the plan', c.orgs.council.id, fromNow(3 * 86_400_000));
    const reminders = api.app.get(ActionRemindersService);
    await reminders.run();
    await reminders.run();
    const icb = (await c.icbUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items.filter((n: { kind: string }) => n.kind === 'action-overdue');
    expect(icb).toEqual([expect.objectContaining({ state: 'open', text: expect.stringMatching(/^“Sign the funding letter” is overdue: it was due on \d{4}-\d{2}-\d{2}: “Funded winter”$/) })]);
    const council = (await c.councilUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items.filter((n: { kind: string }) => n.kind === 'action-reminder');
    expect(council).toEqual([expect.objectContaining({ text: expect.stringContaining('“Publish the plan” is due within 7 days') })]);
    // Completing the action closes its reminder with its task.
    await steps.ok(c.icbUser.as, id, { type: 'COMPLETE_ACTION', actionId: letter.id });
    const after = (await c.icbUser.as.get('/v1/me/notifications?limit=100').expect(200)).body.items.filter((n: { kind: string }) => n.kind === 'action-overdue');
    expect(after.map((n: { state: string }) => n.state)).toEqual(['done']);
  });

  it('a pledge lowered below an allocation not yet consented to blocks consent until a new proposal; below a commitment it is refused', async () => {
    const id = await c.newCycle({ title: 'Lowered pledge' });
    await steps.toFraming(id);
    await steps.ok(c.councilUser.as, id, { type: 'PLEDGE', kind: 'cash', amountPence: 4_000_000, description: 'Budget' });
    await steps.ok(c.icbUser.as, id, { type: 'PLEDGE', kind: 'cash', amountPence: 1_000_000, description: 'Budget' });
    for (const u of c.coOwners) await steps.ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    const a = await steps.ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: 'Calls', summary: 'Weekly calls', estimatedCostPence: 5_000_000 });
    await steps.ok(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' });
    const option = a.options[0].id;
    const proposed = await steps.ok(c.icbUser.as, id, {
      type: 'PROPOSE_DECISION',
      optionIds: [option],
      rationale: 'Calls',
      allocations: [
        { optionId: option, organisationId: c.orgs.council.id, amountPence: 4_000_000 },
        { optionId: option, organisationId: c.orgs.icb.id, amountPence: 1_000_000 },
      ],
    });
    const proposalId = proposed.decision.proposals.at(-1).id;
    await steps.ok(c.icbUser.as, id, { type: 'CONSENT', proposalId });
    // The ICB has committed £10,000 by consenting: it cannot pledge less now.
    const below = await steps.send(c.icbUser.as, id, { type: 'PLEDGE', kind: 'cash', amountPence: 500_000, description: 'Cut' });
    expect(below.status).toBe(422);
    expect(below.body.detail).toBe('Your organisation has committed £10,000.00 by consenting: it cannot pledge less now.');
    // The council lowers its pledge below its allocation: the proposal can no longer be consented to.
    await steps.ok(c.councilUser.as, id, { type: 'PLEDGE', kind: 'cash', amountPence: 3_000_000, description: 'Budget cut' });
    const blocked = await steps.send(c.forumUser.as, id, { type: 'CONSENT', proposalId });
    expect(blocked.status).toBe(422);
    expect(blocked.body.detail).toBe('The proposal allocates £40,000.00 of a co-owner\u2019s pledge, which is now £30,000.00: a new proposal is needed.'.replace('\u2019', "'"));
    expect((await c.forumUser.as.get(`/v1/cycles/${id}`).expect(200)).body.nextEvents).not.toContain('CONSENT');
  });

  it('the partnership’s funding per financial year: pledged and committed per member, as JSON and on a page with a chart', async () => {
    const { years } = (await c.forumUser.as.get(`/v1/partnerships/${c.partnershipId}/funding`).expect(200)).body;
    expect(years).toHaveLength(1);
    expect(years[0].year).toMatch(/^\d{4}-\d{2}$/);
    const of = (id: string) => years[0].byOrganisation.find((o: { organisationId: string }) => o.organisationId === id);
    // The council pledged £40,000 and £30,000 in two cycles and committed £40,000 in the first; the ICB £25,000 and £10,000, committing both.
    expect(of(c.orgs.council.id)).toEqual({ organisationId: c.orgs.council.id, pledgedPence: 7_000_000, committedPence: 4_000_000 });
    expect(of(c.orgs.icb.id)).toEqual({ organisationId: c.orgs.icb.id, pledgedPence: 3_500_000, committedPence: 3_500_000 });
    const web = await createWebApp();
    try {
      const { cookie } = await signInOverHttp({ app: web.app } as TestWeb, c.forumUser.email, TEST_PASSWORD);
      const page = await request(web.app.getHttpServer()).get(`/partnerships/${c.partnershipId}/funding`).set('Cookie', cookie).expect(200);
      expect(page.text).toContain('<svg');
      expect(page.text).toContain('£70,000.00');
      expect(page.text).toMatch(/pledged £105,000, committed £75,000/);
    } finally {
      await web.app.close();
    }
  });

  it('options name the on-the-table items they use; the partnership page shows which are in use, and by which options', async () => {
    await c.charityUser.as
      .put(`/v1/partnerships/${c.partnershipId}/table`, { on: ['120 trained volunteers', 'Befriending service'], off: ['Our reserves'] })
      .expect((r) => expect(r.status).toBeLessThan(300));
    const id = await c.newCycle({ title: 'Using the table' });
    await steps.toOptions(id);
    const refused = await steps.send(c.forumUser.as, id, {
      type: 'SUBMIT_OPTION',
      title: 'Reserves',
      summary: 'Spend them',
      tableItems: [{ organisationId: c.orgs.charity.id, item: 'Our reserves' }],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toBe('“Our reserves” is not on the table of Age Well Northshire: an option uses what members have declared.');
    const view = await steps.ok(c.forumUser.as, id, {
      type: 'SUBMIT_OPTION',
      title: 'Volunteer calls',
      summary: 'Weekly calls',
      tableItems: [{ organisationId: c.orgs.charity.id, item: '120 trained volunteers' }],
    });
    expect(view.options.at(-1).tableItems).toEqual([{ organisationId: c.orgs.charity.id, item: '120 trained volunteers' }]);
    const optionId = view.options.at(-1).id;
    const undeclared = await steps.send(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, tableItems: [{ organisationId: c.orgs.charity.id, item: 'Our reserves' }] });
    expect(undeclared.status).toBe(422);
    const both = [
      { organisationId: c.orgs.charity.id, item: '120 trained volunteers' },
      { organisationId: c.orgs.charity.id, item: 'Befriending service' },
    ];
    const amended = await steps.ok(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, tableItems: both });
    expect(amended.options.find((o: { id: string }) => o.id === optionId).tableItems).toEqual(both);
    const retitled = await steps.ok(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, title: 'Volunteer calls and visits' });
    expect(retitled.options.find((o: { id: string }) => o.id === optionId).tableItems).toEqual(both);
    const cleared = await steps.ok(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, tableItems: [] });
    expect(cleared.options.find((o: { id: string }) => o.id === optionId).tableItems).toBeUndefined();
    await steps.ok(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, title: 'Volunteer calls', tableItems: [both[0]] });
    const web = await createWebApp();
    try {
      const { cookie } = await signInOverHttp({ app: web.app } as TestWeb, c.forumUser.email, TEST_PASSWORD);
      const page = await request(web.app.getHttpServer()).get(`/partnerships/${c.partnershipId}`).set('Cookie', cookie).expect(200);
      expect(page.text).toContain('In use by “Volunteer calls” (Using the table)');
      // Read again once the option moves on (the list is kept between cycle changes).
      await steps.ok(c.forumUser.as, id, { type: 'AMEND_OPTION', optionId, tableItems: [] });
      const after = await request(web.app.getHttpServer()).get(`/partnerships/${c.partnershipId}`).set('Cookie', cookie).expect(200);
      expect(after.text).not.toContain('In use by “Volunteer calls”');
    } finally {
      await web.app.close();
    }
  });
});
