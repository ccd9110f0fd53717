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

# The compose file is validated with Debian's docker-compose (no Docker engine needed).
if ! command -v docker-compose >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "test: installing docker-compose with apt-get (once)"
  mkdir -p .fife
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >.fife/apt-docker-compose.log 2>&1 \
    || echo "test: apt-get install docker-compose failed, see .fife/apt-docker-compose.log"
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
