#!/usr/bin/env bash
# Makes sure Debian's haproxy and redis-sentinel are installed, for `npm run topology`, the fault
# suite's topology cases and the test of the generated haproxy.cfg. Installed when missing and this
# user can (root, or sudo without a password); otherwise one line with the exact command, and exit 1.
# Used by scripts/test-ready.sh and .ci/run; safe to run any time.
set -euo pipefail

missing=()
command -v haproxy >/dev/null || missing+=(haproxy)
command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
if [ ${#missing[@]} -eq 0 ]; then
  echo "topology: $(haproxy -v | head -n 1), $(redis-sentinel --version | cut -d' ' -f1-3)"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root() { sudo -n "$@"; }
else
  echo "topology: ${missing[*]} missing. Install with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "topology: installing Debian's ${missing[*]}"
# The packages' own services are not wanted (the topology starts its own on ports of its own);
# where no policy-rc.d stops them, they are stopped once installed.
if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for service in haproxy redis-sentinel; do
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then as_root systemctl disable --now "$service" >/dev/null 2>&1 || true; fi
done
echo "topology: $(haproxy -v | head -n 1), $(redis-sentinel --version | cut -d' ' -f1-3)"
