#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed, for the web app's browser tests (playwright-core
# drives it; no browser is downloaded). Used by .ci/run; safe to run any time.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "browser: $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null || echo chromium)"
  exit 0
fi
echo "browser: installing Debian's chromium"
if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
echo "browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)"
