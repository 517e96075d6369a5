/** An outcome metric's readings across every cycle of the partnership, drawn as SVG on the server. */
import type { MetricSeries } from '@app/open-data';
import { baselineRule, drawSvg, targetRule } from '../cycles/metric-chart';

const englandDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
const formatEnglandDate = (at: Date) => englandDate.format(at);

/** How many cycles the chart draws as lines of their own; the rest are drawn together as one line. */
export const CYCLES_DRAWN = 5;

/**
 * Which cycles the chart names: all of them when there are at most CYCLES_DRAWN + 1 (a line each is
 * still readable), else the CYCLES_DRAWN measured most recently (by their latest reading), the
 * others drawn as one line of their monthly means, so a partnership of hundreds of cycles draws six
 * lines, not hundreds, and every reading is in one of them.
 */
export function namedCycles(readings: MetricSeries['readings']): Set<number> {
  const latest = new Map<number, number>();
  for (const r of readings) latest.set(r.cycleNumber, Math.max(latest.get(r.cycleNumber) ?? -Infinity, r.at.getTime()));
  const cycles = [...latest.keys()];
  if (cycles.length <= CYCLES_DRAWN + 1) return new Set(cycles);
  return new Set(cycles.sort((a, b) => latest.get(b)! - latest.get(a)! || b - a).slice(0, CYCLES_DRAWN));
}

/** The line of the cycles not named. */
const othersLine = (count: number) => `The other ${count} cycles`;

/**
 * One metric's readings from every cycle of the partnership over time (monthly means), a line per cycle
 * ("Cycle 1", "Cycle 2": no text of users' goes into the picture) or, for a partnership of many
 * cycles, the latest few and one line for the rest, against its baseline (grey dashes) and target
 * (green dots), drawn as SVG on the server by Vega-Lite as the funding and metric charts are. The
 * page's caption and table say the same in words.
 */
export async function outcomeChartSvg(series: MetricSeries, named = namedCycles(series.readings)): Promise<string | null> {
  if (!series.readings.length) return null;
  const spec = {
    width: 560,
    height: 220,
    background: 'white',
    layer: [
      {
        data: { values: monthlyMeans(series.readings, named) },
        mark: { type: 'line' as const, point: true, strokeWidth: 3 },
        encoding: {
          x: { field: 'at', type: 'temporal' as const, title: 'Date' },
          y: { field: 'value', type: 'quantitative' as const, title: series.metric.unit || 'Reading', scale: { zero: false } },
          color: { field: 'cycle', type: 'nominal' as const, title: null, scale: { range: ['#1d70b8', '#d4351c', '#4c2c92', '#f47738', '#28a197', '#912b88'] } },
        },
      },
      baselineRule(series.metric.baseline),
      targetRule(series.metric.target),
    ],
  };
  return drawSvg(spec);
}

/**
 * The chart's points: one per line and month (the mean of that month's readings, dated at the
 * month's last reading), so a cycle measured weekly for years draws as quickly as a new one. A line
 * is a cycle of `named` (every cycle when it is not given), or the other cycles together.
 */
export function monthlyMeans(readings: MetricSeries['readings'], named?: Set<number>): { at: string; value: number; cycle: string }[] {
  const others = named ? new Set(readings.map((r) => r.cycleNumber).filter((n) => !named.has(n))).size : 0;
  const buckets = new Map<string, { line: string; sum: number; n: number; at: Date }>();
  for (const r of readings) {
    const line = !named || named.has(r.cycleNumber) ? `Cycle ${r.cycleNumber}` : othersLine(others);
    const key = `${line}|${r.at.toISOString().slice(0, 7)}`;
    const b = buckets.get(key) ?? { line, sum: 0, n: 0, at: r.at };
    b.sum += r.value;
    b.n += 1;
    if (r.at > b.at) b.at = r.at;
    buckets.set(key, b);
  }
  return [...buckets.values()].sort((a, b) => a.at.getTime() - b.at.getTime()).map((b) => ({ at: b.at.toISOString(), value: Math.round((b.sum / b.n) * 100) / 100, cycle: b.line }));
}

/** How many of the newest readings a metric's table lists (the CSV download has them all). */
export const READINGS_LISTED = 20;

export interface OutcomeFigure {
  outcomeTitle: string;
  metric: string;
  unit: string;
  svg: string | null;
  /** The chart's text alternative. */
  caption: string;
  /** Which cycle each line is (the named ones, and how many the other line holds). */
  legend: string;
  rows: { cycle: string; date: string; value: string; organisation: string }[];
  /** How many readings there are in all (the table lists the newest READINGS_LISTED). */
  total: number;
}

/** Each metric's chart, text alternative and table of readings, for the partnership page and the public page. */
export function outcomeFigures(series: MetricSeries[]): Promise<OutcomeFigure[]> {
  // A partnership's series are read again only when its cycles move on (OpenDataService): the same
  // list is drawn once, however many people open the page meanwhile.
  let drawn = drawnFigures.get(series);
  if (!drawn) {
    drawn = drawFigures(series);
    drawnFigures.set(series, drawn);
  }
  return drawn;
}

const drawnFigures = new WeakMap<MetricSeries[], Promise<OutcomeFigure[]>>();

async function drawFigures(series: MetricSeries[]): Promise<OutcomeFigure[]> {
  return Promise.all(
    series.map(async (s) => {
      const { metric, readings } = s;
      const unit = metric.unit ? ` ${metric.unit}` : '';
      const cycles = [...new Map(readings.map((r) => [r.cycleNumber, r])).values()];
      const named = namedCycles(readings);
      const others = cycles.length - named.size;
      const latest = readings.at(-1);
      const standard = `baseline ${metric.baseline}${unit} (grey dashes), target ${metric.target}${unit} (green dots); ${metric.direction === 'decrease' ? 'lower' : 'higher'} is better.`;
      const caption = latest
        ? `${metric.name}: ${readings.length} reading${readings.length === 1 ? '' : 's'} from ${cycles.length} cycle${cycles.length === 1 ? '' : 's'}, ` +
          `the first ${readings[0].value}${unit} on ${formatEnglandDate(readings[0].at)}, the latest ${latest.value}${unit} on ${formatEnglandDate(latest.at)}; ${standard}`
        : `${metric.name}: no readings yet; ${standard}`;
      return {
        outcomeTitle: s.outcomeTitle,
        metric: metric.name,
        unit: metric.unit,
        svg: await outcomeChartSvg(s, named),
        caption,
        legend: [
          ...cycles.filter((r) => named.has(r.cycleNumber)).map((r) => `Cycle ${r.cycleNumber} is “${r.cycleTitle}” (iteration ${r.iteration})`),
          ...(others ? [`${othersLine(others)}, measured less recently, are drawn as one line of their monthly means`] : []),
        ].join('; '),
        rows: readings
          .slice(-READINGS_LISTED)
          .map((r) => ({ cycle: `Cycle ${r.cycleNumber}: ${r.cycleTitle}`, date: formatEnglandDate(r.at), value: `${r.value}${unit}`, organisation: r.organisation })),
        total: readings.length,
      };
    }),
  );
}
