#!/usr/bin/env bash
# compare.sh TAG SCENARIO [TARGET ...] [-- extra bench args...]
#
# The same scenario against each TARGET in turn (default: node and server/target/realtime-server.jar),
# one after the other in this run, each started alone by run.sh. Labels are TAG-node and
# TAG-<jar file name without .jar>, e.g. TAG-server-main. Then prints the summary of this run's rows.
# Env as run.sh (WARMUP, JOPTS, RESULTS, ...); COOLDOWN seconds between targets (default 5).
#   compare.sh c5k chat                                   # full chat 1000x10 @5k msg/s, node then ours
#   WARMUP=10 compare.sh b20 broadcast node before.jar after.jar
#   compare.sh c10k chat -- --rate 10000
set -uo pipefail
[ $# -ge 2 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
TAG=$1; SCENARIO=$2; shift 2
TARGETS=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do TARGETS+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(node "$REPO/server/target/realtime-server.jar")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DIR=${BENCH_OUT:-/tmp/sobranie-bench}   # results, logs, recordings
mkdir -p "$DIR"
RESULTS=${RESULTS:-$DIR/results.txt}
export RESULTS
before=$( [ -f "$RESULTS" ] && wc -l < "$RESULTS" || echo 0 )
worst=0
first=1
for t in "${TARGETS[@]}"; do
  [ $first = 1 ] || sleep "${COOLDOWN:-5}"
  first=0
  if [ "$t" = node ]; then name=node; else name=$(basename "$t" .jar); fi
  "$HERE/run.sh" "$TAG-$name" "$t" "$SCENARIO" "$@"
  rc=$?
  echo "[$TAG-$name] exit $rc" >&2
  [ $rc -gt $worst ] && worst=$rc
done
after=$(wc -l < "$RESULTS")
echo
python3 "$HERE/summary.py" "$RESULTS" --last $((after - before))
exit $worst
