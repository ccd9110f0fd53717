#!/usr/bin/env bash
# Runs every Fife test against real parts: installs what is missing (npm packages, rabbitmq-server),
# starts a private RabbitMQ node for the run, typechecks, then runs the suites. Extra arguments are
# folders or files to restrict the run to (e.g. `npm test -- packages/bus`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Tests get their own broker node (not the one `npm start` may be running), stopped at the end.
export FIFE_RABBITMQ_DIR="${FIFE_RABBITMQ_DIR:-$PWD/.fife/test-rabbitmq}"
broker="$(bash scripts/rabbitmq.sh start)"
export "$(grep '^AMQP_URL=' <<<"$broker")"
if grep -q '^BROKER_STARTED=1' <<<"$broker"; then trap 'bash scripts/rabbitmq.sh stop' EXIT; fi
echo "test: broker at ${AMQP_URL/:guest@/:***@}"

echo "test: typechecking"
npx --no-install tsc -p tsconfig.json

echo "test: running tests"
node scripts/run-tests.mjs "$@"
