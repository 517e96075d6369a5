#!/usr/bin/env node
/*
 * The container image's HEALTHCHECK (Dockerfile): finds which role this container runs from the
 * processes' command lines, then asks that role its liveness, GET /health/live: the API, the web
 * app, and the worker on WORKER_METRICS_PORT, or all three for the all-in-one process (readiness
 * is the load balancer's question, not the container's: a draining process is alive). Exit 0
 * healthy, 1 not.
 */
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const http = require('node:http');

function role() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // it ended meanwhile
    }
    const found = /dist\/apps\/(api|web|worker|all-in-one)\/apps\/\1\/src\/(main|migrate)\.js/.exec(command);
    if (found) return found[2] === 'migrate' ? 'migrate' : found[1];
  }
  return null;
}

const targets = {
  api: { port: process.env.PORT || 3000, path: '/health/live' },
  web: { port: process.env.WEB_PORT || 3001, path: '/health/live' },
  worker: { port: process.env.WORKER_METRICS_PORT || 3002, path: '/health/live' },
};

/** Whether a target answers its liveness with 200. */
function alive(target) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port: target.port, path: target.path, timeout: 4000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

const running = role();
if (!running) process.exit(1);
// The all-in-one process is alive when each role it runs is (ROLES, all three when unset).
const roles = running === 'all-in-one' ? (process.env.ROLES || 'api,web,worker').split(',').map((name) => name.trim()) : [running];
const checked = roles.map((name) => targets[name]).filter(Boolean);
Promise.all(checked.map(alive)).then((answers) => process.exit(answers.every(Boolean) ? 0 : 1));
