#!/usr/bin/env bash
# bench/loop/run.sh BINDIR [SCALE] — real libuv and libuvsim side by side in
# one run: the same bench_loop.c built twice; prints callbacks/s and the
# ratio uvsim/libuv per workload, then the hour of virtual timers.
set -euo pipefail
bin=${1:?usage: run.sh BINDIR [SCALE]}
scale=${2:-1}
real=$("$bin/bench_loop_real" "$scale")
sim=$("$bin/bench_loop_sim" "$scale")
echo "$real"
echo "$sim"
python3 - "$real" "$sim" <<'PY'
import sys
def parse(line):
    f = line.split()
    return {f[i]: float(f[i + 1]) for i in range(1, len(f), 2)}
r, s = parse(sys.argv[1]), parse(sys.argv[2])
print("%-8s %14s %14s %7s" % ("workload", "libuv cb/s", "uvsim cb/s", "ratio"))
for k in r:
    print("%-8s %14.0f %14.0f %6.2fx" % (k, r[k], s[k], s[k] / r[k]))
PY
"$bin/bench_loop_hour"
