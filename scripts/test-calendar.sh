#!/usr/bin/env bash
# Runs the whole suite as if it were another moment, once per moment named (all four by default):
#   saturday     Saturday 12 December 2026, 10:00 (a weekend)
#   christmas    Friday 25 December 2026, 09:00 (a bank holiday)
#   clocks-back  Sunday 25 October 2026, 01:30 BST (the night the clocks go back: 01:30 happens twice)
#   year-end     Tuesday 31 March 2026, 23:59 BST (the financial year's last minute)
# Every process of the run reads the same moved clock (TEST_CLOCK_START → CLOCK_START); real delays
# (jobs, timeouts) keep their length. `.ci/run` runs one moment; run them all before a release.
# --skip-fuzz leaves out the two fuzz files (random input, nothing in them depends on the day).
# --skip-timeless leaves out those and the suites about what no date changes: limits and caps, headers,
# error shapes, the generated client, crash recovery, Redis down, and the suites about rendering,
# integrity and access that read no date (word diffs, webhooks' access, OCDS and open data, signed
# checkpoints, redaction, a partnership’s consent and decisions, browser walks, attachments, search, the all-in-one process); it also leaves out
# the unit tests, which never read the services' clock (their times are given). CI uses it to stay
# within its time. A new suite is in the calendar run unless it is named here.
TIMELESS='(fuzz|web-fuzz|typed-client|write-limits|read-limits|webhook-limits|caps|page-headers|web-security|errors|health-redis-down|worker-crash|oidc-web|web-word-diff|web-invitations|webhook-access|webhooks|open-data|signed-checkpoints|history-redaction|partnership-consent|partnership-decisions|partnership-governance-web|cycle-people|learning-download|web-guests-browser|web-long-cycle|operations|health-drain|attachments|search|all-in-one)\.e2e-spec\.ts$'
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A MOMENTS=(
  [saturday]='2026-12-12T10:00:00Z'
  [christmas]='2026-12-25T09:00:00Z'
  [clocks-back]='2026-10-25T01:30:00+01:00'
  [year-end]='2026-03-31T23:59:00+01:00'
)
names=()
jest_args=()
for arg in "$@"; do
  case "$arg" in
    --skip-fuzz) jest_args+=(--testPathIgnorePatterns 'fuzz\.e2e-spec\.ts$') ;;
    --skip-timeless) jest_args+=(--selectProjects medium e2e --testPathIgnorePatterns "/test/e2e/$TIMELESS") ;;
    *) names+=("$arg") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=(saturday christmas clocks-back year-end)
for name in "${names[@]}"; do
  [ -n "${MOMENTS[$name]:-}" ] || { echo "test:calendar: unknown moment $name (use: ${!MOMENTS[*]})" >&2; exit 64; }
done

bash scripts/test-ready.sh
for name in "${names[@]}"; do
  echo "test:calendar: the whole suite as if it were ${MOMENTS[$name]} ($name)"
  # In band (--runInBand) one process runs every suite: past about 100 suites it needs more than Node's default 4 GB heap.
  TEST_CLOCK_START="${MOMENTS[$name]}" node --max-old-space-size=12288 node_modules/jest/bin/jest.js -c config/jest.config.js "${jest_args[@]}"
done
