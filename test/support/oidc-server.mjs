// A real OpenID provider (oidc-provider, the certified Node implementation) for the tests, on a
// loopback port of its own. It is an ES module, which Jest's CommonJS runtime does not load: the
// tests run it as a child process (test-oidc.ts) and drive it over HTTP like any provider.
//
// Clients register themselves (dynamic registration, /reg); people are added with
// POST /__test/account; POST /__test/tamper makes the next ID token wrong in one way (re-signed
// with the provider's own key, so that only that one check fails).
import { createServer } from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const accounts = new Map();
let tamper = null;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const { privateKey: strangerKey } = await jose.generateKeyPair('RS256');

const server = createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['test-oidc-cookie-key-one', 'test-oidc-cookie-key-two'] },
  findAccount: (_ctx, id) => (accounts.has(id) ? { accountId: id, claims: () => ({ sub: id, ...accounts.get(id) }) } : undefined),
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'] },
  // The email and name in the ID token itself (as Entra ID and Google put them), not only at userinfo.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false }, registration: { enabled: true } },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // Consent is given for the clients of the tests (first-party, as an organisation's own app is).
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  renderError: (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Error</title><p>${String(out.error)}: ${String(out.error_description ?? '')}</p>`;
  },
});

async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

async function tampered(idToken, mode) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'audience') claims.aud = 'another-client';
  if (mode === 'nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  const key = mode === 'signature' ? strangerKey : privateKey;
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' }).sign(key);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/account' && ctx.method === 'POST') {
    const { sub, ...claims } = JSON.parse(await body(ctx.req));
    accounts.set(sub, claims);
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/__test/tamper' && ctx.method === 'POST') {
    tamper = JSON.parse(await body(ctx.req)).mode ?? null;
    ctx.status = 204;
    return;
  }
  const interaction = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (interaction && ctx.method === 'GET') {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="en"><title>Test identity provider</title><main><h1>Test identity provider</h1>
      <form method="post" action="/interaction/${details.uid}"><label for="login">Account</label> <input id="login" name="login">
      <button type="submit">Continue</button></form></main></html>`;
    return;
  }
  if (interaction && ctx.method === 'POST') {
    const login = new URLSearchParams(await body(ctx.req)).get('login') ?? '';
    const result = accounts.has(login) ? { login: { accountId: login } } : { error: 'access_denied', error_description: 'no such account' };
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token, tamper) };
    tamper = null;
  }
});

server.on('request', provider.callback());
process.stdout.write(`READY ${issuer}\n`);
