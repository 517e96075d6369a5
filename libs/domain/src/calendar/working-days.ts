/** England's calendar: dates in its time zone and working days, bank holidays excluded. */
import { addDays as addCalendarDays } from 'date-fns';
import { formatInTimeZone, fromZonedTime, toZonedTime } from 'date-fns-tz';
import table from './england-bank-holidays.json';

/** Dates and times of day are England's: GMT in winter, BST in summer. */
export const ENGLAND = 'Europe/London';

const BANK_HOLIDAYS = new Set<string>(table.dates);
export const BANK_HOLIDAYS_KNOWN_UNTIL = table.dates[table.dates.length - 1];

/** The calendar day in England of an instant, as YYYY-MM-DD (00:30 BST on 1 June is 1 June). */
export const dateInEngland = (instant: Date): string => formatInTimeZone(instant, ENGLAND, 'yyyy-MM-dd');

/** Mondays to Fridays that are not bank holidays, both read on England's calendar. */
export function isWorkingDay(instant: Date, holidays: ReadonlySet<string> = BANK_HOLIDAYS): boolean {
  const weekday = Number(formatInTimeZone(instant, ENGLAND, 'i')); // ISO: 1 Monday .. 7 Sunday
  return weekday < 6 && !holidays.has(dateInEngland(instant));
}

/**
 * The same time of day in England `offset` calendar days later (or earlier): 10:00 stays 10:00
 * across the change to or from summer time. A time that does not exist on the new day (01:30 on
 * the night the clocks go forward) moves on by the hour the clocks skipped.
 */
export function addDays(from: Date, offset: number): Date {
  return fromZonedTime(addCalendarDays(toZonedTime(from, ENGLAND), offset), ENGLAND);
}

/** The date `offset` working days after (or, negative, before) `from`, keeping its time of day in England. */
export function addWorkingDays(from: Date, offset: number, holidays: ReadonlySet<string> = BANK_HOLIDAYS): Date {
  const step = offset < 0 ? -1 : 1;
  let remaining = Math.abs(offset);
  let days = 0;
  let current = from;
  while (remaining > 0) {
    days += step;
    current = addDays(from, days);
    if (isWorkingDay(current, holidays)) remaining--;
  }
  return current;
}

/** 09:00 in England on a calendar day, as an instant (GMT or BST, whichever is in force). */
export function nineInEngland(year: number, month: number, day: number): Date {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return fromZonedTime(`${pad(year, 4)}-${pad(month)}-${pad(day)}T09:00:00`, ENGLAND);
}

/** The date of something aligned to an anchor: so many days, or working days in England, from it. */
export const alignedDue = (anchorDate: Date, m: { offsetDays?: number | null; offsetWorkingDays?: number | null }): Date =>
  m.offsetWorkingDays !== undefined && m.offsetWorkingDays !== null ? addWorkingDays(anchorDate, m.offsetWorkingDays) : addDays(anchorDate, m.offsetDays ?? 0);
