import fc from 'fast-check';
import { Actor } from '../cycle/cycle.types';
import {
  AGREEMENT_USER_EVENTS,
  AgreementEvent,
  AgreementSnapshot,
  agreementNextEvents,
  agreementStateOf,
  decideAgreement,
  persistAgreement,
  restoreAgreement,
  startAgreement,
} from './agreement.machine';

const MEMBERS = ['council', 'icb', 'charity', 'forum', 'carers'];
const actor = (org: string, extra: Partial<Actor> = {}): Actor => ({ userId: `user-${org}`, organisationId: org, ...extra });
let tick = 0;
const ev = (who: Actor, body: Record<string, unknown>, members = MEMBERS) =>
  ({ ...body, actor: who, members, at: new Date(Date.UTC(2027, 0, 1) + tick++ * 1000).toISOString() }) as unknown as AgreementEvent;
function send(s: AgreementSnapshot, who: Actor, body: Record<string, unknown>, members = MEMBERS): AgreementSnapshot {
  const d = decideAgreement(s, ev(who, body, members));
  if (!d.accepted) throw new Error(`${String(body.type)} refused: ${d.reason}`);
  return restoreAgreement(JSON.parse(JSON.stringify(persistAgreement(d.snapshot))));
}
const refused = (s: AgreementSnapshot, who: Actor, body: Record<string, unknown>, members = MEMBERS) => {
  const d = decideAgreement(s, ev(who, body, members));
  if (d.accepted) throw new Error('accepted');
  return d;
};
const propose = { type: 'PROPOSE_AGREEMENT', destination: 'Older people live well at home', horizonYear: 2035, principles: ['Decide together'] };

describe('the partnership agreement machine', () => {
  it('migrated text is version 1 in drafting; a proposal opens consultation; every member’s consent agrees it', () => {
    let s = startAgreement({ number: 1, destination: 'Old text', horizonYear: null, principles: [], proposedByOrganisationId: null, at: '2026-01-01T00:00:00.000Z' });
    expect(agreementStateOf(s)).toBe('drafting');
    s = send(s, actor('council'), propose);
    expect(agreementStateOf(s)).toBe('consulting');
    expect(s.context.versions.map((v) => v.number)).toEqual([1, 2]);
    for (const m of MEMBERS.slice(0, 4)) s = send(s, actor(m), { type: 'CONSENT_AGREEMENT', number: 2 });
    expect(agreementStateOf(s)).toBe('consulting');
    s = send(s, actor('carers'), { type: 'CONSENT_AGREEMENT', number: 2 });
    expect(agreementStateOf(s)).toBe('agreed');
    expect(s.context).toMatchObject({ agreedNumber: 2, agreedBy: MEMBERS });
  });

  it('an objection stands until a new proposal; consent is to the latest version only', () => {
    let s = send(startAgreement(null), actor('council'), propose);
    s = send(s, actor('forum'), { type: 'OBJECT_AGREEMENT', number: 1, reason: 'Residents were not asked' });
    for (const m of ['council', 'icb', 'charity', 'carers']) s = send(s, actor(m), { type: 'CONSENT_AGREEMENT', number: 1 });
    expect(agreementStateOf(s)).toBe('consulting');
    expect(refused(s, actor('forum'), { type: 'CONSENT_AGREEMENT', number: 1 }).reason).toContain('already objected');
    s = send(s, actor('forum'), { ...propose, destination: 'Older people, asked first, live well at home' });
    expect(refused(s, actor('council'), { type: 'CONSENT_AGREEMENT', number: 1 }).reason).toBe('Version 1 is not the one under consultation; version 2 is.');
    for (const m of MEMBERS) s = send(s, actor(m), { type: 'CONSENT_AGREEMENT', number: 2 });
    expect(agreementStateOf(s)).toBe('agreed');
  });

  it('the review reopens it (a member asks, or the review date comes); positions are kept per organisation', () => {
    let s = send(startAgreement(null), actor('council'), propose);
    s = send(s, actor('charity'), { type: 'STATE_POSITION', whatsInItForUs: 'Referrals', readiness: 'ready' });
    s = send(s, actor('charity'), { type: 'STATE_POSITION', whatsInItForUs: 'Referrals and funding', readiness: 'concerns', concerns: 'Cash flow' });
    expect(s.context.positions).toEqual([expect.objectContaining({ organisationId: 'charity', whatsInItForUs: 'Referrals and funding', readiness: 'concerns' })]);
    for (const m of MEMBERS) s = send(s, actor(m), { type: 'CONSENT_AGREEMENT', number: 1 });
    expect(refused(s, actor('council'), { type: 'AGREEMENT_REVIEW_DUE' }).kind).toBe('forbidden');
    const reviewed = send(s, { userId: null, organisationId: null, system: true }, { type: 'AGREEMENT_REVIEW_DUE' });
    expect(agreementStateOf(reviewed)).toBe('reviewing');
    const reopened = send(s, actor('icb'), { type: 'REOPEN_AGREEMENT', reason: 'New ICB strategy' });
    expect(agreementStateOf(reopened)).toBe('reviewing');
    expect(refused(reopened, { userId: null, organisationId: null, system: true }, { type: 'AGREEMENT_REVIEW_DUE' }).kind).toBe('moot');
  });

  it('only members take part, and where an organisation names representatives only they speak for it', () => {
    const s = send(startAgreement(null), actor('council'), propose);
    expect(refused(s, actor('stranger'), { type: 'CONSENT_AGREEMENT', number: 1 }).kind).toBe('forbidden');
    const clerk = actor('forum', { representative: false, representatives: ['Maria Lopez'] });
    expect(refused(s, clerk, { type: 'CONSENT_AGREEMENT', number: 1 }).reason).toBe('Your organisation names representatives: only Maria Lopez may speak for it on the agreement.');
    expect(agreementNextEvents(s, clerk, MEMBERS)).toEqual(['PROPOSE_AGREEMENT']);
    expect(agreementNextEvents(s, actor('forum'), MEMBERS)).toEqual(['PROPOSE_AGREEMENT', 'STATE_POSITION', 'CONSENT_AGREEMENT', 'OBJECT_AGREEMENT']);
  });

  it('under random events: never agreed without every current member’s consent of the latest version', () => {
    const step = fc.record({ who: fc.nat(MEMBERS.length), type: fc.nat(AGREEMENT_USER_EVENTS.length), n: fc.nat(3), shrink: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        let s = startAgreement(null);
        let members = MEMBERS;
        for (const x of steps) {
          if (x.shrink && x.n === 0) members = MEMBERS.slice(0, 3 + (x.who % 3));
          const who = x.who === MEMBERS.length ? { userId: null, organisationId: null, system: true } : actor(MEMBERS[x.who]);
          const type = x.type === AGREEMENT_USER_EVENTS.length ? 'AGREEMENT_REVIEW_DUE' : AGREEMENT_USER_EVENTS[x.type];
          const latest = s.context.versions.at(-1)?.number ?? 0;
          const d = decideAgreement(s, ev(who, { ...propose, type, number: x.n ? latest : latest + 1, reason: 'r', whatsInItForUs: 'w', readiness: 'ready' }, members));
          if (!d.accepted) continue;
          const before = agreementStateOf(s);
          s = d.snapshot;
          if (before !== 'agreed' && agreementStateOf(s) === 'agreed') {
            const n = s.context.versions.at(-1)!.number;
            expect(s.context.agreedNumber).toBe(n);
            for (const m of members) expect(s.context.consents.some((c) => c.organisationId === m && c.number === n)).toBe(true);
            expect(s.context.objections.some((o) => o.number === n)).toBe(false);
          }
          // Positions: one (the latest) per organisation.
          expect(new Set(s.context.positions.map((p) => p.organisationId)).size).toBe(s.context.positions.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
