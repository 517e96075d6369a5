import { nineInEngland } from '../views/dates';
import { milestoneFromForm } from './milestone-form';

describe('the milestone form', () => {
  it('reads 9am in England in winter (GMT) and summer (BST)', () => {
    expect(nineInEngland(2027, 1, 15).toISOString()).toBe('2027-01-15T09:00:00.000Z');
    expect(nineInEngland(2027, 7, 15).toISOString()).toBe('2027-07-15T08:00:00.000Z');
  });

  it('aligns to an anchor in calendar or working days', async () => {
    const anchorId = '6f1c2b1e-0000-4000-8000-000000000001';
    expect((await milestoneFromForm({ kind: 'framingDue', anchorId, offset: '-10', unit: 'days' })).input).toEqual({ kind: 'framingDue', anchorId, offsetDays: -10 });
    expect((await milestoneFromForm({ kind: 'reviewDue', anchorId, offset: '5', unit: 'working' })).input).toEqual({ kind: 'reviewDue', anchorId, offsetWorkingDays: 5 });
  });

  it('takes a date when no anchor is chosen, and refuses dates that do not exist', async () => {
    expect((await milestoneFromForm({ kind: 'decisionDue', anchorId: '', 'date-day': '27', 'date-month': '3', 'date-year': '2027' })).input).toEqual({
      kind: 'decisionDue',
      dueAt: '2027-03-27T09:00:00.000Z',
    });
    expect((await milestoneFromForm({ kind: 'decisionDue', 'date-day': '31', 'date-month': '2', 'date-year': '2027' })).errors.map((e) => e.field)).toEqual(['milestone-date']);
    expect((await milestoneFromForm({ kind: 'nonsense', anchorId: 'x', offset: 'soon' })).errors.map((e) => e.field)).toEqual(['milestone-kind', 'milestone-anchor', 'milestone-offset']);
  });
});
