#!/usr/bin/env bash
# bench/node/run.sh BUILDDIR [RUNS] — `uvsim node` beside plain node 18 on
# the same scripts, in one run, interleaved (so machine load hits both):
#  - per-run cost: one plain `node app.js` vs one `uvsim node app.js` (a
#    natural run: preload, mapped builtins, V8 seeded) — wall ms each and
#    the ratio (goal <= 1.2x);
#  - schedules/s of a campaign on a JS scenario (`uvsim node --runs`, one
#    job), against plain node processes/s on the same script.
set -euo pipefail
build=${1:?usage: run.sh BUILDDIR [RUNS]}
runs=${2:-20}
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "run.sh: no node 18 at $node (scripts/node18)" >&2; exit 2; }
libs=$(cd "$(dirname "$node")/../lib/x86_64-linux-gnu" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
app="$here/app.js"
scn="$here/../../scenarios/js/lost_update_balance.js"
now() { date +%s.%N; }
plain=0 sim=0
for ((i = 0; i < runs; i++)); do
  t0=$(now); LD_LIBRARY_PATH=$libs "$node" "$app" >/dev/null; t1=$(now)
  "$build/uvsim" node --node "$node" "$app" >/dev/null; t2=$(now)
  plain=$(python3 -c "print($plain + $t1 - $t0)"); sim=$(python3 -c "print($sim + $t2 - $t1)")
done
t0=$(now)
for ((i = 0; i < runs; i++)); do LD_LIBRARY_PATH=$libs "$node" "$scn" fixed >/dev/null; done
t1=$(now)
"$build/uvsim" node --quiet --node "$node" --runs $((runs - 1)) "$scn" fixed >/dev/null
t2=$(now)
python3 - "$runs" "$plain" "$sim" "$t0" "$t1" "$t2" <<'PY'
import sys
n = int(sys.argv[1]); plain, sim, t0, t1, t2 = map(float, sys.argv[2:])
print("%-40s %12s %12s %7s" % ("workload", "node 18", "uvsim node", "ratio"))
print("%-40s %10.1f ms %10.1f ms %6.2fx" % ("one run of bench/node/app.js (wall)",
      1000 * plain / n, 1000 * sim / n, sim / plain))
rp, rs = n / (t1 - t0), n / (t2 - t1)
print("%-40s %10.2f/s %10.2f/s %6.2fx" % ("lost_update_balance fixed: runs/s",
      rp, rs, rs / rp))
PY
