#!/usr/bin/env bash
# Makes a real RabbitMQ available to Fife and its tests.
#   scripts/rabbitmq.sh start   -> prints AMQP_URL=... (reuses $AMQP_URL when it answers, else a running private
#                                  node, else starts one and also prints BROKER_STARTED=1)
#   scripts/rabbitmq.sh stop    -> stops the private node started from this checkout
#   scripts/rabbitmq.sh ctl ARGS-> rabbitmqctl against the private node (tests use it to drop connections)
# The private node listens on 127.0.0.1 only, on free ports, with its data under .fife/rabbitmq.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${FIFE_RABBITMQ_DIR:-$root/.fife/rabbitmq}"
state="$base/node.env"

log() { echo "rabbitmq: $*" >&2; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

amqp_answers() { # url -> 0 when something speaks AMQP there
  local hostport="${1#*@}"; hostport="${hostport#amqp://}"; hostport="${hostport%%/*}"
  local host="${hostport%%:*}" port="${hostport##*:}"
  [ "$host" = "$port" ] && port=5672
  node -e "
    const s=require('net').connect(+process.argv[2],process.argv[1]);
    s.setTimeout(2000,()=>process.exit(1));
    s.on('connect',()=>s.write(Buffer.from('AMQP\x00\x00\x09\x01','latin1')));
    s.on('data',d=>process.exit(d[0]===1?0:1));
    s.on('error',()=>process.exit(1));" "$host" "$port"
}

ensure_installed() {
  command -v rabbitmq-server >/dev/null 2>&1 && [ -x /usr/sbin/rabbitmq-server ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "rabbitmq-server is not installed and this is not root: install it (apt-get install rabbitmq-server) or set AMQP_URL"
    exit 1
  fi
  log "installing rabbitmq-server with apt-get (once)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server) >"$root/.fife/apt-rabbitmq.log" 2>&1 \
    || { log "apt-get failed, see .fife/apt-rabbitmq.log"; exit 1; }
  # Debian's package may start its own node on 5672; Fife runs a private one, so stop the packaged one.
  (service rabbitmq-server stop || true) >/dev/null 2>&1
}

node_env() { # exports the variables that address the private node
  # shellcheck disable=SC1090
  . "$state"
  export RABBITMQ_NODENAME RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" RABBITMQ_CONFIG_FILE="$base/rabbitmq"
  export RABBITMQ_PID_FILE="$base/$RABBITMQ_NODENAME.pid" RABBITMQ_USE_LONGNAME=false
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_CRASH_DUMP="$base/erl_crash.dump"
  mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  # Debian's wrappers drop root to the rabbitmq user, so that user must own the node's folder.
  if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then chown -R rabbitmq:rabbitmq "$base"; fi
  # Erlang distribution listens on every interface unless told otherwise.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

running() { [ -f "$state" ] && node_env && rabbitmqctl -q status >/dev/null 2>&1; }

start() {
  if [ -n "${AMQP_URL:-}" ] && amqp_answers "$AMQP_URL"; then
    echo "AMQP_URL=$AMQP_URL"; return 0
  fi
  mkdir -p "$base"
  if running; then
    echo "AMQP_URL=amqp://guest:guest@127.0.0.1:$RABBITMQ_NODE_PORT"; return 0
  fi
  ensure_installed
  local port dist
  port=$(free_port); dist=$(free_port)
  cat >"$state" <<ENV
RABBITMQ_NODENAME=fife$port@localhost
RABBITMQ_NODE_PORT=$port
RABBITMQ_DIST_PORT=$dist
ENV
  echo '[].' >"$base/enabled_plugins"
  # The guest user may only connect from loopback, which is all this node listens on.
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\n' "$port" >"$base/rabbitmq.conf"
  node_env
  log "starting a private node $RABBITMQ_NODENAME on 127.0.0.1:$port (data in ${base#$root/})"
  rabbitmq-server -detached >/dev/null 2>&1
  local tries=0
  until rabbitmqctl -q ping >/dev/null 2>&1 || [ $tries -ge 60 ]; do sleep 0.5; tries=$((tries + 1)); done
  if ! rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1; then
    log "the node did not start; last log lines:"; tail -n 20 "$base"/log/*.log >&2 || true; exit 1
  fi
  echo "AMQP_URL=amqp://guest:guest@127.0.0.1:$port"
  echo "BROKER_STARTED=1" # only the caller that started the node should stop it
}

stop() {
  [ -f "$state" ] || return 0
  node_env
  if ! rabbitmqctl -q stop >/dev/null 2>&1; then
    # A node still booting does not answer rabbitmqctl yet: stop it by its pid rather than orphan it.
    if [ -n "${RABBITMQ_PID_FILE:-}" ] && [ -s "$RABBITMQ_PID_FILE" ]; then kill "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null || true; fi
  fi
  rm -f "$state"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  ctl) shift; node_env; exec rabbitmqctl "$@" ;;
  *) echo "usage: $0 start|stop|ctl ARGS" >&2; exit 2 ;;
esac
