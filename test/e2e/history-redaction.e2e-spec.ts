import { DataSource } from 'typeorm';
import { type Collaboration, TestApi, startCollaboration } from '@test/support';
import type { Factory } from '@test/support';

/**
 * Redacting one entry's field (issue 34, hash scheme 4): a resident named in a problem statement
 * and in a learning note; the texts go from the history and from what the cycle shows, the chain
 * still verifies, and the redaction is itself an entry.
 */
describe('redacting a history entry', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let steps: Awaited<ReturnType<typeof startCollaboration>>['steps'];
  let cycleId: string;
  const named = 'Mrs Ada Jones of 4 Elm Road waited nine days for a carer.';

  const allowedPrivate = process.env.WEBHOOK_ALLOW_PRIVATE;
  beforeAll(async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = 'true';
    ({ api, factory, c, steps } = await startCollaboration());
    cycleId = await c.newCycle({ title: 'Care at home' });
    await steps.toFraming(cycleId);
    // A partner system's webhook (no worker runs here: its delivery stays pending, in the outbox).
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/webhooks`, { url: 'http://127.0.0.1:9/partner', events: ['REVISE_PROBLEM'] }).expect(201);
    await steps.ok(c.charityUser.as, cycleId, { type: 'REVISE_PROBLEM', statement: named });
  }, 60000);
  afterAll(async () => {
    await api?.close();
    if (allowedPrivate === undefined) delete process.env.WEBHOOK_ALLOW_PRIVATE;
  });

  const entryOf = async (type: string) => {
    const history = await c.councilUser.as.get(`/v1/cycles/${cycleId}/history?limit=200`).expect(200);
    return (history.body.items as { seq: number; type: string; payload: Record<string, unknown> }[]).filter((e) => e.type === type).pop()!;
  };
  const version = async () => (await c.councilUser.as.get(`/v1/cycles/${cycleId}`).expect(200)).body.version as number;

  it('an admin redacts the statement: "[redacted]" in the history and the cycle, a REDACTED entry, verify intact in full', async () => {
    const revision = await entryOf('REVISE_PROBLEM');
    expect(revision.payload.statement).toBe(named);
    const before = await version();
    const res = await factory.admin.post(`/v1/cycles/${cycleId}/history/${revision.seq}/redact`, { field: 'statement', reason: 'Names a resident who did not agree to be named' }).expect(200);
    expect(res.body).toEqual({ seq: revision.seq, field: 'statement', redactedBySeq: before + 1 });

    expect((await entryOf('REVISE_PROBLEM')).payload.statement).toBe('[redacted]');
    const redacted = await entryOf('REDACTED');
    expect(redacted).toMatchObject({ seq: before + 1, payload: { fields: [{ seq: revision.seq, path: '/statement' }], reason: 'Names a resident who did not agree to be named' } });
    // The whole view (every revision): the name is in none of them.
    const cycle = await c.councilUser.as.get(`/v1/cycles/${cycleId}?view=full`).expect(200);
    expect(JSON.stringify(cycle.body)).not.toContain('Ada Jones');
    expect(cycle.body.problem.revisions.at(-1).statement).toBe('[redacted]');
    // The first statement, which named nobody, is as it was.
    expect(cycle.body.problem.revisions[0].statement).toBe('Too many older people are admitted to hospital in winter.');
    expect((await c.councilUser.as.get(`/v1/cycles/${cycleId}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
    expect((await c.councilUser.as.get(`/v1/cycles/${cycleId}/history/verify`).expect(200)).body).toMatchObject({ intact: true });
    // The database keeps the digest, not the text or its salt.
    const [row] = await api.app.get(DataSource).query(`SELECT payload, seals FROM cycle_history WHERE cycle_id = $1 AND seq = $2`, [cycleId, revision.seq]);
    expect(JSON.stringify(row)).not.toContain('Ada Jones');
    expect(row.seals['/statement']).toEqual({ digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The webhook delivery not yet sent carries the redacted payload.
    const deliveries: { body: { payload: { statement: string } } }[] = await api.app
      .get(DataSource)
      .query(`SELECT body FROM webhook_deliveries WHERE cycle_id = $1 AND seq = $2`, [cycleId, revision.seq]);
    expect(deliveries.map((d) => d.body.payload.statement)).toEqual(['[redacted]']);
  });

  it('bad input is refused with the problem named, and nothing changes', async () => {
    const escalation = await steps.ok(c.icbUser.as, cycleId, { type: 'ESCALATE', reason: 'The charity’s manager, Tom Price, has not answered' });
    const seq = escalation.version as number;
    const before = await version();
    const post = (path: string, body: object) => factory.admin.post(`/v1/cycles/${cycleId}/history/${path}/redact`, body);
    const missing = await post(`${seq}`, { field: 'reason' }).expect(400);
    expect([...new Set(missing.body.errors.map((e: { field: string }) => e.field))]).toEqual(['reason']);
    const unknown = await post(`${seq}`, { field: 'revision', reason: 'x' }).expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'field', message: `entry ${seq} has no personal field revision to redact: its personal fields are reason` }]);
    const first = await post('1', { field: 'title', reason: 'x' }).expect(400);
    expect(first.body.errors[0].message).toBe('entry 1 has no personal field title to redact: it holds no personal text');
    await post('99999', { field: 'reason', reason: 'x' }).expect(404);
    await post('nope', { field: 'reason', reason: 'x' }).expect(404);
    await post(`${seq}`, { field: 'reason', reason: 'x', extra: true }).expect(400);
    await c.councilUser.as.post(`/v1/cycles/${cycleId}/history/${seq}/redact`, { field: 'reason', reason: 'Names a person' }).expect(403);
    expect(await version()).toBe(before);
    expect((await entryOf('ESCALATE')).payload.reason).toBe('The charity’s manager, Tom Price, has not answered');
    // Once redacted, a second redaction of the same field is refused.
    await post(`${seq}`, { field: 'reason', reason: 'Names a person' }).expect(200);
    const again = await post(`${seq}`, { field: 'reason', reason: 'Names a person' }).expect(400);
    expect(again.body.errors[0].message).toBe(`the field reason of entry ${seq} is already erased or redacted`);
    expect(await version()).toBe(before + 1);
    expect((await c.councilUser.as.get(`/v1/cycles/${cycleId}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
    // A text an event wrote into what an earlier one opened (the escalation's resolution) goes from the view too.
    const resolved = await steps.ok(c.facilitator.as, cycleId, { type: 'RESOLVE_ESCALATION', resolution: 'Tom Price will answer by Friday' });
    expect(resolved.escalations.at(-1).resolution).toBe('Tom Price will answer by Friday');
    await post(`${resolved.version}`, { field: 'resolution', reason: 'Names a person' }).expect(200);
    const cycle = (await c.councilUser.as.get(`/v1/cycles/${cycleId}`).expect(200)).body;
    expect(cycle.escalations.at(-1).resolution).toBe('[redacted]');
    expect(JSON.stringify(cycle)).not.toContain('Tom Price');
    // The redaction's own reason is sealed: it can be redacted in its turn.
    const redaction = await entryOf('REDACTED');
    await post(`${redaction.seq}`, { field: 'reason', reason: 'The reason named the person' }).expect(200);
    expect((await c.councilUser.as.get(`/v1/cycles/${cycleId}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
  });

  it('a statement carried into the next iteration is redacted there too, which records it; both verify', async () => {
    const first = await c.newCycle({ title: 'Carried on' });
    await steps.toReviewing(first);
    const learning = await steps.ok(c.panel[0].as, first, { type: 'RECORD_LEARNING', insight: 'Ada Jones asked for earlier visits', recommendation: 'adapt' });
    for (const p of c.panel) await steps.ok(p.as, first, { type: 'SIGN_OFF_REVIEW', outcome: 'iterate' });
    const next = (await c.councilUser.as.get(`/v1/cycles/${first}`).expect(200)).body.nextCycleId as string;
    expect(next).toEqual(expect.any(String));
    const carried = (await c.councilUser.as.get(`/v1/cycles/${next}`).expect(200)).body.problem.revisions[0];
    expect(carried).toMatchObject({ carriedForward: true, statement: 'Too many older people are admitted to hospital in winter.' });
    const history = (await c.councilUser.as.get(`/v1/cycles/${first}/history?limit=500`).expect(200)).body.items as { seq: number; type: string }[];
    const revision = history.filter((e) => e.type === 'REVISE_PROBLEM').pop()!;
    await factory.admin.post(`/v1/cycles/${first}/history/${revision.seq}/redact`, { field: 'statement', reason: 'Names a ward' }).expect(200);
    expect((await c.councilUser.as.get(`/v1/cycles/${next}`).expect(200)).body.problem.revisions[0].statement).toBe('[redacted]');
    const nextHistory = (await c.councilUser.as.get(`/v1/cycles/${next}/history?limit=500`).expect(200)).body.items;
    expect(nextHistory.at(-1)).toMatchObject({ type: 'REDACTED', payload: { fields: [], carriedFrom: first, reason: 'Names a ward' } });
    for (const id of [first, next]) expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
    // The learning the next iteration inherited is redacted there too.
    expect(JSON.stringify((await c.councilUser.as.get(`/v1/cycles/${next}`).expect(200)).body.inheritedLearning)).toContain('Ada Jones');
    await factory.admin.post(`/v1/cycles/${first}/history/${learning.version}/redact`, { field: 'insight', reason: 'Names a resident' }).expect(200);
    const inherited = (await c.councilUser.as.get(`/v1/cycles/${next}`).expect(200)).body.inheritedLearning;
    expect(JSON.stringify(inherited)).not.toContain('Ada Jones');
    expect(inherited.learnings.map((l: { insight: string }) => l.insight)).toContain('[redacted]');
    for (const id of [first, next]) expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
  });
});
