import { Actor, CycleInput } from './cycle.types';
import type { CycleEvent } from './cycle.catalogue';
import { CycleSnapshot, PersistedCycle, decide, nextEvents, persistCycle, restoreCycle, startCycle } from './cycle.engine';
import { CycleTexts, joinTexts, shownTexts, splitTexts, withStatement, withSummary } from './cycle.texts';

const council: Actor = { userId: 'u-council', organisationId: 'org-council' };
const icb: Actor = { userId: 'u-icb', organisationId: 'org-icb' };
const charity: Actor = { userId: 'u-charity', organisationId: 'org-charity' };
const forum: Actor = { userId: 'u-forum', organisationId: 'org-forum' };
const people = [council, icb, charity, forum];

const input: CycleInput = {
  coOwners: [
    { organisationId: 'org-council', role: 'commissioner' },
    { organisationId: 'org-icb', role: 'commissioner' },
    { organisationId: 'org-charity', role: 'provider' },
    { organisationId: 'org-forum', role: 'community' },
  ],
  panelUserIds: ['u-panel'],
  facilitatorUserIds: [],
  outcomeIds: ['outcome-1'],
  metrics: [],
  carriedStatement: { statement: 'Carried from the iteration before.', at: '2027-01-01T00:00:00.000Z' },
};

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/**
 * Two copies of one cycle: one stored whole, one stored as the repository stores it (the snapshot
 * without texts, the texts by key, upserted). Every step must decide the same, offer the same next
 * events, and the slim one with its texts put back must equal the whole one.
 */
describe('cycle texts kept apart from the stored snapshot', () => {
  it('a cycle decided on snapshots without texts is the same cycle, texts put back', () => {
    let whole: PersistedCycle = json(persistCycle(startCycle(input)));
    const first = splitTexts(whole);
    let slim: PersistedCycle = json(first.slim);
    const store: CycleTexts = { ...first.texts };
    let n = 0;
    const step = (actor: Actor, body: Record<string, unknown>, refused = false) => {
      const event = { ...body, actor, at: new Date(Date.UTC(2027, 1, 1) + n++ * 1000).toISOString() } as CycleEvent;
      const a = decide(restoreCycle(whole), event);
      const b = decide(restoreCycle(slim), event);
      expect(b).toEqual(refused ? a : expect.objectContaining({ accepted: true }));
      expect(a.accepted).toBe(!refused);
      if (!a.accepted || !b.accepted) return;
      whole = json(persistCycle(a.snapshot));
      const { slim: next, texts } = splitTexts(persistCycle(b.snapshot));
      slim = json(next);
      Object.assign(store, texts);
      expect(JSON.stringify(slim)).not.toMatch(/"statement"|"summary"/);
      expect(joinTexts(slim, store)).toEqual(whole);
      for (const p of people) expect(nextEvents(restoreCycle(slim) as CycleSnapshot, p)).toEqual(nextEvents(restoreCycle(whole), p));
    };
    step(council, { type: 'LAUNCH' });
    step(charity, { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted in winter.' });
    step(forum, { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted in winter, most of them living alone.' });
    for (const p of people) step(p, { type: 'ENDORSE_PROBLEM', revision: 3 });
    step(charity, { type: 'SUBMIT_OPTION', optionId: 'opt-1', title: 'Winter calls', summary: 'Volunteers call isolated residents weekly.' });
    step(forum, { type: 'SUBMIT_OPTION', optionId: 'opt-2', title: 'Warm hubs', summary: 'Libraries open as warm spaces.' });
    step(charity, { type: 'AMEND_OPTION', optionId: 'opt-1', title: 'Winter wellbeing calls' });
    step(forum, { type: 'AMEND_OPTION', optionId: 'opt-2', summary: 'Libraries and halls open as warm spaces, with lunch.' });
    step(forum, { type: 'WITHDRAW_OPTION', optionId: 'opt-2' });
    // Refused alike: an option that is not live.
    step(forum, { type: 'AMEND_OPTION', optionId: 'opt-2', title: 'Too late' }, true);
    step(council, { type: 'CLOSE_OPTIONS' });
    step(icb, { type: 'PROPOSE_DECISION', proposalId: 'p-1', optionIds: ['opt-1'], rationale: 'Cheapest, fastest.' });
    for (const p of people) step(p, { type: 'CONSENT', proposalId: 'p-1' });
    expect(store).toEqual({
      'revision:1': 'Carried from the iteration before.',
      'revision:2': 'Too many older people are admitted in winter.',
      'revision:3': 'Too many older people are admitted in winter, most of them living alone.',
      'option:opt-1': 'Volunteers call isolated residents weekly.',
      'option:opt-2': 'Libraries and halls open as warm spaces, with lunch.',
    });
    expect(whole.value as string).toBe('delivering');
  });

  it('a snapshot stored before texts were kept apart keeps its own texts when joined, and gives them all up when split', () => {
    const whole = json(persistCycle(startCycle(input)));
    expect(joinTexts(whole, { 'revision:1': 'stale' })).toEqual(whole);
    expect(splitTexts(whole).texts).toEqual({ 'revision:1': 'Carried from the iteration before.' });
    // A text never stored reads as empty rather than missing.
    const { slim } = splitTexts(whole);
    expect((joinTexts(slim, {}).context as any).problem.revisions[0].statement).toBe('');
  });

  it('the texts a view shows: the latest revision’s statement and the live options’ summaries, the same object when nothing is left out', () => {
    let cycle: PersistedCycle = json(persistCycle(startCycle(input)));
    let n = 0;
    const send = (actor: Actor, body: Record<string, unknown>) => {
      const decision = decide(restoreCycle(cycle), { ...body, actor, at: new Date(Date.UTC(2027, 1, 1) + n++ * 1000).toISOString() } as CycleEvent);
      if (!decision.accepted) throw new Error(`refused: ${JSON.stringify(body)}`);
      cycle = json(persistCycle(decision.snapshot));
    };
    send(council, { type: 'LAUNCH' });
    send(charity, { type: 'REVISE_PROBLEM', statement: 'Second.' });
    for (const p of people) send(p, { type: 'ENDORSE_PROBLEM', revision: 2 });
    for (const id of ['opt-1', 'opt-2', 'opt-3']) send(charity, { type: 'SUBMIT_OPTION', optionId: id, title: id, summary: `Summary of ${id}` });
    send(charity, { type: 'WITHDRAW_OPTION', optionId: 'opt-2' });
    const { slim, texts } = splitTexts(cycle);
    const all = { ...texts, 'revision:1': 'Carried from the iteration before.' };
    const shown = shownTexts(slim, all);
    expect(shown).toEqual({ 'revision:2': 'Second.', 'option:opt-1': 'Summary of opt-1', 'option:opt-3': 'Summary of opt-3' });
    expect(shownTexts(slim, shown)).toBe(shown);
    // What is not at hand is not made up; a snapshot without revisions or options has nothing to show.
    expect(shownTexts(slim, { 'option:opt-3': 'Summary of opt-3' })).toEqual({ 'option:opt-3': 'Summary of opt-3' });
    expect(shownTexts({ ...slim, context: {} } as PersistedCycle, all)).toBe(all);
    // Put back one at a time, as pages do: a text already in place wins.
    const [first, second] = (slim.context as any).problem.revisions;
    expect(withStatement(first, all).statement).toBe('Carried from the iteration before.');
    expect(withStatement({ ...second, statement: 'newer' }, all).statement).toBe('newer');
    expect(withSummary((slim.context as any).options[1], {}).summary).toBe('');
  });
});
