import { View, parse } from 'vega';
import { compile } from 'vega-lite';

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

/** A Vega-Lite spec drawn as SVG on the server. */
export async function drawSvg(spec: object): Promise<string> {
  const view = new View(parse(compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
