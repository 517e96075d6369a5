import { READINGS_LISTED, monthlyMeans, outcomeFigures } from './outcome-chart';

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

describe('outcome figures of long-lived partnerships', () => {
  it('draw one point per cycle and month: the mean, dated at the month’s last reading', () => {
    const points = monthlyMeans([reading(1, '2027-01-03T10:00:00Z', 20), reading(1, '2027-01-20T10:00:00Z', 30), reading(2, '2027-01-10T10:00:00Z', 5), reading(1, '2027-02-01T10:00:00Z', 10)]);
    expect(points).toEqual([
      { at: '2027-01-10T10:00:00.000Z', value: 5, cycle: 'Cycle 2' },
      { at: '2027-01-20T10:00:00.000Z', value: 25, cycle: 'Cycle 1' },
      { at: '2027-02-01T10:00:00.000Z', value: 10, cycle: 'Cycle 1' },
    ]);
  });

  it('list the newest readings in the table, and say how many there are in all', async () => {
    const readings = Array.from({ length: 500 }, (_, i) => reading(1 + (i % 3), new Date(Date.UTC(2027, 0, 1) + i * 86_400_000).toISOString(), i));
    const [figure] = await outcomeFigures([
      { outcomeId: 'o', outcomeTitle: 'Fewer falls', metric: { id: 'm', name: 'Falls', unit: 'per 1,000', baseline: 30, target: 20, direction: 'decrease' }, readings },
    ]);
    expect(figure.total).toBe(500);
    expect(figure.rows).toHaveLength(READINGS_LISTED);
    expect(figure.rows.at(-1)!.value).toBe('499 per 1,000');
    expect(figure.caption).toMatch(/^Falls: 500 readings from 3 cycles/);
    // About 17 months of three cycles: a few dozen points, not 500.
    expect((figure.svg!.match(/<path/g) ?? []).length).toBeLessThan(200);
  });
});
