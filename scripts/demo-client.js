/*
 * What the demos (`npm run demo`, `npm run demo:reorganisation`) share: the service's address and the
 * development admin's credentials from the environment, and small calls over HTTP that stop the demo
 * on an answer it did not expect.
 */
'use strict';

const base = (process.env.DEMO_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
const adminEmail = process.env.ADMIN_EMAIL ?? 'admin@cocommission.local';
const adminPassword = process.env.ADMIN_PASSWORD ?? 'cocommission-admin';
/** Every person a demo makes signs in with it. */
const password = process.env.DEMO_PASSWORD ?? 'demo-password-2027';
/** Makes each run's email addresses its own. */
const stamp = Date.now().toString(36);

/** The answer's status and body, whatever the status (for the steps the service may refuse and the demo goes on past). */
async function attempt(token, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

/** The answer's body, or an error naming the call when its status is not one expected. */
async function call(token, method, path, body, expected = [200, 201, 204]) {
  const { status, text, json } = await attempt(token, method, path, body);
  if (!expected.includes(status)) throw new Error(`${method} ${path} answered ${status}: ${text}`);
  return json;
}

const login = async (email, pw) => (await call(undefined, 'POST', '/v1/auth/login', { email, password: pw }, [200])).accessToken;
const step = (text) => console.log(`  ${text}`);

module.exports = { base, adminEmail, adminPassword, password, stamp, attempt, call, login, step };
