import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { registerFilters } from './filters';
import { fastSet, nunjucksSet, speedUpNunjucks } from './nunjucks-speed';

const root = join(__dirname, '../../../..');
const Frame = (nunjucks.runtime as unknown as { Frame: new (parent?: unknown, isolateWrites?: boolean) => any }).Frame;
const environment = () => {
  const env = nunjucks.configure([join(root, 'apps/web/views'), join(root, 'node_modules/govuk-frontend/dist')], { autoescape: true });
  registerFilters(env);
  return env;
};

/** Templates that set variables every way nunjucks does: loops, macros, `set` in blocks and loops, dotted names, GOV.UK's relative includes. */
const TEMPLATE = `
{%- from "govuk/components/table/macro.njk" import govukTable -%}
{%- from "govuk/components/checkboxes/macro.njk" import govukCheckboxes -%}
{%- set rows = [] -%}
{%- for r in items -%}{%- set rows = (rows.push([{ text: r.name }, { text: loop.index ~ "/" ~ loop.length ~ (" first" if loop.first) ~ (" last" if loop.last) }]), rows) -%}{%- endfor -%}
{{ govukTable({ caption: "Items", head: [{ text: "Name" }, { text: "Place" }], rows: rows }) }}
{{ govukCheckboxes({ idPrefix: "p", name: "p", items: people, values: ["b"] }) }}
{%- set total = 0 -%}
{%- for r in items -%}{%- if r.count -%}{%- set total = total + r.count -%}{%- endif -%}{%- endfor -%}
<p>{{ total }}</p>
{%- macro counted(n) -%}{%- set inside = n * 2 -%}{%- for i in range(n) -%}{{ loop.revindex }}{%- endfor -%}:{{ inside }}{%- endmacro -%}
{{ counted(3) }}{{ inside or "unset outside" }}
{%- set outer = "before" -%}{%- if true -%}{%- set outer = "changed in a block" -%}{%- endif -%}<p>{{ outer }}</p>
{%- set captured -%}{%- for r in items -%}<i>{{ r.name }}</i>{%- endfor -%}{%- endset -%}{{ captured }}
`;
const context = {
  items: [
    { name: 'A & B', count: 2 },
    { name: '<b>', count: 0 },
    { name: 'C', count: 5 },
  ],
  people: [
    { value: 'a', text: 'Ann' },
    { value: 'b', text: 'Bo', hint: { text: 'Org' } },
  ],
};

describe("nunjucks's hot spots mended", () => {
  afterAll(() => {
    (Frame.prototype as { set: unknown }).set = nunjucksSet;
  });

  it('draw the same HTML as nunjucks does', () => {
    const before = environment().renderString(TEMPLATE, context);
    const env = environment();
    speedUpNunjucks(env);
    const after = env.renderString(TEMPLATE, context);
    expect(after).toBe(before);
    expect(after).toContain('<p>7</p>');
    expect(after).toContain('3/3 last');
    expect(after).toContain('321:6unset outside');
    expect(after).toContain('changed in a block');
    // Again, with the relative includes' paths kept.
    expect(env.renderString(TEMPLATE, context)).toBe(before);
  });

  it('a frame set writes where nunjucks writes, with or without resolving up, across frames that isolate writes', () => {
    const build = () => {
      const top = new Frame();
      top.set('a', 1);
      top.set('shared', 'top');
      const isolated = top.push(true);
      isolated.set('b', 2);
      isolated.set('holder', { kept: true });
      const inner = isolated.push(false);
      return { top, isolated, inner };
    };
    const operations: [string, unknown, boolean][] = [
      ['a', 10, true], // found above an isolating frame: not written there
      ['b', 20, true], // found in the isolating frame itself
      ['c', 30, true], // nowhere: written here
      ['shared', 'inner', false], // here, without looking up
      ['loop.index', 4, false], // a dotted name: nunjucks's own
      ['loop.first', true, true],
      ['loop.index', 5, true], // the same dotted name again
      ['m.n.o', 6, false], // three parts
      ['holder.within', 7, true], // a dotted name whose first part is found up, in the isolating frame
    ];
    const ours = build();
    const theirs = build();
    for (const [name, value, resolveUp] of operations) {
      fastSet.call(ours.inner, name, value, resolveUp);
      nunjucksSet.call(theirs.inner, name, value, resolveUp);
    }
    for (const level of ['top', 'isolated', 'inner'] as const) expect({ ...ours[level].variables }).toEqual({ ...theirs[level].variables });
    expect(ours.inner.variables.loop).toEqual({ index: 5, first: true });
    expect(ours.inner.variables.m).toEqual({ n: { o: 6 } });
    expect(ours.isolated.variables.holder).toEqual({ kept: true, within: 7 });
  });
});
