import { CYCLES_DRAWN, READINGS_LISTED, monthlyMeans, namedCycles, outcomeFigures } from './outcome-chart';

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

  it('name the cycles measured most recently and draw the others as one line, when there are many', async () => {
    // 300 cycles, each measured in its own month (cycle n in month n), the last few also in the last month.
    const readings = Array.from({ length: 300 }, (_, i) => reading(i + 1, new Date(Date.UTC(2020, i, 15)).toISOString(), i));
    readings.push(reading(3, new Date(Date.UTC(2020, 299, 20)).toISOString(), 1));
    readings.sort((a, b) => a.at.getTime() - b.at.getTime());
    const named = namedCycles(readings);
    expect([...named].sort((a, b) => a - b)).toEqual([3, 297, 298, 299, 300]);
    expect(named.size).toBe(CYCLES_DRAWN);
    const lines = new Set(monthlyMeans(readings, named).map((p) => p.cycle));
    expect([...lines].sort()).toEqual(['Cycle 297', 'Cycle 298', 'Cycle 299', 'Cycle 3', 'Cycle 300', 'The other 295 cycles']);
    // Every reading is in a line: cycle 3's earlier month is drawn with its own line, not the others'.
    expect(monthlyMeans(readings, named).filter((p) => p.cycle === 'Cycle 3')).toHaveLength(2);

    const [figure] = await outcomeFigures([{ outcomeId: 'o', outcomeTitle: 'Fewer falls', metric: { id: 'm', name: 'Falls', unit: '', baseline: 30, target: 20, direction: 'decrease' }, readings }]);
    expect(figure.caption).toMatch(/^Falls: 301 readings from 300 cycles/);
    expect(figure.legend).toBe(
      'Cycle 3 is “Cycle 3” (iteration 1); Cycle 297 is “Cycle 297” (iteration 1); Cycle 298 is “Cycle 298” (iteration 1); Cycle 299 is “Cycle 299” (iteration 1); ' +
        'Cycle 300 is “Cycle 300” (iteration 1); The other 295 cycles, measured less recently, are drawn as one line of their monthly means',
    );
    expect(figure.svg).toContain('The other 295 cycles');
    expect(figure.svg).not.toContain('Cycle 296');
  });

  it('draw a line for each cycle when there are few', () => {
    const readings = Array.from({ length: CYCLES_DRAWN + 1 }, (_, i) => reading(i + 1, new Date(Date.UTC(2027, i, 1)).toISOString(), i));
    expect(namedCycles(readings).size).toBe(CYCLES_DRAWN + 1);
    expect(new Set(monthlyMeans(readings, namedCycles(readings)).map((p) => p.cycle)).size).toBe(CYCLES_DRAWN + 1);
  });
});
