/** Money the GOV.UK way: £1,234.50; "£40,000" for whole pounds where a heading wants it. Pence are integers. */
export function formatPence(pence: number, options: { wholePounds?: boolean } = {}): string {
  const negative = pence < 0;
  const abs = Math.abs(Math.round(pence));
  const pounds = Math.floor(abs / 100);
  const rest = abs % 100;
  const text = options.wholePounds && rest === 0 ? pounds.toLocaleString('en-GB') : `${pounds.toLocaleString('en-GB')}.${String(rest).padStart(2, '0')}`;
  return `${negative ? '-' : ''}£${text}`;
}

/** "£40,000.50", "40000.5" or "40,000" as pence; undefined when it is not an amount of money. */
export function parsePounds(text: string): number | undefined {
  const cleaned = text.trim().replace(/^£/, '').replace(/,/g, '');
  if (!/^\d{1,11}(\.\d{1,2})?$/.test(cleaned)) return undefined;
  const [pounds, pence = ''] = cleaned.split('.');
  return Number(pounds) * 100 + Number(pence.padEnd(2, '0'));
}

/** The financial year in England an instant falls in (1 April to 31 March): "2027-28". */
export function financialYear(instant: Date, dayInEngland: (d: Date) => string): string {
  const [year, month] = dayInEngland(instant).split('-').map(Number);
  const start = month >= 4 ? year : year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}
