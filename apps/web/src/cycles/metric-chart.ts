/** A cycle's metric readings against baseline and target, drawn as SVG on the server (no script in the browser). */
import { LRUCache } from 'lru-cache';
import type { parse } from 'vega';

export interface ChartMetric {
  baseline: number | null;
  target: number | null;
  readings: { value: number; at: string }[];
}

/**
 * A metric's readings over time against its baseline and target, drawn as SVG on the server by
 * Vega-Lite (no script in the browser). No text of users' goes into the picture: its text
 * alternative and the table beside it say the same in words.
 */
export async function metricChartSvg(metric: ChartMetric): Promise<string | null> {
  if (!metric.readings.length) return null;
  const spec = {
    width: 560,
    height: 200,
    background: 'white',
    layer: [
      {
        data: { values: metric.readings.map((r) => ({ at: r.at, value: r.value })) },
        mark: { type: 'line' as const, point: true, color: '#1d70b8', strokeWidth: 3 },
        encoding: {
          x: { field: 'at', type: 'temporal' as const, title: 'Date' },
          y: { field: 'value', type: 'quantitative' as const, title: 'Reading', scale: { zero: false } },
        },
      },
      ...(metric.baseline !== null ? [baselineRule(metric.baseline)] : []),
      ...(metric.target !== null ? [targetRule(metric.target)] : []),
    ],
  };
  return drawSvg(spec);
}

/** A horizontal line across a chart at `value`. */
const rule = (value: number, colour: string, dash: number[]) => ({
  data: { values: [{ value }] },
  mark: { type: 'rule' as const, color: colour, strokeDash: dash, strokeWidth: 2 },
  encoding: { y: { field: 'value', type: 'quantitative' as const } },
});
/** A metric's baseline (grey dashes) and target (green dots), as every chart of ours draws them. */
export const baselineRule = (value: number) => rule(value, '#505a5f', [6, 4]);
export const targetRule = (value: number) => rule(value, '#00703c', [2, 2]);

/**
 * Vega's runtimes by the spec's shape (the spec with each inline data set replaced by a name),
 * kept: charts of one kind differ only in their data, and compiling the Vega-Lite spec and parsing
 * the Vega one were a third of drawing a chart. A few kinds exist (metric, outcome, funding charts,
 * with or without a baseline or a target, and their titles): a small cache holds them all.
 */
const runtimes = new LRUCache<string, ReturnType<typeof parse>>({ max: 64 });

/**
 * Vega and Vega-Lite, loaded when the first chart is drawn: ~8 MB of live heap that a web app
 * whose pages draw no chart (and the all-in-one process, which holds the web app) never carries.
 */
let vega: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;
const loadVega = () => (vega ??= Promise.all([import('vega'), import('vega-lite')]));

/** A Vega-Lite spec drawn as SVG on the server: the same picture as compiling it anew each time. */
export async function drawSvg(spec: object): Promise<string> {
  const [{ View, parse }, { compile }] = await loadVega();
  const datasets: unknown[][] = [];
  const shape = JSON.stringify(spec, (key, value) => {
    // Each `data: { values }` becomes a named data set, given to the view below.
    if (key === 'data' && value && typeof value === 'object' && Array.isArray(value.values)) {
      datasets.push(value.values);
      return { ...value, values: undefined, name: `data${datasets.length}` };
    }
    return value;
  });
  let runtime = runtimes.get(shape);
  if (!runtime) {
    runtime = parse(compile(JSON.parse(shape)).spec);
    runtimes.set(shape, runtime);
  }
  const view = new View(runtime, { renderer: 'none' });
  datasets.forEach((values, i) => view.data(`data${i + 1}`, values as object[]));
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
