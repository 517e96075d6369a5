import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import nunjucks, { type Environment } from 'nunjucks';

/**
 * A GOV.UK Frontend macro whose HTML is kept and given again for the same parameters. The
 * macros' output depends on their parameters alone, and a form's long lists (the people who may
 * be a cycle's facilitators: every active user of the partnership's other members) are the same
 * on page after page: GOV.UK's checkboxes cost tens of microseconds an item to draw (a label, a
 * hint and a dozen template variables each), a third of a cycle page's drawing with a hundred
 * people. Kept by a hash of the parameters as JSON, least recently used first out, within a
 * budget of characters.
 */
export function keptMacro(env: Environment, file: string, name: string, budget = { entries: 500, characters: 8_000_000 }) {
  const template = new nunjucks.Template(`{% from "${file}" import ${name} %}{{ ${name}(params) }}`, env);
  const kept = new LRUCache<string, string>({ max: budget.entries, maxSize: budget.characters, sizeCalculation: (html) => Math.max(1, html.length) });
  return (params: unknown) => {
    const key = createHash('sha1').update(JSON.stringify(params ?? null)).digest('base64');
    let html = kept.get(key);
    if (html === undefined) {
      html = template.render({ params });
      kept.set(key, html);
    }
    return new nunjucks.runtime.SafeString(html);
  };
}

/** The kept macros the templates call by these names (the original macros stay available by import). */
export function registerKeptMacros(env: Environment): void {
  env.addGlobal('keptGovukCheckboxes', keptMacro(env, 'govuk/components/checkboxes/macro.njk', 'govukCheckboxes'));
  env.addGlobal('keptGovukTable', keptMacro(env, 'govuk/components/table/macro.njk', 'govukTable'));
}
