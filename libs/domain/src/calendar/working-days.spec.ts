import { addDays, addWorkingDays, dateInEngland, isWorkingDay, nineInEngland } from './working-days';

/** 9am in England on that day (GMT in winter, BST from the last Sunday of March). */
const d = (iso: string) => nineInEngland(...(iso.split('-').map(Number) as [number, number, number]));

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

describe('dates in England across summer time and midnight', () => {
  it('reads the weekday and bank holidays on England’s calendar, not UTC’s', () => {
    // 00:30 BST on Tuesday 1 June 2027 is 23:30 UTC on Monday 31 May, the spring bank holiday.
    expect(isWorkingDay(new Date('2027-05-31T23:30:00Z'))).toBe(true);
    expect(isWorkingDay(new Date('2027-05-31T22:30:00Z'))).toBe(false);
    // 00:30 BST on Saturday 3 April 2027 is Friday in UTC.
    expect(isWorkingDay(new Date('2027-04-02T23:30:00Z'))).toBe(false);
  });

  it('keeps the time of day in England across the change of the clocks', () => {
    // 10:00 BST on Monday 1 November 2027 would be 09:00 GMT if days were 24-hour steps.
    expect(addDays(new Date('2027-10-25T09:00:00Z'), 7)).toEqual(new Date('2027-11-01T10:00:00Z'));
    expect(addWorkingDays(new Date('2027-11-01T10:00:00Z'), -5)).toEqual(new Date('2027-10-25T09:00:00Z'));
    expect(addDays(new Date('2027-03-27T10:00:00Z'), 1)).toEqual(new Date('2027-03-28T09:00:00Z')); // 10:00 GMT → 10:00 BST
  });

  it('puts 9am in England in GMT or BST', () => {
    expect(nineInEngland(2027, 1, 15)).toEqual(new Date('2027-01-15T09:00:00Z'));
    expect(nineInEngland(2027, 7, 15)).toEqual(new Date('2027-07-15T08:00:00Z'));
    expect(dateInEngland(new Date('2026-10-25T00:30:00Z'))).toBe('2026-10-25');
  });
});
