#!/usr/bin/env node
/*
 * npm start            build if needed, create the database if missing, migrate, run API + worker + web app
 * npm run start:api    the same, API only
 * npm run start:worker the same, worker only
 * npm run start:web    the same, web app only
 * npm start -- --all-in-one   the same, the three roles in one process (ROLES=api,web,worker names them: docs/operations.md)
 * npm run migration:run  build if needed, create the database if missing, migrate
 */
'use strict';
const { randomBytes } = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { flags: NODE_FLAGS, byApp: APP_FLAGS } = require('./node-flags.json');

const root = join(__dirname, '..');
const entry = (app, file) => join(root, 'dist/apps', app, 'apps', app, 'src', `${file}.js`);

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (item.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIfNeeded(app) {
  const main = entry(app, 'main');
  const sources = Math.max(newestSource(join(root, 'apps')), newestSource(join(root, 'libs')), statSync(join(root, 'package-lock.json')).mtimeMs);
  if (existsSync(main) && statSync(main).mtimeMs >= sources) return;
  console.log(`[start] building ${app}...`);
  const result = spawnSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build', app], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function run(app, file, args = []) {
  return spawn(process.execPath, [...NODE_FLAGS, ...(APP_FLAGS[app] ?? []), file, ...args], { cwd: root, stdio: 'inherit', env: process.env });
}

// The .env file first (the processes would read it too; the environment wins), so that what it sets counts below.
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));

// A role named on the command line runs alone; otherwise --all-in-one or ROLES runs the roles in one process.
const named = process.argv[2]?.startsWith('--') ? undefined : process.argv[2];
const mode = named ?? (process.argv.includes('--all-in-one') || process.env.ROLES ? 'all-in-one' : 'all');
const ROLES = ['api', 'worker', 'web'];
const apps = mode === 'all-in-one' ? rolesOf(process.env.ROLES) : { all: ROLES, api: ['api'], worker: ['worker'], web: ['web'], migrate: [] }[mode];
if (!apps) {
  console.error(`unknown mode ${mode}: use all, api, worker, web, all-in-one or migrate`);
  process.exit(64);
}
// What runs: each role its own process, or (all-in-one) the roles together in one process, named on its command line.
const processes = mode === 'all-in-one' ? [{ app: 'all-in-one', args: apps }] : apps.map((app) => ({ app, args: [] }));

/** ROLES's comma-separated roles (all three when unset); an unknown one stops the start. */
function rolesOf(value) {
  const roles = (value ?? ROLES.join(','))
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  const unknown = roles.filter((role) => !ROLES.includes(role));
  if (unknown.length || !roles.length) {
    console.error(`ROLES=${value}: name one or more of api, web and worker, separated by commas`);
    process.exit(64);
  }
  return roles;
}
// A local run on a fresh machine: development, said so. The services themselves treat an unset
// NODE_ENV as production (no default admin password, no published secret).
if (!process.env.NODE_ENV) {
  process.env.NODE_ENV = 'development';
  if (mode !== 'migrate')
    console.log('[start] NODE_ENV is unset: running as development (the default admin password works, and must be changed at first sign-in). Set NODE_ENV=production for a real service.');
}
// Never the published development secret: one random secret for this run, the same for every
// process it starts (the API signs tokens with it, the worker unsubscribe links the web app checks).
if (!process.env.JWT_SECRET && mode !== 'migrate') {
  process.env.JWT_SECRET = randomBytes(32).toString('base64url');
  console.log(`[start] JWT_SECRET is unset: a random one for this run's ${apps.join(', ')} (sign-ins and emailed unsubscribe links end when it stops; set JWT_SECRET to keep them)`);
}
buildIfNeeded('api');
for (const { app } of processes) buildIfNeeded(app);
// The benches migrate and build the apps they start: --build-worker, --build-web, --build-all-in-one.
for (const app of ['worker', 'web', 'all-in-one']) if (mode === 'migrate' && process.argv.includes(`--build-${app}`)) buildIfNeeded(app);

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Migrations run as the tables' owner and the apps as a role that owns nothing (docs/security.md).
 * With MIGRATION_DATABASE_URL unset outside production, and a DATABASE_URL with no password (a
 * developer's trust authentication), DATABASE_URL's role migrates and the apps connect as
 * `cocommission_app`, which the migration creates, when that role may create roles.
 */
async function splitRoles() {
  if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
  const { env } = process;
  if (env.MIGRATION_DATABASE_URL || env.NODE_ENV === 'production') return;
  const url = new URL(env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/cocommission');
  if (url.password || url.username === 'cocommission_app') return;
  const { Client } = require('pg');
  const owner = new URL(url);
  owner.pathname = '/postgres';
  const client = new Client({ connectionString: owner.toString() });
  let may = false;
  try {
    await client.connect();
    const { rows } = await client.query(
      `SELECT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cocommission_app') AS may`,
    );
    may = rows[0].may;
  } catch {
    return; // The migration says what is wrong with the connection.
  } finally {
    await client.end().catch(() => undefined);
  }
  if (!may) {
    console.log(`[start] database: the apps connect as ${url.username}, the tables' owner (it may not create roles); see docs/security.md`);
    return;
  }
  env.MIGRATION_DATABASE_URL = url.toString();
  url.username = 'cocommission_app';
  env.DATABASE_URL = url.toString();
  console.log(`[start] database: migrations as ${new URL(env.MIGRATION_DATABASE_URL).username}, the apps as cocommission_app (owns nothing)`);
}

async function main() {
  await splitRoles();
  const migration = spawnSync(process.execPath, [...NODE_FLAGS, entry('api', 'migrate')], { cwd: root, stdio: 'inherit', env: process.env });
  if (migration.status !== 0) process.exit(migration.status ?? 1);
  if (mode === 'migrate') process.exit(0);
  runApps();
}

function runApps() {
  if (apps.includes('worker')) {
    // Where notification emails go (the worker sends them).
    const smtp = process.env.SMTP_URL;
    console.log(
      smtp
        ? `[start] email: through ${new URL(smtp).protocol}//${new URL(smtp).host}, from ${process.env.MAIL_FROM ?? 'Cocommission <no-reply@cocommission.local>'}`
        : '[start] email: off (SMTP_URL is unset); notifications stay in the app',
    );
  }
  if (mode === 'all-in-one') console.log(`[start] one process: ${apps.join(', ')}`);
  const children = processes.map(({ app, args }) => ({ app, child: run(app, entry(app, 'main'), args) }));
  let stopping = false;
  function stop(signal) {
    if (stopping) return;
    stopping = true;
    for (const { child } of children) if (child.exitCode === null) child.kill(signal);
  }
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => stop(signal));
  let remaining = children.length;
  let exitCode = 0;
  for (const { app, child } of children) {
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[start] ${app} stopped (${signal ?? code}); stopping the rest`);
        exitCode = code || 1;
        stop('SIGTERM');
      }
      if (--remaining === 0) process.exit(exitCode);
    });
  }
}
