#!/usr/bin/env bash
# The demo (see `npx fife up --help`): installs npm packages when missing, then hands over to
# `fife up --sim`, which makes RabbitMQ available (apt-get install on first use), starts every app, a
# simulated FreeSWITCH and a sample account, runs the sample calls and stays up. Arguments pass on
# (`npm start -- --check`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "start: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node apps/cli/bin/fife.mjs up --sim "$@"
