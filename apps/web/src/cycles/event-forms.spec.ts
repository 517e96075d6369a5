import { USER_EVENT_TYPES, ValidationFailed, startCycle } from '@app/domain';
import { validateEvent } from '@app/http';
import { CHOICES_ON_CYCLE_PAGE, eventForms, eventFromForm, formErrors, hasOwnPage, onCyclePage } from './event-forms';
import { eventFormOf } from './forms';
import type { CycleContext } from '@app/domain';

const context: CycleContext = startCycle({
  coOwners: [
    { organisationId: 'org-a', role: 'commissioner' },
    { organisationId: 'org-b', role: 'provider' },
  ],
  panelUserIds: [],
  facilitatorUserIds: [],
  outcomeIds: ['outcome-1'],
  metrics: [{ id: 'metric-1', name: 'Admissions', outcomeId: 'outcome-1' }],
}).context;
const page = { context, organisationId: 'org-a', orgName: (id: string) => id.toUpperCase(), outcomeTitle: () => 'Stay well' };

describe('event forms', () => {
  it('exist for every person’s event, each with a heading, a button and a banner; none for milestones or other names', () => {
    for (const type of USER_EVENT_TYPES) {
      expect(eventFormOf(type)).toEqual(expect.objectContaining({ heading: expect.anything(), button: expect.anything(), done: expect.any(String) }));
    }
    for (const type of ['FRAMING_DUE', 'REVIEW_DUE', 'toString', '__proto__']) expect(eventFormOf(type)).toBeUndefined();
  });

  it('offer one form per event the machine allows, in its order', () => {
    expect(eventForms(['REVISE_PROBLEM', 'ESCALATE'], page).map((f) => [f.type, f.heading])).toEqual([
      ['REVISE_PROBLEM', 'Write the problem definition'],
      ['ESCALATE', 'Escalate a disagreement'],
    ]);
    const option = eventForms(['SUBMIT_OPTION'], page)[0];
    expect(option.fields.find((f) => f.name === 'coAuthorOrganisationIds')?.items).toEqual([{ value: 'org-b', text: 'ORG-B' }]);
  });

  it('have a page of their own when a list of boxes is longer than the cycle page shows, which then shows what is chosen and links there', () => {
    const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u${i}`, name: `Person ${i}`, organisationId: 'org-a', organisationName: 'ORG-A' }));
    const withPeople = (n: number) => ({
      ...page,
      context: { ...context, panelUserIds: ['u1', 'u3'] },
      choices: { organisations: [{ id: 'org-a', name: 'ORG-A', kind: 'commissioner' }], users: people(n), outcomes: [] },
    });
    const [few] = eventForms(['CHANGE_PANEL'], withPeople(CHOICES_ON_CYCLE_PAGE));
    expect(hasOwnPage(few)).toBe(false);
    expect(onCyclePage(few, 'cycle-1')).toBe(few);
    const [many] = eventForms(['CHANGE_PANEL'], withPeople(CHOICES_ON_CYCLE_PAGE + 1));
    expect(hasOwnPage(many)).toBe(true);
    expect(onCyclePage(many, 'cycle-1')).toEqual({
      ...many,
      fields: [],
      ownPage: { href: '/cycles/cycle-1/forms/CHANGE_PANEL', chosen: [{ label: 'Review panel', names: ['Person 1', 'Person 3'] }], choices: CHOICES_ON_CYCLE_PAGE + 1 },
    });
    // Someone on the panel whom the choices do not hold (a guest) keeps a ticked box, named.
    const [withGuest] = eventForms(['CHANGE_PANEL'], { ...withPeople(2), context: { ...context, panelUserIds: ['u1', 'guest-1'] }, userName: (id: string) => `Name of ${id}` });
    expect(withGuest.fields[0].items!.map((i) => i.text)).toEqual(['Person 0', 'Person 1', 'Name of guest-1']);
    expect(withGuest.fields[0].values).toEqual(['u1', 'guest-1']);
    // Other forms stay whole.
    const [revise] = eventForms(['REVISE_PROBLEM'], withPeople(CHOICES_ON_CYCLE_PAGE + 1));
    expect(onCyclePage(revise, 'cycle-1')).toBe(revise);
  });

  it('turn form strings into the event the API validates: numbers, lists, blank optional boxes left out', async () => {
    expect(await validateEvent(eventFromForm('RECORD_PROGRESS', { note: 'Week 1', 'reading_metric-1': '22.5', _csrf: 'x' }))).toEqual({
      type: 'RECORD_PROGRESS',
      note: 'Week 1',
      readings: [{ metric: 'metric-1', value: 22.5 }],
    });
    expect(eventFromForm('RECORD_PROGRESS', { note: 'Week 1', 'reading_metric-1': ' ' })).toEqual({ type: 'RECORD_PROGRESS', note: 'Week 1' });
    expect(eventFromForm('PROPOSE_DECISION', { optionIds: 'one', rationale: 'r' })).toEqual({ type: 'PROPOSE_DECISION', optionIds: ['one'], rationale: 'r' });
    expect(eventFromForm('ENDORSE_PROBLEM', { revision: '3' })).toEqual({ type: 'ENDORSE_PROBLEM', revision: 3 });
  });

  it('put what the validation refuses on the form’s fields, in plain words', async () => {
    const form = eventForms(['RECORD_PROGRESS'], page)[0];
    const refused = await validateEvent(eventFromForm('RECORD_PROGRESS', { note: '', 'reading_metric-1': 'lots' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationFailed);
    const errors = formErrors(form, (refused as ValidationFailed).errors);
    expect(errors).toContainEqual({ field: 'event-RECORD_PROGRESS-note', text: 'Enter what has happened' });
    expect(errors.every((e) => e.field.startsWith('event-RECORD_PROGRESS-'))).toBe(true);
  });
});
