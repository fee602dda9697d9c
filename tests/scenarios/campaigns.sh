#!/bin/sh
# tests/scenarios/campaigns.sh — campaign test of the scenarios under
# scenarios/ (not scenarios/examples/): for every scenario, a short campaign
# with a fixed seed under each strategy. A buggy variant must be found by at
# least one strategy (and not on the natural schedule, run 0); a fixed
# variant must survive every strategy.
#
# usage: campaigns.sh UVSIM SCENARIO_DIR RUNS [SCENARIO...]
# Prints one line per scenario x variant x strategy ("found at run N" or
# "clean"), which is also how docs/scenarios-catalogue.md was measured (with
# RUNS=10000). Exit 0 when every expectation holds.
set -u
uvsim=$1; dir=$2; runs=$3; shift 3
strategies="random pct nodefz dfs"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if [ $# -gt 0 ]; then
  names="$*"
else
  names=$(sed -n 's/^UVSIM_SCENARIO(\([a-z0-9_]*\), buggy,.*/\1/p' "$dir"/*.c | sort -u)
fi
[ -n "$names" ] || { echo "FAIL: no scenarios found in $dir"; exit 1; }

# Pool work callbacks of the scenarios touch no shared state: run them on the
# loop thread (deterministic, and no thread hand-off per job).
UVSIM_POOL_INLINE=1; export UVSIM_POOL_INLINE

fail=0; count=0
for n in $names; do
  count=$((count + 1))
  "$uvsim" list | grep -q "^$n/buggy " || { echo "FAIL: $n/buggy is not registered"; fail=1; continue; }
  found=""
  for v in buggy fixed; do
    for s in $strategies; do
      out=$("$uvsim" run "$n/$v" --runs "$runs" --seed 1 --strategy "$s" --quiet \
            --no-report --no-minimize --corpus "$tmp/corpus" 2>&1)
      rc=$?
      line=$(printf '%s\n' "$out" | grep "^$n/$v: " | tail -1)
      first=$(printf '%s\n' "$line" | sed -n 's/.*(first at run \([0-9]*\)).*/\1/p')
      nruns=$(printf '%s\n' "$line" | sed -n 's/.*, \([0-9]*\) runs in.*/\1/p')
      if [ "$rc" = 1 ]; then
        echo "$n/$v $s: bug found at run $first of $nruns"
        [ "$v" = buggy ] && found="$found $s"
        # The catalogue promises that no buggy variant fails on the natural
        # schedule (run 0, every decision 0): each needs exploration.
        if [ "$v" = buggy ] && [ "$first" = 0 ]; then
          echo "FAIL: $n/buggy fails at choice 0 under $s"; fail=1
        fi
        if [ "$v" = fixed ]; then
          echo "FAIL: $n/fixed failed under $s:"; printf '%s\n' "$out" | sed 's/^/    /'
          fail=1
        fi
      elif [ "$rc" = 0 ]; then
        echo "$n/$v $s: clean in $nruns runs"
      else
        echo "FAIL: $n/$v $s: exit $rc"; printf '%s\n' "$out" | sed 's/^/    /'
        fail=1
      fi
    done
  done
  if [ -z "$found" ]; then
    echo "FAIL: $n/buggy was not found by any strategy in $runs runs"; fail=1
  fi
done
echo "$count scenarios, $runs runs per strategy"
exit $fail
