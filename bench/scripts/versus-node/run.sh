#!/usr/bin/env bash
# run.sh LABEL TARGET SCENARIO [extra bench args...]
#
#   TARGET    node            the Node `ws` reference ($NODE_DIR/server-bench.mjs) on 127.0.0.1:18080
#             PATH.jar        one of our server jars on 127.0.0.1:18081
#   SCENARIO  chat            default --rooms 1000 --users 10 --rate 5000 --duration 20
#             broadcast       default --connections 10000 --rate 20 --duration 20
#             idle            default --connections 19500 --subscriptions 2 --duration 30
#   extra args are appended after the defaults; the tool keeps the last value of an option, so
#   they override (e.g. --rate 10000) or add (e.g. --threads 1).
#
# Starts the target alone, waits for GET /health, optionally warms it up (WARMUP=seconds: the same
# scenario and shape with --duration WARMUP, report discarded), then runs the tool with
# --server-pid, --bind 127.0.0.2 and --json-out and appends "LABEL <json>" to $RESULTS.
# The server is always stopped at the end (trap). Exit code: the tool's (0 ok, 1 not ok, 2 usage).
#
# Env:
#   JOPTS        JVM options for our server (default -Xms640m -Xmx640m)
#   SERVER_ENV   extra VAR=VALUE words for our server's environment (e.g. "REDIS_URL=redis://127.0.0.1:6379")
#   WARMUP       warm-up seconds (default 0 = none); WARMUP_ARGS extra args for the warm-up run only
#   SETTLE       seconds to wait after the warm-up (default 3)
#   BENCH_JOPTS  JVM options for the tool (default -Xmx1g)
#   RESULTS      result file (default $BENCH_OUT/results.txt; BENCH_OUT defaults to /tmp/sobranie-bench)
#   JWT_SECRET   shared by tool and server (default bench-secret-0123456789-abcdefghijklmnop)
#   NICE         when set (e.g. 10), server and tool run under `nice -n $NICE`
#   JAVA         java binary for server and tool (default java, i.e. JDK 17)
#   LOCK_WAIT    seconds to wait for another run.sh to finish (default 3600; runs never overlap)
#   (internal) PROF_JFR, PROF_JVM_OPTS, PROF_AFTER_CONNECT, PROF_JFR_OPTS: see prof.sh
set -euo pipefail

usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 3 ] || usage
LABEL=$1; TARGET=$2; SCENARIO=$3; shift 3
case "$LABEL" in *[[:space:]]*|'') echo "LABEL must be one word" >&2; exit 2;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DIR=${BENCH_OUT:-/tmp/sobranie-bench}   # results, logs, recordings
mkdir -p "$DIR"
BENCH_JAR=${BENCH_JAR:-$REPO/bench/target/realtime-bench.jar}
RESULTS=${RESULTS:-$DIR/results.txt}
JAVA=${JAVA:-java}
SERVER_JAVA=${SERVER_JAVA:-$JAVA}
JOPTS=${JOPTS:--Xms640m -Xmx640m}
BENCH_JOPTS=${BENCH_JOPTS:--Xmx1g}
WARMUP=${WARMUP:-0}
SETTLE=${SETTLE:-3}
LOGCFG=${LOGCFG:-$REPO/bench/scripts/server-logging.properties}
NODE_DIR=${NODE_DIR:-$DIR/node-ws}
export JWT_SECRET=${JWT_SECRET:-bench-secret-0123456789-abcdefghijklmnop}
NICE_CMD=()
[ -n "${NICE:-}" ] && NICE_CMD=(nice -n "$NICE")

case "$SCENARIO" in
  chat)      DEFAULTS=(--rooms 1000 --users 10 --rate 5000 --duration 20) ;;
  broadcast) DEFAULTS=(--connections 10000 --rate 20 --duration 20) ;;
  idle)      DEFAULTS=(--connections 19500 --subscriptions 2 --duration 30) ;;
  *) echo "SCENARIO must be chat, broadcast or idle" >&2; exit 2 ;;
esac

if [ "$TARGET" = node ]; then
  PORT=18080
  [ -d "$NODE_DIR/node_modules/ws" ] || { echo "$NODE_DIR has no node_modules: cp -r <the shared peers folder>/node-ws $NODE_DIR && (cd $NODE_DIR && npm ci)" >&2; exit 2; }
  # server.mjs + POST /realtime/publish (the broadcast publisher's route); regenerated when server.mjs changes
  if [ ! -f "$NODE_DIR/server-bench.mjs" ] || [ "$NODE_DIR/server.mjs" -nt "$NODE_DIR/server-bench.mjs" ]; then
    python3 "$HERE/make-node-bench.py" "$NODE_DIR/server.mjs" "$NODE_DIR/server-bench.mjs" >&2
  fi
elif [ -f "$TARGET" ]; then
  PORT=18081
  TARGET=$(readlink -f "$TARGET")
else
  echo "TARGET must be 'node' or a server jar: $TARGET" >&2; exit 2
fi

# One run at a time on this machine (runs share the two cores and the ports): wait for the lock.
exec 9>"$DIR/.run.lock"
if ! flock -n 9; then
  echo "[$LABEL] another run.sh/prof.sh is running (lock $DIR/.run.lock); waiting up to ${LOCK_WAIT:-3600} s" >&2
  flock -w "${LOCK_WAIT:-3600}" 9 || { echo "[$LABEL] gave up waiting for the lock" >&2; exit 2; }
fi

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$DIR/logs"
BASE="$DIR/logs/$LABEL-$SCENARIO-$STAMP"
SERVER_LOG="$BASE.server.log"
TOOL_LOG="$BASE.tool.log"
JSON_OUT="$BASE.json"

if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/health"; then
  echo "something already answers on 127.0.0.1:$PORT; stop it first" >&2; exit 2
fi

SERVER_PID=
TOOL_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "${WATCHER_PID:-}" ] && kill -0 "$WATCHER_PID" 2>/dev/null; then kill "$WATCHER_PID" 2>/dev/null || true; fi
  if [ -n "$TOOL_PID" ] && kill -0 "$TOOL_PID" 2>/dev/null; then kill "$TOOL_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- start the target -------------------------------------------------------------------------
if [ "$PORT" = 18080 ]; then
  # SIGQUIT handled as a no-op (preload): with --server-pid the tool's idle scenario runs
  # `jcmd PID GC.run`, and jcmd's attach sends SIGQUIT, which kills node (default action; node resets
  # inherited ignores, so `trap '' QUIT` is not enough). Handled, jcmd just fails after ~10 s
  # (heap figures -1, RSS still read). chat/broadcast only read /proc/PID/stat.
  echo "process.on('SIGQUIT', () => {}); // jcmd's attach probe (SIGQUIT) must not kill the peer" > "$NODE_DIR/bench-preload.mjs"
  ( cd "$NODE_DIR" && exec env JWT_SECRET="$JWT_SECRET" HTTP_HOST=127.0.0.1 HTTP_PORT=18080 AUDIT_LOG=0 \
      "${NICE_CMD[@]}" node --import ./bench-preload.mjs server-bench.mjs ) > "$SERVER_LOG" 2>&1 9>&- &
  SERVER_PID=$!
  WHAT="node $(node --version) $NODE_DIR/server-bench.mjs"
else
  # shellcheck disable=SC2086
  ( exec env HTTP_HOST=127.0.0.1 HTTP_PORT=18081 MAX_CONNECTIONS=20000 MESSAGES_PER_MINUTE=100000 \
      JWT_SECRET="$JWT_SECRET" ${SERVER_ENV:-} \
      "${NICE_CMD[@]}" "$SERVER_JAVA" $JOPTS ${PROF_JVM_OPTS:-} -Djava.util.logging.config.file="$LOGCFG" -jar "$TARGET" ) \
      > "$SERVER_LOG" 2>&1 9>&- &
  SERVER_PID=$!
  WHAT="$TARGET ($JOPTS)"
fi
echo "[$LABEL] started $WHAT, pid $SERVER_PID, log $SERVER_LOG" >&2
sleep 0.3
case "$(ps -o comm= -p "$SERVER_PID" 2>/dev/null)" in
  node|java|'') ;;   # '' = already exited: reported below
  *) echo "[$LABEL] pid $SERVER_PID is $(ps -o comm= -p "$SERVER_PID"), not the server: --server-pid would be wrong" >&2; exit 1 ;;
esac

for i in $(seq 1 300); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "[$LABEL] the server exited during start:" >&2; tail -20 "$SERVER_LOG" >&2; exit 1
  fi
  if curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/health"; then break; fi
  [ "$i" = 300 ] && { echo "[$LABEL] no /health answer within 60 s" >&2; exit 1; }
  sleep 0.2
done
echo "[$LABEL] /health answers after ~$((i / 5)) s" >&2

URL=ws://127.0.0.1:$PORT
COMMON=(--url "$URL" --bind 127.0.0.2)

proc_ticks() {  # proc_ticks PID: "STATE UTIME+STIME" in clock ticks, nothing if gone
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  st=${st##*) }
  # shellcheck disable=SC2086
  set -- $st
  echo "$1 $(( ${12} + ${13} ))"
}
machine_busy() {  # busy clock ticks of the whole machine (user nice system irq softirq steal)
  local _c u n s _i _w irq sirq st _rest
  read -r _c u n s _i _w irq sirq st _rest < /proc/stat
  echo $(( u + n + s + irq + sirq + st ))
}
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
TOOL_TICKS=0

run_tool() {  # run_tool LOGFILE ARGS...: the tool in the background (so the trap can stop it), waited for;
              # its CPU ticks (sampled every 0.2 s, so a tail of up to 0.2 s is missed) in TOOL_TICKS
  local log=$1; shift
  # shellcheck disable=SC2086
  "${NICE_CMD[@]}" "$JAVA" $BENCH_JOPTS -jar "$BENCH_JAR" "$@" > "$log" 2>&1 9>&- &
  TOOL_PID=$!
  TOOL_TICKS=0
  local rc=0 sample
  while sample=$(proc_ticks "$TOOL_PID") && [ -n "$sample" ] && [ "${sample%% *}" != Z ]; do
    TOOL_TICKS=${sample#* }
    sleep 0.2
  done
  wait "$TOOL_PID" || rc=$?
  TOOL_PID=
  return "$rc"
}

# ---- warm-up ----------------------------------------------------------------------------------
if [ "$WARMUP" != 0 ]; then
  echo "[$LABEL] warm-up: $SCENARIO ${DEFAULTS[*]} $* --duration $WARMUP ${WARMUP_ARGS:-}" >&2
  # shellcheck disable=SC2086
  run_tool "$BASE.warmup.log" "$SCENARIO" "${COMMON[@]}" "${DEFAULTS[@]}" "$@" --duration "$WARMUP" ${WARMUP_ARGS:-} \
    || echo "[$LABEL] warm-up exit code $? (ignored; see $BASE.warmup.log)" >&2
  sleep "$SETTLE"
fi

# ---- profiling hook (prof.sh) ----------------------------------------------------------------
# The recording starts now, after the warm-up and before the measured run's tool starts (JFR's own
# start-up cost stays out of the run). Once the run's clients are connected (the server holds that
# many more file descriptors than now), a watcher rotates the recording's chunk (a JFR.dump of
# everything so far into $BASE.connect.jfr) and notes the time; at the end only the chunks from
# that time on are dumped into $PROF_JFR: the profile shows the load, not the handshakes.
# PROF_AFTER_CONNECT=0: keep everything from the start instead.
WATCHER_PID=
if [ -n "${PROF_JFR:-}" ]; then
  last_opt() {  # last_opt NAME DEFAULT ARGS...: the value the tool will use for --NAME
    local name=$1 val=$2; shift 2
    while [ $# -gt 0 ]; do [ "$1" = "--$name" ] && [ $# -ge 2 ] && val=$2; shift; done
    echo "$val"
  }
  if [ "$SCENARIO" = chat ]; then
    WANT=$(( $(last_opt rooms 10 "${DEFAULTS[@]}" "$@") * $(last_opt users 10 "${DEFAULTS[@]}" "$@") ))
  else
    WANT=$(last_opt connections 100 "${DEFAULTS[@]}" "$@")
  fi
  WANT=$(( WANT * 99 / 100 ))
  FDS0=$(ls "/proc/$SERVER_PID/fd" | wc -l)
  JFR_BEGIN_FILE=$BASE.jfr-begin
  rm -f "$JFR_BEGIN_FILE"
  # shellcheck disable=SC2086
  jcmd "$SERVER_PID" JFR.start name=bench settings=profile ${PROF_JFR_OPTS:-} > "$BASE.jfr.log" 2>&1 \
    || { echo "[$LABEL] JFR.start failed:" >&2; cat "$BASE.jfr.log" >&2; exit 1; }
  if [ "${PROF_AFTER_CONNECT:-1}" != 0 ]; then
    (
      for _ in $(seq 1 2400); do   # at most 20 minutes
        [ $(( $(ls "/proc/$SERVER_PID/fd" 2>/dev/null | wc -l) - FDS0 )) -ge "$WANT" ] && break
        sleep 0.5
      done
      jcmd "$SERVER_PID" JFR.dump name=bench filename="$BASE.connect.jfr" >> "$BASE.jfr.log" 2>&1
      sleep 0.1
      date -u +%Y-%m-%dT%H:%M:%S.%3NZ > "$JFR_BEGIN_FILE"
      echo "[$LABEL] clients connected (server holds >= $WANT more fds): profile from $(cat "$JFR_BEGIN_FILE")" >&2
    ) &
    WATCHER_PID=$!
  fi
fi

# ---- the measured run ------------------------------------------------------------------------
echo "[$LABEL] run: $SCENARIO ${COMMON[*]} ${DEFAULTS[*]} $* --server-pid $SERVER_PID" >&2
rc=0
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
T0=$(date +%s.%N); M0=$(machine_busy); S0=$(proc_ticks "$SERVER_PID"); S0=${S0#* }
run_tool "$TOOL_LOG" "$SCENARIO" "${COMMON[@]}" "${DEFAULTS[@]}" "$@" --server-pid "$SERVER_PID" --json-out "$JSON_OUT" || rc=$?
T1=$(date +%s.%N); M1=$(machine_busy); S1=$(proc_ticks "$SERVER_PID"); S1=${S1#* }
# Who used the CPU over the whole tool process (connect + load + drain): machine, server, tool, and
# the rest ("other": anything else on the machine, e.g. a build; > ~0.1 means the figures are disturbed).
HARNESS=$(python3 - "$T0" "$T1" "$M0" "$M1" "${S0:-0}" "${S1:-0}" "$TOOL_TICKS" "$HZ" "$LOAD_BEFORE" \
    "$TARGET" "$( [ "$PORT" = 18081 ] && echo "$JOPTS" )" "$WARMUP" <<'PY'
import json, sys
t0, t1, m0, m1, s0, s1, tool, hz = map(float, sys.argv[1:9])
wall = max(t1 - t0, 1e-9)
machine = (m1 - m0) / hz / wall
server = (s1 - s0) / hz / wall
toolc = tool / hz / wall
print(json.dumps({"target": sys.argv[10], "jvmOpts": sys.argv[11], "warmupSeconds": float(sys.argv[12]),
                  "loadavg1Before": float(sys.argv[9]), "windowSeconds": round(wall, 2),
                  "machineBusyCores": round(machine, 2), "serverCores": round(server, 2),
                  "toolCores": round(toolc, 2), "otherCores": round(max(0.0, machine - server - toolc), 2)}))
PY
)

if [ -n "${PROF_JFR:-}" ]; then
  if [ -n "$WATCHER_PID" ] && kill -0 "$WATCHER_PID" 2>/dev/null; then
    echo "[$LABEL] the clients never all connected (or the watcher was slow): profile of the whole run" >&2
    kill "$WATCHER_PID" 2>/dev/null || true
    rm -f "$JFR_BEGIN_FILE"
  fi
  WATCHER_PID=
  if [ -s "${JFR_BEGIN_FILE:-/nonexistent}" ]; then
    jcmd "$SERVER_PID" JFR.dump name=bench begin="$(cat "$JFR_BEGIN_FILE")" filename="$PROF_JFR" >> "$BASE.jfr.log" 2>&1
  else
    jcmd "$SERVER_PID" JFR.dump name=bench filename="$PROF_JFR" >> "$BASE.jfr.log" 2>&1
  fi || echo "[$LABEL] JFR.dump failed, see $BASE.jfr.log" >&2
  jcmd "$SERVER_PID" JFR.stop name=bench >> "$BASE.jfr.log" 2>&1 || true
fi

if [ -s "$JSON_OUT" ]; then
  # The tool's JSON line, plus one key "harness" (target, JVM options, CPU by whom over the run).
  LINE=$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); r["harness"]=json.loads(sys.argv[2]); print(json.dumps(r, separators=(",", ":")))' \
    "$JSON_OUT" "$HARNESS") || LINE=$(head -1 "$JSON_OUT")
  printf '%s %s\n' "$LABEL" "$LINE" >> "$RESULTS"
  echo "[$LABEL] CPU over the run: $HARNESS" >&2
  echo "[$LABEL] exit $rc; appended to $RESULTS (tool log $TOOL_LOG)" >&2
else
  echo "[$LABEL] exit $rc and no JSON report; see $TOOL_LOG" >&2
  tail -20 "$TOOL_LOG" >&2
  [ "$rc" = 0 ] && rc=1
fi
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "[$LABEL] WARNING: the server died during the run; see $SERVER_LOG" >&2
fi
exit "$rc"
