import { ValidationFailed } from '../errors';
import * as catalogue from './cycle.catalogue';
import { CATALOGUE, MILESTONE_EVENTS, SERVICE_EVENTS, USER_EVENTS, definitionOf, personalFieldsOf } from './cycle.catalogue';
import { cycleMachine } from './cycle.machine';
import { eventSchemas, parseEvent } from './event-input';

const problems = (body: unknown) => {
  try {
    parseEvent(body);
  } catch (error) {
    if (error instanceof ValidationFailed) return error.errors;
    throw error;
  }
  return [];
};

describe('the event catalogue', () => {
  // That every person's event has a form and a banner is the web app's (apps/web/src/cycles/event-forms.spec.ts).
  it('holds every event once, people’s sent by people, milestones’ and the service’s by the system', () => {
    expect(CATALOGUE.size).toBe(USER_EVENTS.length + MILESTONE_EVENTS.length + SERVICE_EVENTS.length);
    for (const entry of USER_EVENTS) {
      expect(['milestone', 'service']).not.toContain(entry.who.kind);
    }
    for (const entry of MILESTONE_EVENTS) expect(entry.who.kind).toBe('milestone');
    for (const entry of SERVICE_EVENTS) expect(entry.who.kind).toBe('service');
  });

  it('lists every entry its stages define (catalogue/*.ts): none is left out of USER_EVENTS, MILESTONE_EVENTS or SERVICE_EVENTS', () => {
    const defined = Object.values(catalogue as Record<string, unknown>).filter(
      (value): value is { type: string } => typeof value === 'object' && value !== null && 'routes' in value && 'who' in value,
    );
    expect(defined.map((entry) => entry.type).sort()).toEqual([...CATALOGUE.keys()].sort());
  });

  it('is looked up by own names only: `toString` and `__proto__` are not event types', () => {
    for (const type of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(definitionOf(type)).toBeUndefined();
      expect(problems({ type })).toEqual([{ field: 'type', message: expect.stringMatching(/^must be one of LAUNCH, /) }]);
    }
  });

  it('validates fields with messages a person understands, naming each field', () => {
    expect(parseEvent({ type: 'REVISE_PROBLEM', statement: 'Older people wait too long' })).toEqual({ type: 'REVISE_PROBLEM', statement: 'Older people wait too long' });
    expect(problems({ type: 'REVISE_PROBLEM', statement: '   ' })).toEqual([{ field: 'statement', message: 'Enter the problem statement' }]);
    expect(problems({ type: 'REVISE_PROBLEM', statement: 'x'.repeat(20001) })).toEqual([{ field: 'statement', message: 'The problem statement must be 20,000 characters or fewer' }]);
    expect(problems({ type: 'LAUNCH', actor: { userId: 'x' } })).toEqual([{ field: 'actor', message: 'is not a field of this request' }]);
    expect(problems({ type: 'AMEND_OPTION', optionId: '00000000-0000-4000-8000-000000000000' })).toEqual([
      { field: 'title', message: 'Enter a new title, summary, cost or the items on the table it uses' },
    ]);
    expect(problems({ type: 'RECORD_LEARNING', insight: 'i', recommendation: 'maybe' })).toEqual([{ field: 'recommendation', message: 'Choose a recommendation' }]);
    expect(problems([])).toEqual([{ field: 'body', message: 'must be a JSON object with a type' }]);
  });

  it('gives each event an OpenAPI schema from the same fields', () => {
    const schemas = eventSchemas();
    expect(Object.keys(schemas)).toEqual([...CATALOGUE.keys()]);
    expect(schemas.REVISE_PROBLEM).toMatchObject({
      type: 'object',
      required: ['type', 'statement'],
      additionalProperties: false,
      properties: { type: { enum: ['REVISE_PROBLEM'] }, statement: { type: 'string', minLength: 1, maxLength: 20000 } },
    });
    expect(schemas.APPRAISE_OPTION.properties).toMatchObject({ scores: { type: 'array', items: { properties: { score: { minimum: 0, maximum: 5 } } } } });
  });

  it('generates the machine: every route of every entry is a transition guarded by who may send it', () => {
    for (const entry of CATALOGUE.values()) {
      for (const [state, routes] of Object.entries(entry.routes)) {
        const node = cycleMachine.states[state];
        const transitions = (node.on as Record<string, (typeof node.on)[keyof typeof node.on]>)[entry.type] ?? [];
        expect(transitions).toHaveLength(Array.isArray(routes) ? routes.length : 1);
        for (const t of transitions) expect((t.guard as unknown as { guards: unknown[] }).guards).toContain(entry.who.kind);
      }
    }
    expect(cycleMachine.states.framing.meta).toEqual({ label: 'Framing the problem', description: 'framing the problem' });
  });
});

describe('the prose an entry seals (personalFieldsOf)', () => {
  it('names what a person wrote, nested ones too, and not titles, ids or choices', () => {
    expect(personalFieldsOf('RECORD_LEARNING', { insight: 'I', evidence: 'E', recommendation: 'adapt' })).toEqual(['/insight', '/evidence']);
    expect(personalFieldsOf('RECORD_LEARNING', { insight: 'I', recommendation: 'adapt' })).toEqual(['/insight']);
    expect(personalFieldsOf('SUBMIT_OPTION', { optionId: 'o', title: 'Buses', summary: 'S' })).toEqual(['/summary']);
    expect(personalFieldsOf('ESCALATE', { reason: 'R' })).toEqual(['/reason']);
    expect(personalFieldsOf('SIGN_OFF_REVIEW', { outcome: 'close' })).toEqual([]);
    expect(personalFieldsOf('CREATED', { title: 'T' })).toEqual([]);
    expect(personalFieldsOf('PLEDGE', { kind: 'in-kind', description: 'Two volunteers' })).toEqual(['/description']);
    expect(personalFieldsOf('PROPOSE_DECISION', { optionIds: [], rationale: 'R', allocations: [] })).toEqual(['/rationale']);
  });
});
