/** The partnership's funding chart: pledged and committed cash per member and year, drawn as SVG on the server. */
import { drawSvg } from '../cycles/metric-chart';

export interface FundingBar {
  year: string;
  organisation: string;
  measure: 'Pledged' | 'Committed';
  pounds: number;
}

/**
 * Pledged and committed cash per member organisation, one group of bars per financial year,
 * drawn as SVG on the server by Vega-Lite (as the metric charts are); the page's table and text
 * alternative say the same in words.
 */
export async function fundingChartSvg(bars: FundingBar[]): Promise<string | null> {
  return bars.length ? drawSvg(fundingChartSpec(bars)) : null;
}

/** The funding chart's Vega-Lite spec. */
export function fundingChartSpec(bars: FundingBar[]) {
  return {
    background: 'white',
    data: { values: bars },
    facet: { column: { field: 'year', type: 'nominal' as const, title: 'Financial year' } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'bar' as const },
      encoding: {
        x: { field: 'organisation', type: 'nominal' as const, title: null, axis: { labelAngle: -30, labelLimit: 140 } },
        xOffset: { field: 'measure', type: 'nominal' as const },
        y: { field: 'pounds', type: 'quantitative' as const, title: 'Pounds' },
        color: { field: 'measure', type: 'nominal' as const, title: null, scale: { domain: ['Pledged', 'Committed'], range: ['#1d70b8', '#00703c'] } },
      },
    },
  };
}
