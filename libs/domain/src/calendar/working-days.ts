import table from './england-bank-holidays.json';

const DAY = 24 * 60 * 60 * 1000;
const BANK_HOLIDAYS = new Set<string>(table.dates);
export const BANK_HOLIDAYS_KNOWN_UNTIL = table.dates[table.dates.length - 1];

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** Mondays to Fridays that are not bank holidays in England (dates read in UTC). */
export function isWorkingDay(date: Date, holidays: ReadonlySet<string> = BANK_HOLIDAYS): boolean {
  const weekday = date.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(isoDate(date));
}

/** The date `offset` working days after (or, negative, before) `from`, keeping its time of day. */
export function addWorkingDays(from: Date, offset: number, holidays: ReadonlySet<string> = BANK_HOLIDAYS): Date {
  const step = offset < 0 ? -1 : 1;
  let remaining = Math.abs(offset);
  let current = new Date(from.getTime());
  while (remaining > 0) {
    current = new Date(current.getTime() + step * DAY);
    if (isWorkingDay(current, holidays)) remaining--;
  }
  return current;
}

export const addDays = (from: Date, offset: number): Date => new Date(from.getTime() + offset * DAY);
