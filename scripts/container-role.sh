#!/bin/sh
# The container image's entrypoint (Dockerfile): one image, its role chosen by its command.
#   api | web | worker   run that process (the built dist, with the Node flags of scripts/node-flags.json)
#   all-in-one           the three in one process (the smallest installs: docs/operations.md)
#   migrate              apply pending migrations and exit (run it before starting new code: docs/operations.md)
# Unlike scripts/start.js it builds nothing and creates no role: the image holds the built code,
# and production names its own DATABASE_URL and MIGRATION_DATABASE_URL (docs/security.md).
set -eu
role="${1:-}"
case "$role" in
  api | web | worker | all-in-one) file="dist/apps/$role/apps/$role/src/main.js" ;;
  migrate) file="dist/apps/api/apps/api/src/migrate.js" ;;
  *)
    echo "usage: api | web | worker | all-in-one | migrate (not \"$role\")" >&2
    exit 64
    ;;
esac
# The all-in-one process runs the roles ROLES names (api,web,worker when unset).
roles=""
if [ "$role" = all-in-one ]; then roles="${ROLES:-}"; fi
flags=$(node -p "const { flags, byApp } = require('./scripts/node-flags.json'); [...flags, ...(byApp['$role'] ?? [])].join(' ')")
# exec: node becomes the container's process and receives its SIGTERM (the processes drain on it).
# shellcheck disable=SC2086
exec node $flags "$file" $roles
