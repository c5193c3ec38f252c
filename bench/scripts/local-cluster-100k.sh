#!/usr/bin/env bash
# A cross-node broadcast over a local Hazelcast cluster: Redis, one service node
# (ROLES=chat,presence,notification), G gateway-only nodes, and T load-tool processes that
# together hold COUNT WebSocket connections spread over every gateway. Each tool publishes on its
# own channel through one gateway (a different one per tool) and every subscriber on the other
# gateways receives it across the event bus. Everything started here is stopped on exit.
#
# usage: bench/scripts/local-cluster-100k.sh [COUNT]          (default 100000)
# env:   GATEWAYS (default: COUNT/18000 rounded up; ulimit -n 20000 caps a process near 19.9k sockets)
#        TOOLS (default: COUNT/16000 rounded up), RATE (msg/s per tool channel, default 1),
#        DURATION (s, default 30), BASE_PORT (default 18100), GATEWAY_XMX (default 768m),
#        TOOL_XMX (default 768m), REDIS_PORT (a private Redis on that port instead of 6379),
#        GATEWAY_JOPTS (default: -XX:+UseSerialGC -XX:ActiveProcessorCount=1: on two cores shared
#        by ~14 JVMs, one gateway shard and one GC thread each; empty for the JVM's defaults)
# Build first: mvn -B -q install -DskipTests
set -euo pipefail

COUNT=${1:-100000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERVER_JAR=$ROOT/server/target/realtime-server.jar
BENCH_JAR=$ROOT/bench/target/realtime-bench.jar
GATEWAYS=${GATEWAYS:-$(( (COUNT + 17999) / 18000 ))}
TOOLS=${TOOLS:-$(( (COUNT + 15999) / 16000 ))}
RATE=${RATE:-1}
DURATION=${DURATION:-30}
BASE_PORT=${BASE_PORT:-18100}
GATEWAY_XMX=${GATEWAY_XMX:-768m}
GATEWAY_JOPTS=${GATEWAY_JOPTS--XX:+UseSerialGC -XX:ActiveProcessorCount=1}
TOOL_XMX=${TOOL_XMX:-768m}
RUN=bench$$
WORK=$(mktemp -d -t "local-cluster-$RUN.XXXX")
JVM_FLAGS=(-XX:+ExitOnOutOfMemoryError --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED -Djava.net.preferIPv4Stack=true
  "-Djava.util.logging.config.file=$ROOT/bench/scripts/server-logging.properties")

for jar in "$SERVER_JAR" "$BENCH_JAR"; do
  [[ -f $jar ]] || { echo "missing $jar: run mvn -B -q install -DskipTests" >&2; exit 2; }
done

PIDS=()
PRIVATE_REDIS=
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [[ -n $PRIVATE_REDIS ]]; then
    redis-cli -p "$PRIVATE_REDIS" shutdown nosave >/dev/null 2>&1 || true
  elif [[ -n ${REDIS_URL:-} ]]; then # the shared Redis: remove this run's keys
    redis-cli -p 6379 --scan --pattern "$RUN:*" | xargs -r -d '\n' -n 500 redis-cli -p 6379 del >/dev/null 2>&1 || true
  fi
  echo "stopped everything; logs were in $WORK" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Redis: the one on 6379 if it answers (keys under a private prefix), else a private one.
if [[ -z ${REDIS_PORT:-} ]] && redis-cli -p 6379 ping 2>/dev/null | grep -q PONG; then
  REDIS_URL=redis://127.0.0.1:6379
else
  REDIS_PORT=${REDIS_PORT:-6390}
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --logfile "$WORK/redis.log" --pidfile "$WORK/redis.pid" >/dev/null
  PRIVATE_REDIS=$REDIS_PORT
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  REDIS_URL=redis://127.0.0.1:$REDIS_PORT
fi

export JWT_SECRET="local-cluster-$RUN-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PER_GATEWAY=$(( (COUNT + GATEWAYS - 1) / GATEWAYS ))

# start_node NAME ROLES PORT: a cluster member in the background, its log in $WORK/NAME.log.
declare -A NODE_PID
start_node() {
  env CLUSTER=true CLUSTER_NAME="$RUN" CLUSTER_MEMBERS=127.0.0.1 CLUSTER_HOST=127.0.0.1 \
    REDIS_URL="$REDIS_URL" REDIS_PREFIX="$RUN:" NODE_ID="$1" ROLES="$2" HTTP_HOST=127.0.0.1 HTTP_PORT="$3" \
    MAX_CONNECTIONS=$(( PER_GATEWAY + 1000 )) MESSAGES_PER_MINUTE=100000 \
    java "-Xmx$GATEWAY_XMX" $GATEWAY_JOPTS "${JVM_FLAGS[@]}" -jar "$SERVER_JAR" > "$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  NODE_PID[$1]=$!
}

await_node() {
  for _ in $(seq 1 120); do
    grep -q "Sobranie Realtime listening" "$WORK/$1.log" && return 0
    grep -q "^error:" "$WORK/$1.log" && break
    sleep 0.5
  done
  echo "node $1 did not start:" >&2; cat "$WORK/$1.log" >&2; exit 1
}

echo "cluster $RUN: $GATEWAYS gateways x ~$PER_GATEWAY connections, $TOOLS tools, Redis $REDIS_URL" >&2
start_node services chat,presence,notification 0
await_node services
URLS=()
for g in $(seq 0 $(( GATEWAYS - 1 ))); do
  start_node "gateway-$g" gateway $(( BASE_PORT + g ))
  URLS+=("ws://127.0.0.1:$(( BASE_PORT + g ))")
done
for g in $(seq 0 $(( GATEWAYS - 1 ))); do await_node "gateway-$g"; done
echo "cluster up: ${URLS[*]}" >&2

# Tools: each its share, its own source address and channel; its gateway list rotated so that
# tool k publishes through gateway k mod G.
TOOL_PIDS=()
for t in $(seq 0 $(( TOOLS - 1 ))); do
  share=$(( COUNT / TOOLS + (t < COUNT % TOOLS ? 1 : 0) ))
  rotated=("${URLS[@]:$(( t % GATEWAYS ))}" "${URLS[@]:0:$(( t % GATEWAYS ))}")
  java "-Xmx$TOOL_XMX" -jar "$BENCH_JAR" broadcast --url "$(IFS=,; echo "${rotated[*]}")" \
    --connections "$share" --bind "127.0.0.$(( 2 + t ))" --rate "$RATE" --duration "$DURATION" \
    --user-prefix "t$t-" --channel "post:cluster-$RUN-$t" --concurrency 100 --connect-timeout 60 \
    --start-file "$WORK/go" --json-out "$WORK/tool-$t.json" > "$WORK/tool-$t.log" 2>&1 &
  TOOL_PIDS+=($!)
  PIDS+=($!)
done
# Every tool publishes only once all are connected: the broadcast is measured on the full
# cluster, not against other tools' connection storms. A tool that gives up ends the wait too.
for t in $(seq 0 $(( TOOLS - 1 ))); do
  until grep -q '^ready ' "$WORK/tool-$t.log" 2>/dev/null || ! kill -0 "${TOOL_PIDS[$t]}" 2>/dev/null; do sleep 1; done
done
# CPU of the nodes and Redis while the tools broadcast (the tools report their own): clock ticks
# from /proc, the machine's busy ticks from /proc/stat.
REDIS_PID=$(redis-cli -u "$REDIS_URL" info server | awk -F: '/^process_id/{print $2}' | tr -d '\r')
cpu_snapshot() {
  local name
  for name in "${!NODE_PID[@]}"; do echo "$name $(awk '{print $14 + $15}' "/proc/${NODE_PID[$name]}/stat" 2>/dev/null || echo 0)"; done
  echo "redis $(awk '{print $14 + $15}' "/proc/$REDIS_PID/stat" 2>/dev/null || echo 0)"
  awk '/^cpu /{print "machine", $2 + $3 + $4 + $7 + $8}' /proc/stat
  echo "clock $(date +%s.%N)"
}
echo "all tools connected: broadcasting" >&2
cpu_snapshot > "$WORK/cpu-start"
touch "$WORK/go"
failed=0
for pid in "${TOOL_PIDS[@]}"; do wait "$pid" || failed=1; done
cpu_snapshot > "$WORK/cpu-end"

for t in $(seq 0 $(( TOOLS - 1 ))); do
  if [[ -s $WORK/tool-$t.json ]]; then cat "$WORK/tool-$t.json"; else echo "tool $t wrote no report:" >&2; tail -20 "$WORK/tool-$t.log" >&2; failed=1; fi
done
if command -v python3 >/dev/null; then
  cat "$WORK"/tool-*.json | python3 -c '
import json, sys
rs = [json.loads(l) for l in sys.stdin if l.strip()]
exp = sum(r["accounting"]["expected"] for r in rs); got = sum(r["accounting"]["received"] for r in rs)
print("TOTAL tools=%d connections=%d ready=%d failed=%d dropped=%d expected=%d received=%d lost=%d worst p95=%.1f ms worst p99=%.1f ms max=%.1f ms" % (
  len(rs), sum(r["connections"] for r in rs), sum(r["subscribers"] for r in rs),
  sum(r["problems"]["failed"] for r in rs), sum(r["problems"]["dropped"] for r in rs), exp, got, sum(r["accounting"]["lost"] for r in rs),
  max(r["latencyMs"]["p95"] for r in rs), max(r["latencyMs"]["p99"] for r in rs), max(r["latencyMs"]["max"] for r in rs)))
' >&2
  python3 - "$WORK/cpu-start" "$WORK/cpu-end" "$(getconf CLK_TCK)" "$WORK"/tool-*.json <<'PY' >&2
import json, sys
def read(path):
    return {k: float(v) for k, v in (line.split() for line in open(path))}
start, end, tck = read(sys.argv[1]), read(sys.argv[2]), float(sys.argv[3])
seconds = end["clock"] - start["clock"]
cores = {k: (end[k] - start[k]) / tck / seconds for k in start if k != "clock"}
gateways = sorted(v for k, v in cores.items() if k.startswith("gateway-"))
tools = sum(json.loads(open(p).readline())["tool"]["cpuSeconds"] for p in sys.argv[4:]) / seconds
print("CPU over the broadcast (%.0f s), cores: machine %.2f, services node %.2f, gateways %.2f (each %s), Redis %.2f, tools %.2f"
      % (seconds, cores["machine"], cores["services"], sum(gateways), " ".join("%.2f" % g for g in gateways), cores["redis"], tools))
PY
fi
exit $failed
