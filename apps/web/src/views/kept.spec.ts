import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { registerFilters } from './filters';
import { keptMacro, registerKeptMacros } from './kept';

const root = join(__dirname, '../../../..');
const environment = () => {
  const env = nunjucks.configure([join(root, 'apps/web/views'), join(root, 'node_modules/govuk-frontend/dist')], { autoescape: true });
  registerFilters(env);
  registerKeptMacros(env);
  return env;
};
const people = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `id-${i}`, text: `Person <${i}>`, hint: { text: `Organisation ${i % 7}` } }));
const asGovuk = (env: nunjucks.Environment, params: object) => env.renderString('{% from "govuk/components/checkboxes/macro.njk" import govukCheckboxes %}{{ govukCheckboxes(params) }}', { params });

/** How many times a kept macro drew (its template is rendered with `params`; GOV.UK's own parts are not counted). */
const drawings = (render: jest.SpyInstance) => render.mock.calls.filter(([context]) => context && typeof context === 'object' && 'params' in context).length;

describe('GOV.UK macros kept', () => {
  afterEach(() => jest.restoreAllMocks());
  const cases = [
    { idPrefix: 'facilitators', name: 'facilitatorUserIds', items: people(12), values: ['id-3', 'id-5'] },
    { fieldset: { legend: { text: 'Facilitators', classes: 'govuk-fieldset__legend--s' } }, hint: { text: 'Not of a co-owner' }, idPrefix: 'f', name: 'f', items: people(3), values: [] },
    { fieldset: { legend: { text: 'Panel' } }, idPrefix: 'p', name: 'p', items: people(2), values: ['id-1'], errorMessage: { text: 'Choose <someone>' } },
  ];

  it('draw what the GOV.UK macro draws, escaped the same', () => {
    const env = environment();
    for (const params of cases) {
      const kept = env.renderString('{{ keptGovukCheckboxes(params) }}', { params });
      expect(kept).toBe(asGovuk(env, params));
      expect(kept).toContain('Person &lt;1&gt;');
    }
  });

  it('draw a table as GOV.UK’s table draws it', () => {
    const env = environment();
    const params = { caption: 'Cycles', head: [{ text: 'Cycle' }, { text: 'Stage' }], rows: [[{ html: '<a href="/c/1">One &amp; two</a>' }, { text: 'Draft <b>' }]] };
    const kept = env.renderString('{{ keptGovukTable(params) }}', { params });
    expect(kept).toBe(env.renderString('{% from "govuk/components/table/macro.njk" import govukTable %}{{ govukTable(params) }}', { params }));
    expect(kept).toContain('<a href="/c/1">One &amp; two</a>');
    expect(kept).toContain('Draft &lt;b&gt;');
  });

  it('draw each set of parameters once, and again only when they change', () => {
    const env = environment();
    const checkboxes = keptMacro(env, 'govuk/components/checkboxes/macro.njk', 'govukCheckboxes');
    const render = jest.spyOn(nunjucks.Template.prototype, 'render');
    const first = String(checkboxes(cases[0]));
    expect(drawings(render)).toBe(1);
    expect(String(checkboxes(structuredClone(cases[0])))).toBe(first);
    expect(drawings(render)).toBe(1);
    // Another person ticked: drawn again, with the new tick.
    const ticked = String(checkboxes({ ...cases[0], values: ['id-3', 'id-5', 'id-7'] }));
    expect(drawings(render)).toBe(2);
    expect(ticked).not.toBe(first);
    expect(ticked).toMatch(/value="id-7"\s+checked/);
    render.mockRestore();
  });

  it('draw parameters that are not plain data every time (their JSON could be another’s)', () => {
    const env = environment();
    const checkboxes = keptMacro(env, 'govuk/components/checkboxes/macro.njk', 'govukCheckboxes');
    const render = jest.spyOn(nunjucks.Template.prototype, 'render');
    const safe = { ...cases[0], items: [{ value: 'a', html: new nunjucks.runtime.SafeString('<b>A</b>') }] };
    const lookalike = { ...cases[0], items: [{ value: 'a', html: { val: '<b>A</b>', length: 8 } }] };
    expect(String(checkboxes(safe))).toContain('<b>A</b>');
    expect(String(checkboxes(lookalike))).not.toContain('<b>A</b>');
    checkboxes(safe);
    checkboxes({ ...cases[0], values: [new Date(0)] });
    checkboxes({ ...cases[0], values: [new Date(0)] });
    checkboxes({ ...cases[0], items: [{ value: NaN, text: 'x' }] });
    checkboxes({ ...cases[0], items: [{ value: null, text: 'x' }] });
    checkboxes({ ...cases[0], items: [{ value: null, text: 'x' }] });
    // Each of those with a safe string, a date or NaN drawn; the lookalike and the plain null kept.
    expect(drawings(render)).toBe(7);
    render.mockRestore();
  });

  it('keep no more than their budget', () => {
    const env = environment();
    const checkboxes = keptMacro(env, 'govuk/components/checkboxes/macro.njk', 'govukCheckboxes', { entries: 2, characters: 1_000_000 });
    const render = jest.spyOn(nunjucks.Template.prototype, 'render');
    for (const params of cases) checkboxes(params);
    checkboxes(cases[0]); // the least recently used: gone
    expect(drawings(render)).toBe(4);
    checkboxes(cases[2]);
    expect(drawings(render)).toBe(4);
    render.mockRestore();
  });

  it('keep within their budget of characters, and not an HTML larger than a tenth of it', () => {
    const env = environment();
    const html = String(keptMacro(env, 'govuk/components/checkboxes/macro.njk', 'govukCheckboxes')(cases[0])).length;
    // Room for ten of these (each just under a tenth of the budget): the eleventh pushes the first out.
    const checkboxes = keptMacro(env, 'govuk/components/checkboxes/macro.njk', 'govukCheckboxes', { entries: 100, characters: Math.floor(html * 10.5) });
    const small = keptMacro(env, 'govuk/components/checkboxes/macro.njk', 'govukCheckboxes', { entries: 100, characters: html * 5 });
    const render = jest.spyOn(nunjucks.Template.prototype, 'render');
    const variant = (i: number) => ({ ...cases[0], values: [`id-${i}`] });
    for (let i = 1; i <= 11; i++) checkboxes(variant(i));
    expect(drawings(render)).toBe(11);
    checkboxes(variant(11));
    checkboxes(variant(2));
    expect(drawings(render)).toBe(11);
    checkboxes(variant(1));
    expect(drawings(render)).toBe(12);
    // Twice the tenth: drawn every time.
    small(cases[0]);
    small(cases[0]);
    expect(drawings(render)).toBe(14);
    render.mockRestore();
  });
});
