#!/usr/bin/env bash
# bench/exec/run.sh BUILDDIR [RUNS] — `uvsim exec` against plain runs of the
# same unchanged binary on the real libuv, side by side in one run:
# processes/s each way and the ratio. The target is tests/fuzz/exec_target
# (two pool jobs; "fixed" never fails), so the numbers are the per-process
# cost: fork, exec, the dynamic linker, the loop, exit.
set -euo pipefail
build=${1:?usage: run.sh BUILDDIR [RUNS]}
runs=${2:-200}
target="$build/tests/fuzz/exec_target"
[ -x "$target" ] || { echo "run.sh: build $target first" >&2; exit 2; }
t0=$(date +%s.%N)
for ((i = 0; i < runs; i++)); do "$target" fixed; done
t1=$(date +%s.%N)
"$build/uvsim" exec --quiet --runs $((runs - 1)) -- "$target" fixed >/dev/null
t2=$(date +%s.%N)
python3 - "$runs" "$t0" "$t1" "$t2" <<'PY'
import sys
n, t0, t1, t2 = int(sys.argv[1]), *map(float, sys.argv[2:])
real, sim = n / (t1 - t0), n / (t2 - t1)
print("%-28s %10s %10s %7s" % ("workload", "real/s", "uvsim/s", "ratio"))
print("%-28s %10.0f %10.0f %6.2fx" % ("exec_target fixed (process)", real, sim, sim / real))
PY
