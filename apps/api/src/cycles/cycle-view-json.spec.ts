import { CycleStore } from '@app/cycles/cycle-store';
import { CycleViewJson, KEPT_FROM_BYTES, jsonBytes } from './cycle-view-json';
import type { CycleDto } from './dto/cycles.dto';

describe('a cycle view as JSON bytes', () => {
  it('are the bytes JSON.stringify makes, with known values given as made', () => {
    const inner = { text: 'known', list: [1, 2] };
    const bare = Object.assign(Object.create(null), { a: 1, b: undefined });
    const value = {
      id: 'c1',
      skipped: undefined,
      fn: () => 1,
      nothing: null,
      numbers: [0, -0, 1.5, NaN, Infinity, 1e21],
      list: [undefined, () => 1, { deep: undefined, kept: 'yes' }],
      at: new Date('2030-01-02T03:04:05.000Z'),
      text: 'quote " backslash \\ newline \n tab \t emoji 🙂 lone \ud800 NUL \u0000 £',
      bare,
      boxed: new String('boxed'),
      map: new Map([['k', 'v']]),
      nested: { inner, empty: {}, also: { level: { three: true } } },
      again: inner,
    };
    const plain = JSON.stringify(value);
    expect(jsonBytes(value, new Map()).toString()).toBe(plain);
    const known = new Map<unknown, Buffer>([[inner, Buffer.from(JSON.stringify(inner))]]);
    expect(jsonBytes(value, known).equals(Buffer.from(plain))).toBe(true);
    // What is known is used as given: proof that it was not made again.
    expect(jsonBytes(value, new Map([[inner, Buffer.from('"given"')]])).toString()).toBe(plain.replaceAll(JSON.stringify(inner), '"given"'));
    // Walking only the objects that hold what is known: the same bytes, the others made whole.
    expect(jsonBytes(value, new Map([[inner, Buffer.from('"given"')]]), new Set([value, value.nested])).toString()).toBe(
      plain.replace(JSON.stringify(inner), '"given"').replace(`"again":${JSON.stringify(inner)}`, '"again":"given"'),
    );
    // An object not listed is made as JSON.stringify makes it, a known value inside it too.
    expect(jsonBytes(value, new Map([[inner, Buffer.from('"given"')]]), new Set([value])).toString()).toBe(plain.replace(`"again":${JSON.stringify(inner)}`, '"again":"given"'));
  });

  const view = (version: number, size: number, nextEvents = ['RECORD_PROGRESS']) =>
    ({
      id: 'cycle-1',
      version,
      title: 'A cycle',
      problem: { revisions: [{ number: 1, statement: 'x'.repeat(size) }], latestRevision: 1, endorsements: [], objections: [] },
      options: [{ id: 'o1', title: 'Option', summary: 'y'.repeat(size) }],
      cancellation: undefined,
      nextEvents,
    }) as unknown as CycleDto;

  it('keeps a long-lived cycle’s revisions and options by version, and leaves small ones to the usual serialiser', () => {
    const json = new CycleViewJson(new CycleStore({ enabled: true, bytes: 64 * 1024 * 1024 }));
    expect(json.bytes(view(1, 100))).toBeUndefined();
    const large = view(2, KEPT_FROM_BYTES);
    expect(Buffer.concat(json.bytes(large)!).toString()).toBe(JSON.stringify(large));
    // The same version for another caller: their own parts, the kept texts (changed here behind its back to show them kept).
    const other = view(2, KEPT_FROM_BYTES, ['OBJECT_PROBLEM']);
    const before = JSON.stringify(other);
    (other.options as { summary: string }[])[0].summary = 'changed';
    expect(Buffer.concat(json.bytes(other)!).toString()).toBe(before);
    // A new version is made again.
    const next = view(3, KEPT_FROM_BYTES);
    (next.options as { summary: string }[])[0].summary = 'changed';
    expect(Buffer.concat(json.bytes(next)!).toString()).toBe(JSON.stringify(next));
    // And a cycle that became small again is sent the usual way.
    expect(json.bytes(view(4, 10))).toBeUndefined();
  });
});
