#!/usr/bin/env bash
# bench/exec/forkserver.sh BUILDDIR [RUNS] — schedules/s of `uvsim exec`
# with its fork server in snapshot mode (the program starts once, one
# worker restored in place after each schedule: the default) and with
# --no-snapshot (a fork per schedule), against a process per schedule
# (--no-fork-server) and against plain starts of the same unchanged binary
# on the real libuv, in one run, with the ratios to plain starts. Programs: tests/fuzz/exec_target (two pool jobs) and
# tests/fuzz/exec_timeout_race (a timer racing a pool job), "fixed" (no
# failure, so no replay check is timed).
#
# Two rates each: per wall second, and per CPU second (user + system of
# everything the phase started, from bash's `times`): on a shared, loaded
# machine the wall rate mostly measures waiting for a core, the CPU rate
# what a schedule costs. Compare the numbers of one run only.
#
# Needs bash 5 and awk only (no python, no compiler when FORK_FLOOR is
# given), so that it runs on a bare machine with carried binaries.
#   JOBS=J        J at once: J loops of plain starts, `exec --jobs J`,
#                 J fork_floor processes (default 1)
#   FORK_FLOOR=P  a built bench/exec/fork_floor.c (else it is compiled
#                 with cc)
#   RUN_WITH=CMD  a prefix for the program's command line, e.g. a carried
#                 loader: "/tmp/ld.so --library-path /tmp/lib" (word-split)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: forkserver.sh BUILDDIR [RUNS]}
runs=${2:-300}
jobs=${JOBS:-1}
read -r -a run_with <<< "${RUN_WITH:-}"
[ -x "$build/uvsim" ] || { echo "forkserver.sh: build $build/uvsim first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
floor=${FORK_FLOOR:-}
if [ -z "$floor" ]; then
  floor=$tmp/fork_floor
  cc -O2 -o "$floor" "$(dirname "$0")/fork_floor.c"
fi

. "$here/rates.sh"    # cpu_of, phase
# share J: runs of job J when $runs are split among $jobs
share() { echo $(( runs / jobs + ($1 < runs % jobs ? 1 : 0) )); }
plain() {
  local j
  for ((j = 0; j < jobs; j++)); do
    ( n=$(share "$j"); for ((i = 0; i < n; i++)); do "${run_with[@]}" "$1" fixed >/dev/null; done ) &
  done
  wait
}
exec_() {
  local prog=$1 want="fork server)"; shift
  [ "${1:-}" = --no-fork-server ] && want="a process per run)"
  "$build/uvsim" exec --quiet --jobs "$jobs" --runs $((runs - 1)) "$@" \
    -- "${run_with[@]}" "$prog" fixed > "$tmp/out" 2> "$tmp/err"
  grep -qF "$want" "$tmp/out" ||
    { echo "forkserver.sh: $prog: the summary does not say '$want':" >&2; cat "$tmp/out" >&2; exit 1; }
}
floor_() {
  local j
  for ((j = 0; j < jobs; j++)); do "$floor" "$(share "$j")" > /dev/null & done
  wait
}

echo "$runs schedules (or plain starts) each, $jobs at once, per wall second and per CPU second"
printf "%-18s %-5s %12s %12s %12s %12s %10s %10s\n" \
  program rate "plain start" process/run "fork server" snapshot fork/plain snap/plain
for name in exec_target exec_timeout_race; do
  prog=$build/tests/fuzz/$name
  [ -x "$prog" ] || { echo "forkserver.sh: build $prog first" >&2; exit 2; }
  phase plain "$prog";                pw=$wall_rate pc=$cpu_rate
  phase exec_ "$prog" --no-fork-server; sw=$wall_rate sc=$cpu_rate
  phase exec_ "$prog" --no-snapshot;  fw=$wall_rate fc=$cpu_rate
  phase exec_ "$prog";                nw=$wall_rate nc=$cpu_rate
  grep -q ' restored in place' "$tmp/err" ||
    { echo "forkserver.sh: $name: no run restored in place:" >&2; cat "$tmp/err" >&2; exit 1; }
  awk -v n="$name" -v pw="$pw" -v pc="$pc" -v sw="$sw" -v sc="$sc" -v fw="$fw" -v fc="$fc" \
      -v nw="$nw" -v nc="$nc" 'BEGIN {
    f = "%-18s %-5s %12.0f %12.0f %12.0f %12.0f %9.2fx %9.2fx\n"
    printf f, n, "wall", pw, sw, fw, nw, fw / pw, nw / pw
    printf f, n, "cpu", pc, sc, fc, nc, fc / pc, nc / pc }'
  sed -n 's/^exec: fork server: /  snapshot: /p' "$tmp/err"
done
phase floor_
printf "%-18s %-5s %12s %12s %12.0f   (bare fork + _exit + waitpid: the floor)\n" \
  fork_floor wall "" "" "$wall_rate"
printf "%-18s %-5s %12s %12s %12.0f\n" fork_floor cpu "" "" "$cpu_rate"
