#!/usr/bin/env bash
# Run by `npm test` before the suite: makes sure of what the tests need, as `npm start` does.
# - PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, or it stops with the command that starts them.
# - Debian's Chromium is installed for the browser tests: installed when missing and this user can
#   (root, or sudo without a password); otherwise one line with the exact command, and the
#   browser tests then fail (they never skip).
# - Debian's haproxy and redis-sentinel are installed, the same way (scripts/haproxy.sh), for the
#   test of the topology's HAProxy configuration (test/haproxy-config.spec.ts), which fails without them.
set -euo pipefail
cd "$(dirname "$0")/.."

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
missing=()
answers 5432 || missing+=("PostgreSQL on 127.0.0.1:5432")
answers 6379 || missing+=("Redis on 127.0.0.1:6379")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'test: nothing answers as %s. Start (or install) them with: bash scripts/services.sh\n' "$(IFS=,; echo "${missing[*]}" | sed 's/,/ and /g')" >&2
  exit 1
fi

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    echo "test: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable: the browser tests will fail." >&2
  elif [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
    bash scripts/browser.sh
  else
    echo "test: no Chromium at /usr/bin/chromium, so the browser tests will fail. Install it with: sudo apt-get install -y chromium" >&2
  fi
fi

if ! command -v haproxy >/dev/null || ! command -v redis-sentinel >/dev/null; then
  if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
    bash scripts/haproxy.sh
  else
    echo "test: haproxy or redis-sentinel is missing, so the HAProxy configuration test will fail. Install them with: sudo apt-get install -y haproxy redis-sentinel" >&2
  fi
fi
