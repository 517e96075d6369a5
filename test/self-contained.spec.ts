/** A clone passes on its own: nothing in the project reads or writes a path outside its root. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(__dirname, '..');
const folders = ['apps', 'libs', 'test', 'scripts', 'config', '.ci', 'bench'];
// Kept unchanged from their publisher (test/standards/*/README.md): not the project's code.
const vendored = join(root, 'test', 'standards');
const text = /\.(ts|js|mjs|cjs|json|sh|njk|html|css|yaml|yml)$|^run$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || path === vendored || path === __filename) return []; // this file names them as examples
    if (statSync(path).isDirectory()) return files(path);
    return text.test(name) ? [path] : [];
  });
}

const outside = (path: string) => relative(root, path).split(sep)[0] === '..';
// Spelled in pieces so that this file does not name them itself.
const sharedFolder = ['..', 'shared'].join('/');
const escape = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// An absolute path starts a string or a word (so `./work/x` is not `/work/`).
const machinePaths = [dirname(root), '/root', '/home'].filter((p) => p !== '/').map((p) => ({ p, at: new RegExp(`(^|[^\\w./-])${escape(p)}/`) }));

/** The places in one file's text that name a path outside the project's root, as `line: text`. */
export function pathsOutside(file: string, source: string): string[] {
  return source.split('\n').flatMap((line, i) => {
    const found: string[] = [];
    if (line.includes(sharedFolder)) found.push(sharedFolder);
    for (const { p, at } of machinePaths) if (at.test(line)) found.push(p);
    // A relative path in quotes that climbs out of the root from the file's folder.
    for (const [, path] of line.matchAll(/['"`]((?:\.\.\/)+[^'"`$]*)['"`]/g)) {
      if (outside(resolve(dirname(file), path))) found.push(path);
    }
    return found.map((what) => `${relative(root, file)}:${i + 1}: ${what}`);
  });
}

describe('the project names no path outside its root', () => {
  it('finds a sibling folder, a machine path and a path that climbs out (the check itself)', () => {
    const file = join(root, 'test', 'support', 'x.ts');
    expect(pathsOutside(file, `const a = '${sharedFolder}/standards';`)).toHaveLength(1);
    expect(pathsOutside(file, `const b = '${dirname(root)}/elsewhere';`)).toHaveLength(1);
    expect(pathsOutside(file, "const c = join(__dirname, '../../../out');")).toHaveLength(1);
    expect(pathsOutside(file, "const d = join(__dirname, '../../test-output');")).toEqual([]);
  });

  it.each(folders)('in %s', (folder) => {
    const found = files(join(root, folder)).flatMap((file) => pathsOutside(file, readFileSync(file, 'utf8')));
    expect(found).toEqual([]);
  });
});
