#!/usr/bin/env bash
# Starts Fife on this machine (see `npx fife up --help`): installs npm packages when missing, then
# hands over to `fife up`, which makes RabbitMQ available (apt-get install on first use).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "start: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node apps/cli/bin/fife.mjs up "$@"
