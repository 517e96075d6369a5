/**
 * HAProxy itself checks the configurations we give it: the one scripts/topology.ts generates (npm
 * run topology, the fault suite) and compose's config/haproxy.cfg. `npm test` installs Debian's
 * haproxy first when it is missing (scripts/test-ready.sh, scripts/haproxy.sh): without it these
 * fail, they never skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DRAIN_DELAY_MS, HEALTH_CHECK, haproxyConfig } from '../scripts/topology';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'cocommission-haproxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** haproxy -c: its exit status and what it said. */
function check(path: string): { status: number | null; output: string } {
  const result = spawnSync('haproxy', ['-c', '-f', path], { encoding: 'utf8' });
  if (result.error) throw new Error(`haproxy could not run (${result.error.message}): install it with bash scripts/haproxy.sh`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const generated = haproxyConfig({
  apiPort: 18000,
  webPort: 18001,
  statsPort: 18002,
  apis: [
    { name: 'api-1', port: 18010 },
    { name: 'api-2', port: 18011 },
  ],
  webs: [
    { name: 'web-1', port: 18020 },
    { name: 'web-2', port: 18021 },
  ],
});

describe("the topology's HAProxy configuration", () => {
  it('is valid for haproxy -c, without a warning', () => {
    const path = join(dir, 'topology.cfg');
    writeFileSync(path, generated);
    const { status, output } = check(path);
    expect(output).not.toMatch(/\[(WARNING|ALERT)\]/);
    expect(status).toBe(0);
  });

  it('checks readiness, redispatches, and sends again only what cannot be applied twice', () => {
    expectSafeRetries(generated, /^server (api|web)-\d 127\.0\.0\.1:\d+$/);
    // HAProxy sees a draining process out (fall checks inter apart) well before it closes its listener.
    expect(HEALTH_CHECK.interMs * (HEALTH_CHECK.fall + 1)).toBeLessThan(DRAIN_DELAY_MS);
  });
});

describe("compose's config/haproxy.cfg", () => {
  const composed = readFileSync(join(root, 'config/haproxy.cfg'), 'utf8');

  it('is valid for haproxy -c (its servers are Docker names, resolved at run time)', () => {
    const { status, output } = check(join(root, 'config/haproxy.cfg'));
    expect(output.match(/\[(WARNING|ALERT)\][^\n]*/g)?.filter((line) => !/could not resolve address '(api|web)-\d'/.test(line)) ?? []).toEqual([]);
    expect(status).toBe(0);
  });

  it('checks, redispatches and retries as the tested topology does', () => {
    expectSafeRetries(composed, /^server (api|web)-\d (api|web)-\d:\d+$/);
  });
});

/**
 * What both configurations promise: readiness checked with a time limit of its own, a request that
 * reached no server sent to another, and a request sent again after a server died holding it only
 * for GET and HEAD (they change nothing), in both frontends; two servers of each web-facing role.
 */
function expectSafeRetries(config: string, server: RegExp) {
  const lines = config.split('\n').map((line) => line.trim());
  expect(lines.filter((line) => line === 'option httpchk GET /health/ready')).toHaveLength(2);
  expect(lines).toEqual(expect.arrayContaining(['option redispatch 1', 'retries 3', 'retry-on conn-failure empty-response response-timeout', 'timeout check 3s']));
  expect(lines.filter((line) => line === 'http-request disable-l7-retry if !METH_GET')).toHaveLength(2);
  expect(lines.filter((line) => server.test(line))).toHaveLength(4);
}
