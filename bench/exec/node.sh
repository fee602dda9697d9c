#!/usr/bin/env bash
# bench/exec/node.sh BUILDDIR [RUNS] [SCRIPT] — schedules/s of `uvsim node`
# (issue 15 item 4) against plain starts of Debian's node 18 running the
# same script (default bench/exec/node_small.js), in one run, with the
# ratios: plain `node SCRIPT`, `uvsim node --no-fork-server` (a process per
# run) and `uvsim node` as it is by default: node started once and each
# run forked at its first uv_run by the fork server (docs/cli.md, "The fork
# server": V8's worker tasks run on the posting thread, loop/det/det.c). The
# fork server's phase fails unless its summary says it was used.
#
# Per wall second and per CPU second (user + system of everything the phase
# started, from bash's `times`), as forkserver.sh. RUNS defaults to 20: a
# node start costs a few hundred ms on the development VM.
#   UVSIM_NODE=PATH  the node (default /opt/uvsim/node18/usr/bin/node)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:?usage: node.sh BUILDDIR [RUNS] [SCRIPT]}")
runs=${2:-20}
script=$(realpath "${3:-$(dirname "$0")/node_small.js}")
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$build/uvsim" ] || { echo "node.sh: build $build/uvsim first" >&2; exit 2; }
[ -x "$node" ] || { echo "node.sh: no node 18 at $node (scripts/node18)" >&2; exit 2; }
lib=$(realpath "$(dirname "$node")/../lib/x86_64-linux-gnu")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

RATE_FMT=%.2f
. "$here/rates.sh"    # cpu_of, phase
plain() {
  for ((i = 0; i < runs; i++)); do
    LD_LIBRARY_PATH=$lib "$node" "$script" >/dev/null
  done
}
uvsim_node() {
  local fork=0
  [ "$1" = fork ] && { fork=1; shift; }
  "$build/uvsim" node --node "$node" --quiet --no-report --corpus "$tmp/corpus" \
    --runs $((runs - 1)) "$@" "$script" > "$tmp/out" 2> "$tmp/err" || true
  if [ $fork = 1 ]; then
    grep -q "^node: $runs runs .*/s, fork server)" "$tmp/out" ||
      { echo "node.sh: uvsim node: the fork server was not used:" >&2; cat "$tmp/out" "$tmp/err" >&2; exit 1; }
  fi
  grep -q "^node: $runs runs" "$tmp/out" ||
    { echo "node.sh: uvsim node $*: no summary of $runs runs:" >&2; cat "$tmp/out" "$tmp/err" >&2; exit 1; }
}

echo "$runs runs of $(basename "$script") each (a plain start, or a schedule), per wall second and per CPU second"
printf "%-5s %12s %14s %14s %10s %10s\n" rate "plain node" "process/run" "uvsim node" \
  "node/proc" "node/plain"
phase plain;                          pw=$wall_rate pc=$cpu_rate
phase uvsim_node --no-fork-server;    sw=$wall_rate sc=$cpu_rate
phase uvsim_node fork;                fw=$wall_rate fc=$cpu_rate
awk -v pw="$pw" -v pc="$pc" -v sw="$sw" -v sc="$sc" -v fw="$fw" -v fc="$fc" 'BEGIN {
  printf "%-5s %12.2f %14.2f %14.2f %9.2fx %9.2fx\n", "wall", pw, sw, fw, fw / sw, fw / pw
  printf "%-5s %12.2f %14.2f %14.2f %9.2fx %9.2fx\n", "cpu", pc, sc, fc, fc / sc, fc / pc }'
