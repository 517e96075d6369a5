import { addDays, addWorkingDays, isWorkingDay } from './working-days';

const d = (iso: string) => new Date(`${iso}T09:00:00.000Z`);

describe('working days in England', () => {
  it('skips weekends', () => {
    expect(addWorkingDays(d('2027-01-08'), 1)).toEqual(d('2027-01-11')); // Friday → Monday
    expect(addWorkingDays(d('2027-01-11'), -1)).toEqual(d('2027-01-08'));
    expect(addWorkingDays(d('2027-01-11'), 5)).toEqual(d('2027-01-18'));
  });

  it('skips bank holidays, Easter included', () => {
    // Thursday 25 March 2027, then Good Friday 26th and Easter Monday 29th.
    expect(addWorkingDays(d('2027-03-25'), 1)).toEqual(d('2027-03-30'));
    expect(addWorkingDays(d('2027-03-30'), -1)).toEqual(d('2027-03-25'));
    expect(isWorkingDay(d('2026-12-28'))).toBe(false); // substitute Boxing Day
  });

  it('counts ten working days back from a budget meeting', () => {
    expect(addWorkingDays(d('2027-02-24'), -10)).toEqual(d('2027-02-10'));
  });

  it('zero is the day itself, even a weekend', () => {
    expect(addWorkingDays(d('2027-01-09'), 0)).toEqual(d('2027-01-09'));
  });

  it('calendar days are plain days', () => {
    expect(addDays(d('2027-02-24'), -14)).toEqual(d('2027-02-10'));
  });
});
