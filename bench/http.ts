import http from 'node:http';
import { type Dispatcher, Pool } from 'undici';

// Idle connections are let go after 4 s, before a server's keep-alive (Node's 5 s, the web app's)
// closes them: a request sent on a connection the server is closing at that moment fails with
// "socket hang up" (two full runs stopped so, when the 50 people's connections had idled ~5 s
// between signing in and browsing).
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });

export interface Reply {
  status: number;
  body: any;
  ms: number;
  headers?: http.IncomingHttpHeaders;
}

/** One keep-alive pool per origin (undici: far less CPU per request than node:http's client). */
const pools = new Map<string, Pool>();
const poolOf = (origin: string): Pool => {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 256, keepAliveTimeout: 30_000 });
    pools.set(origin, pool);
  }
  return pool;
};

function request(base: string, method: string, path: string, body: unknown, token: string | undefined, extraHeaders: Record<string, string>) {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return poolOf(url.origin).request({
    path: url.pathname + url.search,
    method: method as Dispatcher.HttpMethod,
    headers: {
      ...(payload !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
      ...extraHeaders,
    },
    body: payload,
  });
}

/**
 * A small keep-alive JSON client: the load generator should cost as little CPU as it can (the
 * write-path efficiency figure counts the whole machine's CPU, the load generator's included).
 */
export async function call(base: string, method: string, path: string, body?: unknown, token?: string, extraHeaders: Record<string, string> = {}): Promise<Reply> {
  const started = performance.now();
  const res = await request(base, method, path, body, token, extraHeaders);
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (iCalendar, HTML)
  }
  return { status: res.statusCode, body: parsed, ms: performance.now() - started, headers: res.headers as http.IncomingHttpHeaders };
}

/**
 * A call under load, whose answer only counts: its status and time. The body is read to its end
 * (the whole answer is received) but not decoded or parsed, as pgbench reads what it needs and no
 * more: the load generator's CPU counts in the write-path efficiency.
 */
export async function callForStatus(base: string, method: string, path: string, body?: unknown, token?: string, extraHeaders: Record<string, string> = {}): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await request(base, method, path, body, token, extraHeaders);
  await res.body.dump({ limit: Infinity });
  return { status: res.statusCode, ms: performance.now() - started };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs `work` on `clients` concurrent loops for `seconds`. */
export async function load(clients: number, seconds: number, work: (client: number) => Promise<void>): Promise<void> {
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (Date.now() < until) await work(client);
    }),
  );
}

/**
 * An open-loop load: `people` each start `work` once every `everyMs`, each at a phase of their own,
 * for `seconds`, whether or not their last one has been answered (people do not wait for the
 * server to be ready: a slow answer does not slow the arrivals, as a closed loop's would, hiding
 * the queue). Resolves once every one started is answered.
 */
export async function arrivals(people: number, everyMs: number, seconds: number, work: (person: number) => Promise<void>): Promise<void> {
  const started: Promise<void>[] = [];
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: people }, async (_, person) => {
      await new Promise((r) => setTimeout(r, Math.random() * everyMs));
      for (let next = Date.now(); next < until; next += everyMs) {
        started.push(work(person));
        await new Promise((r) => setTimeout(r, Math.max(0, next + everyMs - Date.now())));
      }
    }),
  );
  await Promise.all(started);
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
}

/**
 * A request with headers of its own and a text body (web pages, forms). A GET whose kept-alive
 * socket the server closed at the moment it was reused (ECONNRESET) is sent again once, as
 * browsers do.
 */
export async function rawCall(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<RawReply> {
  try {
    return await rawCallOnce(base, method, path, options);
  } catch (error) {
    if (method !== 'GET' || (error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
    return rawCallOnce(base, method, path, options);
  }
}

function rawCallOnce(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string }): Promise<RawReply> {
  const url = new URL(path, base);
  const payload = options.body === undefined ? undefined : Buffer.from(options.body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: { ...options.headers, ...(payload && { 'content-length': payload.length }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Signs a person in to the web app as a browser would (the sign-in form and its token): the session cookie. */
export async function webSignIn(base: string, email: string, password: string): Promise<string> {
  const form = await rawCall(base, 'GET', '/sign-in');
  const cookie = String(form.headers['set-cookie'] ?? '').split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
  const body = new URLSearchParams({ _csrf: csrf, email, password, next: '/' }).toString();
  const res = await rawCall(base, 'POST', '/sign-in', { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
  const session = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((h) => h.startsWith('cocommission_session='));
  if (res.status !== 303 || !session) throw new Error(`web sign-in of ${email}: ${res.status}`);
  return session.split(';')[0];
}
