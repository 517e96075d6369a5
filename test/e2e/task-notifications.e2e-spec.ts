import { NotificationMailService } from '@app/notifications';
import { Agent, Collaboration, Factory, TestApi, TestUser, cycleSteps, startCollaboration } from '@test/support';

/** People are told when it is their turn, once each, and the task is done for all when anyone entitled does it. */
describe('task notifications', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;

  beforeAll(async () => ({ api, factory, c, steps } = await startCollaboration()));
  afterAll(() => api.close());

  type Item = { kind: string; cycleId: string; text: string; state: 'open' | 'done'; link: string | null };
  const inbox = async (who: { as: Agent }, cycleId: string): Promise<Item[]> => (await who.as.get('/v1/me/notifications?limit=100').expect(200)).body.items.filter((n: Item) => n.cycleId === cycleId);
  const tasks = async (who: { as: Agent }, cycleId: string, kind: string) => (await inbox(who, cycleId)).filter((n) => n.kind === kind);

  it('a new revision asks every co-owner organisation (its representatives, where it names any) to endorse it, once', async () => {
    const colleague: TestUser = await factory.user(c.orgs.charity, 'Charity colleague');
    await factory.admin.patch(`/v1/users/${c.charityUser.id}`, { representative: true }).expect(200);
    try {
      const id = await c.newCycle({ title: 'Winter 2027' });
      await steps.toFraming(id);
      for (const who of [c.councilUser, c.icbUser, c.forumUser, c.charityUser]) {
        const [task, ...more] = await tasks(who, id, 'task.endorse');
        expect(more).toEqual([]);
        expect(task).toMatchObject({ state: 'open', text: 'Endorse revision 1 of the problem, or object to it: “Winter 2027”', link: expect.stringMatching(new RegExp(`/cycles/${id}$`)) });
      }
      // The charity names a representative: its other users are not asked.
      expect(await tasks(colleague, id, 'task.endorse')).toEqual([]);
      // Once the forum endorses, its task is done (for each of its users); the others' stay open.
      await steps.ok(c.forumUser.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
      expect((await tasks(c.forumUser, id, 'task.endorse')).map((n) => n.state)).toEqual(['done']);
      expect((await tasks(c.councilUser, id, 'task.endorse')).map((n) => n.state)).toEqual(['open']);
      // A new revision: revision 1's tasks are done, revision 2's open for everyone again.
      await steps.ok(c.icbUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Older people living alone are admitted in winter.' });
      const council = await tasks(c.councilUser, id, 'task.endorse');
      expect(council.map((n) => [n.text.slice(0, 18), n.state])).toEqual([
        ['Endorse revision 2', 'open'],
        ['Endorse revision 1', 'done'],
      ]);
      const open = await c.councilUser.as.get('/v1/me/notifications').expect(200);
      expect(open.body.open).toBeGreaterThanOrEqual(1);
      // With SMTP_URL unset, no email is sent: the relay's pass marks them so and sends nothing.
      const mail = api.app.get(NotificationMailService);
      expect(mail.target).toBeNull();
      expect(await mail.route()).toEqual([]);
    } finally {
      await factory.admin.patch(`/v1/users/${c.charityUser.id}`, { representative: false }).expect(200);
    }
  });

  it('a proposal waits for consent, an escalation for the facilitator, a review for the panel, the next iteration for its commissioners', async () => {
    const id = await c.newCycle({ title: 'Winter 2028' });
    const optionId = await steps.toDeciding(id);
    const proposal = await steps.ok(c.icbUser.as, id, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Quickest' });
    expect((await tasks(c.forumUser, id, 'task.respond')).map((n) => n.state)).toEqual(['open']);
    await steps.ok(c.forumUser.as, id, { type: 'ESCALATE', reason: 'Who funds the volunteers?' });
    const [resolve] = await tasks(c.facilitator, id, 'task.resolve');
    expect(resolve).toMatchObject({ state: 'open', text: 'Resolve the escalation: Who funds the volunteers?: “Winter 2028”' });
    await steps.ok(c.facilitator.as, id, { type: 'RESOLVE_ESCALATION', resolution: 'The ICB funds year one' });
    expect((await tasks(c.facilitator, id, 'task.resolve')).map((n) => n.state)).toEqual(['done']);
    // While escalated nobody can consent: the question is asked again once it is resolved.
    expect((await tasks(c.forumUser, id, 'task.respond')).map((n) => n.state)).toEqual(['open', 'done']);
    for (const u of c.coOwners) await steps.ok(u.as, id, { type: 'CONSENT', proposalId: proposal.decision.proposals[0].id });
    expect((await tasks(c.forumUser, id, 'task.respond')).map((n) => n.state)).toEqual(['done', 'done']);
    await steps.ok(c.councilUser.as, id, { type: 'START_REVIEW' });
    for (const member of c.panel) expect((await tasks(member, id, 'task.review')).map((n) => n.state)).toEqual(['open']);
    for (const member of c.panel) await steps.ok(member.as, id, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
    for (const member of c.panel) expect((await tasks(member, id, 'task.review')).map((n) => n.state)).toEqual(['done']);
    const next = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body.nextCycleId;
    const [launch] = await tasks(c.councilUser, next, 'task.launch');
    expect(launch).toMatchObject({ state: 'open', text: 'Check the next iteration’s people and launch it: “Winter 2028”' });
    expect(await tasks(c.charityUser, next, 'task.launch')).toEqual([]);
    await steps.ok(c.icbUser.as, next, { type: 'LAUNCH' });
    expect((await tasks(c.councilUser, next, 'task.launch')).map((n) => n.state)).toEqual(['done']);
  });
});
