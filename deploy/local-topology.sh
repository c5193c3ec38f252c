#!/usr/bin/env bash
# The docker-compose topology without Docker: Redis, two gateway nodes, one node running
# chat/presence/notification (one Hazelcast cluster on loopback) and nginx from Debian's
# package in front, using deploy/nginx.conf with only the addresses changed.
#
#   deploy/local-topology.sh start    # prints the nginx URL; state (logs, pids, conf) in $TOPOLOGY_DIR
#   deploy/local-topology.sh stop
#
# Settings (environment):
#   TOPOLOGY_DIR   where logs, pid files and the generated nginx.conf go (default: /tmp/sobranie-topology)
#   NGINX_PORT     the load balancer's port (default 8080)
#   GATEWAY_PORTS  the gateways' HTTP ports, comma separated (default 8081,8082); one gateway per port
#   JWT_SECRET     shared by every node (default: a random one, written to $TOPOLOGY_DIR/jwt-secret)
#   REDIS_URL      default redis://127.0.0.1:6379 (started with redis-server when it does not answer)
#   REDIS_PREFIX / CLUSTER_NAME   default: unique per start, so runs never share state
#   JAR            default server/target/realtime-server.jar; REALTIME_CP (a class path) instead
#                  runs io.sobranie.realtime.server.Main from it (the tests do)
#   JAVA_OPTS      per node (default -Xmx256m)
#   NODE_ENV       extra settings for every node, e.g. "HEARTBEAT_MS=5000 PRESENCE_GRACE_MS=500"
# Needs: java 17+, nginx (apt-get install nginx-light), redis-server and redis-cli.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${TOPOLOGY_DIR:-/tmp/sobranie-topology}"
nginx_port="${NGINX_PORT:-8080}"
IFS=, read -r -a gateway_ports <<< "${GATEWAY_PORTS:-8081,8082}"
# Hazelcast's own flags (the same as the Dockerfile's JAVA_MODULE_OPTS).
java_module_opts=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED -Djava.net.preferIPv4Stack=true)

stop() {
  if [ -f "$dir/nginx.pid" ]; then
    kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  fi
  for pid_file in "$dir"/node-*.pid; do
    [ -f "$pid_file" ] || continue
    kill "$(cat "$pid_file")" 2>/dev/null || true   # SIGTERM: the graceful shutdown
  done
  for pid_file in "$dir"/node-*.pid "$dir/nginx.pid"; do
    [ -f "$pid_file" ] || continue
    pid="$(cat "$pid_file")"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pid_file"
  done
  # This run's keys, when it used a prefix of its own (the default): a shared Redis keeps no leftovers.
  if [ -f "$dir/redis-prefix" ]; then
    local port prefix
    port="$(cat "$dir/redis-port")"
    prefix="$(cat "$dir/redis-prefix")"
    redis-cli -p "$port" --scan --pattern "$prefix*" | xargs -r -n 500 redis-cli -p "$port" del >/dev/null || true
    rm -f "$dir/redis-prefix" "$dir/redis-port"
  fi
}

wait_for() { # description, command...
  local what="$1"
  shift
  for _ in $(seq 1 600); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "timed out waiting for $what (logs in $dir)" >&2
  stop
  exit 1
}

listening() { # log file: the node printed its port
  grep -q "listening on port" "$1"
}

ready() { # port: /health answers 200
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health")" = 200 ]
}

start_node() { # name, roles, http port (0 for none)
  local name="$1" roles="$2" port="$3"
  local -a launch
  if [ -n "${REALTIME_CP:-}" ]; then
    launch=(-cp "$REALTIME_CP" io.sobranie.realtime.server.Main)
  else
    launch=(-jar "${JAR:-server/target/realtime-server.jar}")
  fi
  # shellcheck disable=SC2086 # JAVA_OPTS and NODE_ENV are lists of words on purpose
  env JWT_SECRET="$secret" NODE_ID="$name" ROLES="$roles" HTTP_HOST=127.0.0.1 HTTP_PORT="$port" \
    CLUSTER=true CLUSTER_NAME="$cluster_name" CLUSTER_HOST=127.0.0.1 CLUSTER_MEMBERS=127.0.0.1 TRUSTED_PROXIES=127.0.0.1 \
    REDIS_URL="$redis_url" REDIS_PREFIX="$redis_prefix" ${NODE_ENV:-} \
    java "${java_module_opts[@]}" -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:--Xmx256m} "${launch[@]}" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

start() {
  command -v nginx >/dev/null || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }
  mkdir -p "$dir/logs"
  stop # a previous run's leftovers
  secret="${JWT_SECRET:-$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')}"
  printf '%s\n' "$secret" >"$dir/jwt-secret"
  run_id="$(date +%s)-$$"
  cluster_name="${CLUSTER_NAME:-local-$run_id}"
  redis_prefix="${REDIS_PREFIX:-local-$run_id:}"
  redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
  local redis_port="${redis_url##*:}"
  redis_port="${redis_port%%/*}"
  if [ -z "${REDIS_PREFIX:-}" ]; then
    printf '%s' "$redis_prefix" >"$dir/redis-prefix"
    printf '%s' "$redis_port" >"$dir/redis-port"
  fi
  if ! redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG; then
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no
    wait_for "Redis on $redis_port" sh -c "redis-cli -p $redis_port ping | grep -q PONG"
  fi

  # The back node first: the gateways' chat/presence/notification requests need it.
  start_node node-back chat,presence,notification 0
  wait_for "node-back" listening "$dir/node-back.log"
  local servers="" i=1
  for port in "${gateway_ports[@]}"; do
    start_node "node-gw$i" gateway "$port"
    servers="$servers    server 127.0.0.1:$port max_fails=3 fail_timeout=10s;\n"
    i=$((i + 1))
  done
  for port in "${gateway_ports[@]}"; do
    wait_for "the gateway on $port" ready "$port"
  done

  # deploy/nginx.conf with loopback addresses, this directory for pid and logs, and the
  # process's descriptor limit (worker_rlimit_nofile may not exceed the hard limit here).
  sed -e "s#^\( *\)server realtime-[0-9]*:8080.*#__SERVERS__#" \
      -e "s#listen 8080;#listen 127.0.0.1:$nginx_port;#" \
      -e "s#/var/log/nginx/#$dir/logs/#g" \
      -e "s#^worker_rlimit_nofile .*#worker_rlimit_nofile $(ulimit -Hn);#" \
      -e "s#^worker_processes auto;#worker_processes 1;\npid $dir/nginx.pid;#" \
      deploy/nginx.conf | awk -v servers="$servers" '
        /__SERVERS__/ { if (!done) { printf "%s", servers; done = 1 } next } { print }' \
      | sed 's/\\n/\n/g' >"$dir/nginx.conf"
  nginx -t -q -p "$dir" -c "$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf"
  wait_for "nginx on $nginx_port" ready "$nginx_port"
  echo "nginx on http://127.0.0.1:$nginx_port -> gateways ${gateway_ports[*]}; JWT secret in $dir/jwt-secret; logs in $dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
