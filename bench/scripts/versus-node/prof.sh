#!/usr/bin/env bash
# prof.sh LABEL SERVER_JAR SCENARIO [extra bench args...]
#
# run.sh for one of our jars, with JDK Flight Recorder: the server starts with
# -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints (precise sampled frames), the recording
# (settings=profile) is started by `jcmd PID JFR.start` after the warm-up (WARMUP=seconds, as in
# run.sh) and before the measured run; $BENCH_OUT/LABEL.jfr holds only the part from the moment the
# run's clients are all connected to the end of the tool (chunk rotation + JFR.dump begin=; the
# connect phase goes to $BENCH_OUT/logs/...connect.jfr; PROF_AFTER_CONNECT=0 keeps everything). Then it writes the
# `jfr view` summaries hot-methods, allocation-by-class and gc-pauses (JDK 25's jfr) into
# $BENCH_OUT/LABEL.jfr.txt and prints them.
# PROF_JFR_OPTS: extra JFR.start event settings, e.g. 'jdk.ExecutionSample#period=2ms' (profile's
# default is 10 ms, i.e. few Java samples in a short run; JDK 17 samples only threads in Java code).
# The tool's report goes to $RESULTS, by default $BENCH_OUT/prof-results.txt (profiled runs carry
# JFR's overhead: keep them out of results.txt). Other env as in run.sh.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
LABEL=$1; JAR=$2
[ -f "$JAR" ] || { echo "prof.sh profiles our server jars only: $JAR is not a file" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DIR=${BENCH_OUT:-/tmp/sobranie-bench}   # results, logs, recordings
mkdir -p "$DIR"
JFR_BIN=${JFR_BIN:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr}
OUT=$DIR/$LABEL.jfr
TXT=$DIR/$LABEL.jfr.txt
rm -f "$OUT"

rc=0
PROF_JFR=$OUT PROF_JVM_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints" \
  RESULTS=${RESULTS:-$DIR/prof-results.txt} "$HERE/run.sh" "$@" || rc=$?

if [ ! -s "$OUT" ]; then
  echo "prof.sh: no recording at $OUT (run.sh exit $rc)" >&2
  exit $(( rc == 0 ? 1 : rc ))
fi
{
  echo "# $LABEL: $*  (run.sh exit $rc; recording $OUT)"
  for view in hot-methods allocation-by-class gc-pauses; do
    echo
    echo "## jfr view $view"
    "$JFR_BIN" view --width 160 "$view" "$OUT" || echo "(jfr view $view failed)"
  done
  echo
  echo "## event counts (hot-methods covers Java frames only: time in write(2)/epoll is in jdk.NativeMethodSample)"
  "$JFR_BIN" summary "$OUT" | grep -E 'jdk\.(ExecutionSample|NativeMethodSample|GarbageCollection|ObjectAllocationSample) ' || true
} > "$TXT" 2>&1
cat "$TXT"
echo "prof.sh: summaries in $TXT" >&2
exit "$rc"
