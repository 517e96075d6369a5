/**
 * The operator's files (Dockerfile, compose.yaml, config/haproxy.cfg, config/prometheus/alerts.yml)
 * cannot run here (no container runtime): this reads them and checks that they agree with the
 * roles, scripts, variables and routes that exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { environmentSchema } from '@app/config';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const apps = readdirSync(join(root, 'apps')).filter((name) => existsSync(join(root, 'apps', name, 'src', 'main.ts')));
const roles = [...apps, 'migrate'];
/** The apps compose scales, two of each: all but the all-in-one process, which holds the three for the smallest installs. */
const scaled = apps.filter((app) => app !== 'all-in-one');

/** The Dockerfile's instructions, continuation lines joined and comments left out. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** The stages, each with its instructions. */
function stages(text: string): { name: string; from: string; body: { op: string; args: string }[] }[] {
  const result: { name: string; from: string; body: { op: string; args: string }[] }[] = [];
  for (const item of instructions(text)) {
    if (item.op === 'FROM') {
      const [from, as, name] = item.args.split(/\s+/);
      expect(as?.toUpperCase()).toBe('AS');
      result.push({ name, from, body: [] });
    } else result[result.length - 1].body.push(item);
  }
  return result;
}

describe('Dockerfile', () => {
  const dockerfile = stages(read('Dockerfile'));
  const [build, runtime] = dockerfile;
  const roleScript = read('scripts/container-role.sh');

  it('builds in one stage and runs from another, on the Node the project requires', () => {
    expect(dockerfile.map((s) => s.name)).toEqual(['build', 'runtime']);
    const major = Number(/>=(\d+)/.exec(JSON.parse(read('package.json')).engines.node)![1]);
    for (const stage of dockerfile) expect(Number(/^node:(\d+)/.exec(stage.from)![1])).toBeGreaterThanOrEqual(major);
  });

  it('installs everything from the lock file and builds every app in the build stage', () => {
    const runs = build.body.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(build.body.some((i) => i.op === 'COPY' && i.args.includes('package-lock.json'))).toBe(true);
    expect(runs).toContainEqual(expect.stringMatching(/^npm install\b(?!.*--omit)/));
    for (const app of apps) expect(runs.join(' && ')).toMatch(new RegExp(`nest build ${app}\\b`));
  });

  it('runs with production dependencies only, as a user other than root, in production mode', () => {
    const runs = runtime.body.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs).toContainEqual(expect.stringMatching(/^npm install --omit=dev\b/));
    expect(runtime.body.find((i) => i.op === 'ENV')?.args).toMatch(/NODE_ENV=production/);
    const users = runtime.body.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.body.some((i) => i.op === 'COPY' && /--from=build \/app\/dist/.test(i.args))).toBe(true);
  });

  it('copies into the image only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = dockerfile
      .flatMap((s) => s.body)
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(root, source))).toBe(true);
      expect(ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`))).toEqual([]);
    }
  });

  it('chooses the role by its command: every app, and migrate, as scripts/start.js runs them', () => {
    const entrypoint = JSON.parse(runtime.body.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
    expect(entrypoint).toEqual(['sh', 'scripts/container-role.sh']);
    const cmd = JSON.parse(runtime.body.find((i) => i.op === 'CMD')!.args) as string[];
    expect(roles).toContain(cmd[0]);
    const scriptRoles = /case "\$role" in\n\s*([^)]+)\)/
      .exec(roleScript)![1]
      .split('|')
      .map((r) => r.trim());
    expect([...scriptRoles, 'migrate'].sort()).toEqual([...roles].sort());
    expect(roleScript).toMatch(/migrate\) file="dist\/apps\/api\/apps\/api\/src\/migrate\.js"/);
    // The same built files as scripts/start.js's entry(app, file), and the scripts package.json names for each role.
    expect(read('scripts/start.js')).toContain("join(root, 'dist/apps', app, 'apps', app, 'src', `${file}.js`)");
    expect(roleScript).toContain('file="dist/apps/$role/apps/$role/src/main.js"');
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    for (const app of apps) expect(scripts[`start:${app}`]).toBe(`node scripts/start.js ${app}`);
    expect(scripts['migration:run']).toBe('node scripts/start.js migrate');
    for (const app of apps) expect(existsSync(join(root, 'apps', app, 'src', 'main.ts'))).toBe(true);
    expect(existsSync(join(root, 'apps/api/src/migrate.ts'))).toBe(true);
  });

  it('runs on production dependencies alone: every package the apps import is one, or comes with one', () => {
    const dependencies = Object.keys(JSON.parse(read('package.json')).dependencies as Record<string, string>);
    const installed = new Set(dependencies.flatMap((name) => [name, ...Object.keys(JSON.parse(read(`node_modules/${name}/package.json`)).dependencies ?? {})]));
    const sources = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((item) =>
        item.isDirectory() ? sources(join(dir, item.name)) : /(?<!\.(spec|fixtures|medium-spec|e2e-spec))\.ts$/.test(item.name) ? [join(dir, item.name)] : [],
      );
    const missing = ['apps', 'libs'].flatMap(sources).flatMap((file) =>
      [...read(file).matchAll(/^(?:import|export)(?! type )[^'"]*?from '([^'.][^']*)'|^import '([^'.][^']*)'|require\('([^'.][^']*)'\)/gm)]
        .map((m) => m[1] ?? m[2] ?? m[3])
        .filter((id) => !id.startsWith('@app/') && !id.startsWith('node:') && !builtinModules.includes(id.split('/')[0]))
        .map((id) => (id.startsWith('@') ? id.split('/').slice(0, 2) : id.split('/').slice(0, 1)).join('/'))
        .filter((name) => !installed.has(name))
        .map((name) => `${file}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('exposes the API, web and worker metrics ports of docs/configuration.md and checks health through a script the image holds', () => {
    const expose = runtime.body
      .find((i) => i.op === 'EXPOSE')!
      .args.split(/\s+/)
      .map(Number);
    expect(expose.sort()).toEqual(
      [environmentSchema.shape.PORT.parse(undefined), environmentSchema.shape.WEB_PORT.parse(undefined), environmentSchema.shape.WORKER_METRICS_PORT.parse(undefined)].sort(),
    );
    expect(runtime.body.find((i) => i.op === 'HEALTHCHECK')!.args).toMatch(/CMD \["node", "scripts\/container-health\.js"\]/);
    expect(runtime.body.some((i) => i.op === 'COPY' && i.args.includes('scripts/container-health.js'))).toBe(true);
  });
});

interface Service {
  image?: string;
  command?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  environment?: Record<string, string>;
}

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;
  const appServices = Object.entries(services).filter(([, s]) => s.image?.startsWith('cocommission'));
  const documented = read('docs/configuration.md');

  it('runs PostgreSQL, Redis, one migrate and two of each app, all of one image', () => {
    expect(services.postgres?.image).toMatch(/^postgres:/);
    expect(services.redis?.image).toMatch(/^redis:/);
    const byRole = new Map<string, string[]>();
    for (const [name, service] of appServices) byRole.set(service.command![0], [...(byRole.get(service.command![0]) ?? []), name]);
    expect([...byRole.keys()].sort()).toEqual([...scaled, 'migrate'].sort());
    expect(byRole.get('migrate')).toEqual(['migrate']);
    for (const app of scaled) expect(byRole.get(app)).toEqual([`${app}-1`, `${app}-2`]);
  });

  it('starts every app after migrate has finished', () => {
    for (const [name, service] of appServices.filter(([n]) => n !== 'migrate')) {
      expect([name, (service.depends_on as Record<string, { condition: string }>).migrate]).toEqual([name, { condition: 'service_completed_successfully' }]);
    }
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('names only variables the processes read, and gives production what it requires', () => {
    const known = Object.keys(environmentSchema.shape);
    for (const [name, service] of appServices) {
      for (const variable of Object.keys(service.environment ?? {})) {
        expect([name, variable, known.includes(variable) || documented.includes(`| \`${variable}\` |`)]).toEqual([name, variable, true]);
      }
      expect(service.environment).toMatchObject({ NODE_ENV: 'production' });
      // Production refuses to start without these; compose refuses to start until they are set.
      for (const required of ['JWT_SECRET', 'ADMIN_PASSWORD', 'ADMIN_EMAIL']) expect(service.environment![required]).toMatch(new RegExp(`^\\$\\{${required}:\\?`));
    }
    expect(services.migrate.environment!.MIGRATION_DATABASE_URL).toMatch(/^postgres:\/\//);
  });
});

describe('config/haproxy.cfg', () => {
  const cfg = read('config/haproxy.cfg');
  const services = Object.keys((parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> }).services);
  const backends = Object.fromEntries(
    [...cfg.matchAll(/^backend (\S+)\n([\s\S]*?)(?=^\S|(?![\s\S]))/gm)].map(([, name, body]) => [
      name,
      { check: /option httpchk GET (\S+)/.exec(body)?.[1], servers: [...body.matchAll(/^\s+server (\S+) (\S+):(\d+)/gm)].map(([, id, host, port]) => ({ id, host, port: Number(port) })) },
    ]),
  );

  it('balances the API and the web app over their compose services, on their ports', () => {
    expect(Object.keys(backends).sort()).toEqual(['api', 'web']);
    const ports = { api: environmentSchema.shape.PORT.parse(undefined), web: environmentSchema.shape.WEB_PORT.parse(undefined) };
    for (const role of ['api', 'web'] as const) {
      expect(backends[role].servers.map((s) => s.host)).toEqual([`${role}-1`, `${role}-2`]);
      for (const server of backends[role].servers) {
        expect(services).toContain(server.host);
        expect(server.port).toBe(ports[role]);
      }
    }
  });

  it('checks each backend on a route its app serves', () => {
    expect(backends.api.check).toBe('/health/ready');
    expect(read('apps/api/src/health/health.controller.ts')).toMatch(/@Controller\('health'\)[\s\S]*@Get\('ready'\)/);
    expect(backends.web.check).toBe('/health/ready');
    expect(read('apps/web/src/health/health.controller.ts')).toContain("@Get('health/ready')");
    expect(cfg).toMatch(/default-server check /);
  });
});

describe('config/prometheus/alerts.yml', () => {
  const alerts = parse(read('config/prometheus/alerts.yml')) as {
    groups: { name: string; rules: { alert: string; expr: string; for: string; labels: { severity: string }; annotations: { summary: string } }[] }[];
  };
  const rules = alerts.groups.flatMap((g) => g.rules);
  const operations = read('docs/operations.md');
  const contract = ['cocommission_outbox_lag_seconds', 'cocommission_queue_depth', 'cocommission_milestone_lateness_seconds', 'cocommission_deliveries_total', 'http_request_duration_seconds'];

  it('gives every rule an expression, a duration, a severity and a summary', () => {
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) {
      expect([rule.alert, typeof rule.expr, rule.expr.length > 0]).toEqual([rule.alert, 'string', true]);
      expect([rule.alert, rule.for]).toEqual([rule.alert, expect.stringMatching(/^\d+[smh]$/)]);
      expect([rule.alert, rule.labels?.severity]).toEqual([rule.alert, expect.stringMatching(/^(page|warn)$/)]);
      expect([rule.alert, typeof rule.annotations?.summary]).toEqual([rule.alert, 'string']);
    }
  });

  it('alerts on each family of the metrics contract, and names no other', () => {
    const named = new Set(rules.flatMap((r) => [...r.expr.matchAll(/\b((?:cocommission|http)_[a-z_]+?)(?:_bucket|_count|_sum)?\b(?=[{[)\s]|$)/g)].map((m) => m[1])));
    expect([...named].sort()).toEqual([...contract].sort());
    for (const family of contract) expect(operations).toContain(`\`${family}`);
  });
});
