/**
 * The machine the catalogue generates, as a snapshot: its states, and from each the events it
 * takes, each route's guards (by name), target and actions. A change to the chart (a new event, a
 * route moved, a guard added) shows in review as a change to __snapshots__/cycle.chart.spec.ts.snap;
 * `npx jest -c config/jest.config.js -u libs/domain/src/cycle/cycle.chart.spec.ts` records it.
 */
import { cycleMachine } from './cycle.machine';

type Guarded = { name: string; guards?: unknown[]; type?: string };

/** The config with keys sorted, guards as `and(commissioner, rule.LAUNCH)`, other functions by name. */
function chart(value: unknown): unknown {
  if (typeof value === 'function') {
    const fn = value as unknown as Guarded;
    if (fn.guards) return `${fn.name}(${fn.guards.map((g) => (typeof g === 'string' ? g : chart(g))).join(', ')})`;
    return `[${fn.type ?? (fn.name || 'function')}]`;
  }
  if (Array.isArray(value)) return value.map(chart);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, chart((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

describe('the cycle’s chart', () => {
  it('is the machine the catalogue generates (a change to it is a change to this snapshot)', () => {
    expect(chart(cycleMachine.config)).toMatchSnapshot();
  });

  it('names every guard and action its transitions use', () => {
    expect({
      guards: Object.keys(cycleMachine.implementations.guards).sort(),
      actions: Object.keys(cycleMachine.implementations.actions).sort(),
    }).toMatchSnapshot();
  });
});
