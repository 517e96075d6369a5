import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import { fundingChartSpec, fundingChartSvg } from '../partnerships/funding-chart';
import { outcomeChartSvg } from '../partnerships/outcome-chart';
import { baselineRule, drawSvg, metricChartSvg, targetRule } from './metric-chart';

/** What drawSvg did before its runtimes were kept: compile and parse every spec anew. */
async function drawnAnew(spec: object): Promise<string> {
  const view = new View(parse(compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const line = (readings: { at: string; value: number }[], baseline: number | null, target: number | null) => ({
  width: 560,
  height: 200,
  background: 'white',
  layer: [
    {
      data: { values: readings },
      mark: { type: 'line' as const, point: true, color: '#1d70b8', strokeWidth: 3 },
      encoding: {
        x: { field: 'at', type: 'temporal' as const, title: 'Date' },
        y: { field: 'value', type: 'quantitative' as const, title: 'Reading', scale: { zero: false } },
      },
    },
    ...(baseline !== null ? [baselineRule(baseline)] : []),
    ...(target !== null ? [targetRule(target)] : []),
  ],
});

describe('charts drawn on the server', () => {
  const first = [
    { at: '2027-01-10T10:00:00.000Z', value: 24 },
    { at: '2027-02-10T10:00:00.000Z', value: 22 },
    { at: '2027-03-10T10:00:00.000Z', value: 23.5 },
  ];
  const second = [
    { at: '2028-05-01T09:00:00.000Z', value: 310 },
    { at: '2028-06-01T09:00:00.000Z', value: 150 },
  ];

  it('draw the same picture as compiling each spec anew, chart after chart of one kind with other data', async () => {
    // The same kinds one after another: the second of each reuses what the first compiled.
    for (const [readings, baseline, target] of [
      [first, 24, 20],
      [second, 400, 100],
      [first, null, 20],
      [second, null, 90],
      [second, 300, null],
      [first, null, null],
    ] as const) {
      const spec = line([...readings], baseline, target);
      expect(await drawSvg(spec)).toBe(await drawnAnew(line([...readings], baseline, target)));
    }
  });

  it('leave no data of one chart in the next: each shows its own readings and lines only', async () => {
    const big = await metricChartSvg({ baseline: 400, target: 100, readings: second });
    const small = await metricChartSvg({ baseline: 24, target: 20, readings: first });
    expect(big).toBe(await drawnAnew(line(second, 400, 100)));
    expect(small).toBe(await drawnAnew(line(first, 24, 20)));
    expect(small).not.toBe(big);
  });

  it('draw the outcome and funding charts as before too', async () => {
    const reading = (cycleNumber: number, at: string, value: number) => ({
      cycleId: `c${cycleNumber}`,
      cycleTitle: `Cycle ${cycleNumber}`,
      iteration: 1,
      cycleNumber,
      seq: 1,
      at: new Date(at),
      value,
      organisationId: null,
      organisation: 'The council',
    });
    const series = {
      metric: { id: 'm', outcomeId: 'o', name: 'Admissions', unit: 'per 1,000', baseline: 24, target: 20, direction: 'decrease' },
      readings: [reading(1, '2027-01-03T10:00:00Z', 20), reading(2, '2027-02-10T10:00:00Z', 25)],
    };
    const outcome = await outcomeChartSvg(series as never);
    expect(outcome).toContain('<svg');
    expect(await outcomeChartSvg(series as never)).toBe(outcome);
    const bars = [
      { year: '2027-28', organisation: 'The council', measure: 'Pledged' as const, pounds: 120000 },
      { year: '2027-28', organisation: 'The council', measure: 'Committed' as const, pounds: 80000 },
      { year: '2028-29', organisation: 'The ICB', measure: 'Pledged' as const, pounds: 50000 },
    ];
    const funding = await fundingChartSvg(bars.map((b) => ({ ...b })));
    expect(funding).toBe(await drawnAnew(fundingChartSpec(bars.map((b) => ({ ...b })))));
  });
});
