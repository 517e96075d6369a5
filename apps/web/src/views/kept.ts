/** GOV.UK Frontend macros whose HTML is kept and given again for the same plain parameters. */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import nunjucks, { type Environment } from 'nunjucks';

/**
 * The parameters as a key, or undefined when they hold anything but plain data (strings, finite
 * numbers, booleans, null, arrays and plain objects): a safe string, a date or a number that is not
 * finite would make the same JSON as something the macro draws differently, so such parameters are
 * drawn every time rather than risk another's HTML.
 */
function keyOf(params: unknown): string | undefined {
  let plain = true;
  // The replacer sees a value after its toJSON (a date as its string): judge the original, `this[key]`.
  const json = JSON.stringify(params ?? null, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    if (!isPlainData(original)) plain = false;
    return value;
  });
  return plain ? createHash('sha256').update(json).digest('base64') : undefined;
}

function isPlainData(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object') return false;
  // A plain object: its prototype is an Object.prototype (of any realm), or it has none.
  const prototype = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/**
 * A GOV.UK Frontend macro whose HTML is kept and given again for the same parameters. The
 * macros' output depends on their parameters alone, and a form's long lists (the people who may
 * be a cycle's facilitators: every active user of the partnership's other members) and Your work's
 * tables are the same on page after page: GOV.UK's checkboxes cost tens of microseconds an item to
 * draw (a label, a hint and a dozen template variables each), a third of a cycle page's drawing
 * with a hundred people. Kept by a hash of the parameters as JSON, least recently used first out,
 * within a budget of characters; an HTML larger than a tenth of the budget is not kept.
 */
export function keptMacro(env: Environment, file: string, name: string, budget = { entries: 500, characters: 8_000_000 }) {
  const template = new nunjucks.Template(`{% from "${file}" import ${name} %}{{ ${name}(params) }}`, env);
  const kept = new LRUCache<string, string>({
    max: budget.entries,
    maxSize: budget.characters,
    maxEntrySize: Math.max(1, Math.floor(budget.characters / 10)),
    sizeCalculation: (html) => Math.max(1, html.length),
  });
  return (params: unknown) => {
    const key = keyOf(params);
    let html = key === undefined ? undefined : kept.get(key);
    if (html === undefined) {
      html = template.render({ params });
      if (key !== undefined) kept.set(key, html);
    }
    return new nunjucks.runtime.SafeString(html);
  };
}

/** The kept macros the templates call by these names (the original macros stay available by import). */
export function registerKeptMacros(env: Environment): void {
  env.addGlobal('keptGovukCheckboxes', keptMacro(env, 'govuk/components/checkboxes/macro.njk', 'govukCheckboxes'));
  env.addGlobal('keptGovukTable', keptMacro(env, 'govuk/components/table/macro.njk', 'govukTable'));
}
