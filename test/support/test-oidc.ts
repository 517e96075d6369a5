import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** How the provider's next ID token is made wrong (re-signed with its own key but for `signature`). */
export type Tamper = 'audience' | 'nonce' | 'expired' | 'signature';

export interface TestOidc {
  issuer: string;
  /** A client of the provider for one organisation under test (dynamic registration). */
  client(redirectUri: string): Promise<{ clientId: string; clientSecret: string }>;
  /** A person at the provider. */
  account(account: { sub: string; email?: string; email_verified?: boolean; xms_edov?: boolean; name?: string }): Promise<void>;
  tamperNext(mode: Tamper): Promise<void>;
  /** Stops it (the provider is "down"). */
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (`oidc-provider`) on a loopback port, in a child process of its own
 * (`oidc-server.mjs`: oidc-provider is an ES module, which Jest's CommonJS runtime cannot load).
 */
export async function startTestOidc(): Promise<TestOidc> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-server.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  // oidc-provider warns of its in-memory store and of Node 20 on every start: only the rest is shown.
  child.stderr!.on('data', (chunk: Buffer) => {
    const rest = chunk
      .toString()
      .split('\n')
      .filter((line) => line && !line.startsWith('oidc-provider WARNING'));
    if (rest.length) process.stderr.write(`${rest.join('\n')}\n`);
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the test OpenID provider stopped (${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve(ready[1]);
    });
  });
  const post = async (path: string, body: object) => {
    const res = await fetch(`${issuer}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  };
  return {
    issuer,
    async client(redirectUri) {
      const made = (await post('/reg', {
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      })) as { client_id: string; client_secret: string };
      return { clientId: made.client_id, clientSecret: made.client_secret };
    },
    account: (account) => post('/__test/account', account).then(() => undefined),
    tamperNext: (mode) => post('/__test/tamper', { mode }).then(() => undefined),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Follows a browser's way through the provider from its authorization URL (its cookies kept, the
 * login form sent as `login`) until it is sent back to `redirectUri`: that URL, with code and state.
 */
export async function throughProvider(authorizationUrl: string, login: string, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(body !== undefined && { 'content-type': 'application/x-www-form-urlencoded' }) },
      body,
    });
    body = undefined;
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (!value || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) return next;
      url = next.href;
      continue;
    }
    const text = await res.text();
    const form = /<form method="post" action="([^"]+)"/.exec(text);
    if (res.status !== 200 || !form) throw new Error(`the provider answered ${res.status}: ${text.slice(0, 300)}`);
    url = new URL(form[1], url).href;
    body = new URLSearchParams({ login }).toString();
  }
  throw new Error('the provider never sent the browser back');
}
