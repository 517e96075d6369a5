#!/usr/bin/env bash
# Smoke test: start the service as a newcomer would (build, create database, migrate, run API,
# worker and web app) on a database and queue prefix of its own, with a mail sink of its own as its
# SMTP relay (scripts/smtp-sink.js), run `npm run demo` against it (which invites a resident by email)
# and `npm run demo:reorganisation` (a succession carried out by the worker),
# then stop it with SIGTERM and check it drains and exits. Cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."

run="smoke_$(date +%s)_$$"
export PORT="${SMOKE_PORT:-3917}"
export WEB_PORT="${SMOKE_WEB_PORT:-3918}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/cocommission_${run}"
export QUEUE_PREFIX="cocommission_${run}"
export LOG_LEVEL=warn
log="$(mktemp)"
mail_log="$(mktemp)"

cleanup() {
  [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null || true
  [ -n "${sink_pid:-}" ] && kill -TERM "$sink_pid" 2>/dev/null || true
  rm -f "$mail_log" "${mail_log}.ready"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"cocommission_${run}\" WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 --scan --pattern "${QUEUE_PREFIX}:*" | xargs -r redis-cli -h 127.0.0.1 unlink >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The relay: every email the API and the worker send is accepted and logged, one line each.
node scripts/smtp-sink.js "$mail_log" "${SMOKE_SMTP_PORT:-0}" >"${mail_log}.ready" &
sink_pid=$!
for _ in $(seq 1 40); do grep -q '^READY ' "${mail_log}.ready" 2>/dev/null && break; sleep 0.25; done
grep -q '^READY ' "${mail_log}.ready" || { echo "smoke: the mail sink did not start" >&2; exit 1; }
export SMTP_URL="smtp://127.0.0.1:$(sed -n 's/^READY //p' "${mail_log}.ready")"

node scripts/start.js >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 180); do
  curl -fs "http://127.0.0.1:${PORT}/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "smoke: the service stopped while starting" >&2; exit 1; }
  sleep 0.5
done
curl -fs "http://127.0.0.1:${PORT}/health" >/dev/null || { cat "$log"; echo "smoke: /health never answered" >&2; exit 1; }
curl -fs "http://127.0.0.1:${PORT}/docs" >/dev/null
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:${WEB_PORT}/sign-in" >/dev/null 2>&1 && break; sleep 0.5; done
sign_in="$(curl -fs "http://127.0.0.1:${WEB_PORT}/sign-in" || true)"
case "$sign_in" in
  *"Sign in to Cocommission"*) ;;
  *) cat "$log"; echo "smoke: the web app's sign-in page did not answer" >&2; exit 1 ;;
esac
curl -fs "http://127.0.0.1:${WEB_PORT}/styles/govuk-frontend.min.css" >/dev/null

node scripts/demo.js
grep -q '^leila\.resident+' "$mail_log" || { cat "$mail_log"; echo "smoke: the demo's invitation email never reached the relay" >&2; exit 1; }
# Local government reorganised under a partnership: the worker carries the succession out on its date.
node scripts/demo-reorganisation.js

kill -TERM "$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then echo "smoke: the service did not stop within 15 s of SIGTERM" >&2; exit 1; fi
wait "$pid" || true
pid=
echo "smoke: started, served the demo, and stopped on SIGTERM"
