#!/bin/sh
# bench/engine/run.sh [BUILD_DIR] — engine throughput beside real node's,
# measured in the same run. Prints jobs/s for each and the ratio (goal >= 1).
# Build first: cmake --build BUILD_DIR --target bench_engine
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build-engine}
bin=$build/tests/engine/bench_engine
[ -x "$bin" ] || { echo "run.sh: $bin not built (target bench_engine)" >&2; exit 1; }
command -v node >/dev/null || { echo "run.sh: node not on PATH" >&2; exit 1; }
# the same bench linked with libuvsim (virtual loop), when it was built
vbin=$build/tests/engine/bench_engine_uvsim
printf '%-10s %10s %14s %14s %7s %16s\n' kind N engine_jobs/s node_jobs/s ratio on_libuvsim/s
for spec in microtask:5000000 tick:5000000 then:1000000 await:1000000; do
  kind=${spec%%:*} n=${spec#*:}
  c=$("$bin" "$kind" "$n" | awk '{print $3}')
  j=$(node "$here/bench.js" "$kind" "$n" | awk '{print $3}')
  v=-
  [ -x "$vbin" ] && v=$("$vbin" "$kind" "$n" | awk '{print $3}')
  printf '%-10s %10s %14s %14s %7.2f %16s\n' "$kind" "$n" "$c" "$j" \
    "$(awk -v a="$c" -v b="$j" 'BEGIN{print a/b}')" "$v"
done
printf '\nin-process runs of a small program (campaign workload): %s runs/s' \
  "$("$bin" runs 20000 | awk '{print $3}')"
[ -x "$vbin" ] && printf ', on libuvsim: %s runs/s' "$("$vbin" runs 20000 | awk '{print $3}')"
echo
