#!/usr/bin/env bash
# tests/fuzz/shard_merge.sh UVSIM — `uvsim run --shard I/N` over N machines,
# then `uvsim merge`, equals the unsharded campaign (issue 16 item 5): for
# random, pct and nodefz, shards 1/2 + 2/2 (shard 2 with --jobs 2) and
# 1/3..3/3 merged give the unsharded report.json (timings aside: runs,
# failing runs, hits, distinct traces, first bug run, bugs, minimised
# reproducers and explanations), the same summary lines, and byte-identical
# reproducer files. Then inconsistent shard sets and bad --shard values: one
# line on stderr and exit status 2 each.
set -euo pipefail
uvsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scenarios=(lost_update/buggy close_race/buggy write_after_close/buggy retry_timeout/buggy
           message_framing/buggy quorum_read/buggy lost_update/fixed)
runs=300
fail=0

strip_report() { python3 "$(dirname "$0")/../lib/strip_report.py" "$1"; }   # timings aside

counts() {   # one line per campaign: the counts merge must add up
  python3 - "$1" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["campaigns"]:
    print("%s/%s runs=%d failing=%d distinct=%d first=%s hits=%s" % (
        c["scenario"], c["variant"], c["runs"], c["failing_runs"], c["distinct_traces"],
        c["time_to_first_bug_runs"], [b["hits"] for b in c["bugs"]]))
PY
}

summary() {   # the per-campaign lines and bugs, without timings and the report line
  sed -E -e 's/ in [0-9.]+ s \([0-9]+\/s\)//' -e '/^(merged [0-9]+ shards; )?report: /d' "$1"
}

for strategy in random pct nodefz; do
  base=$tmp/$strategy
  mkdir -p "$base/full"
  (cd "$base/full" && "$uvsim" run "${scenarios[@]}" --strategy "$strategy" --runs $runs \
     --corpus corpus --out out --report r) > "$base/full/stdout" 2>&1 || true
  [ -s "$base/full/out/r/report.json" ] || { echo "$strategy: no unsharded report"; fail=1; continue; }
  strip_report "$base/full/out/r/report.json" > "$base/full/report"
  for N in 2 3; do
    shards=()
    for I in $(seq 1 "$N"); do
      d=$base/n$N/s$I
      mkdir -p "$d"
      jobs=1
      [ "$N" = 2 ] && [ "$I" = 2 ] && jobs=2   # workers split a shard's runs too
      (cd "$d" && "$uvsim" run "${scenarios[@]}" --strategy "$strategy" --runs $runs \
         --shard "$I/$N" --jobs $jobs --corpus corpus --out out --report r --quiet) \
         > "$d/stdout" 2>&1 || true
      shards+=("../s$I/out/r")
    done
    m=$base/n$N/m
    mkdir -p "$m"
    # the shards in reverse order: the merge must not depend on it
    rev=()
    for ((k = ${#shards[@]} - 1; k >= 0; k--)); do rev+=("${shards[$k]}"); done
    rc=0
    (cd "$m" && "$uvsim" merge "${rev[@]}" --out out --corpus corpus) > "$m/stdout" 2> "$m/stderr" || rc=$?
    if [ "$rc" != 1 ] || [ -s "$m/stderr" ]; then
      echo "$strategy 1..$N/$N: merge exit $rc (want 1: bugs), stderr:"; cat "$m/stderr"; fail=1; continue
    fi
    ok=1
    strip_report "$m/out/r/report.json" > "$m/report"
    if ! diff "$base/full/report" "$m/report" > "$tmp/d"; then
      echo "$strategy 1..$N/$N: merged report.json differs from the unsharded one:"; head -30 "$tmp/d"; ok=0
    fi
    if ! diff -r -x .uvsim.lock "$base/full/corpus" "$m/corpus" > "$tmp/d"; then
      echo "$strategy 1..$N/$N: reproducers differ:"; head -20 "$tmp/d"; ok=0
    fi
    if ! diff <(summary "$base/full/stdout") <(summary "$m/stdout") > "$tmp/d"; then
      echo "$strategy 1..$N/$N: summaries differ:"; head -20 "$tmp/d"; ok=0
    fi
    if [ -e "$m/out/r/traces" ] || grep -q '"shard"' "$m/out/r/report.json"; then
      echo "$strategy 1..$N/$N: the merged report calls itself a shard"; ok=0
    fi
    # every shard ran its own share only: the runs add up to the budget
    total=0
    for I in $(seq 1 "$N"); do
      r=$(python3 -c 'import json,sys; print(sum(c["runs"] for c in json.load(open(sys.argv[1]))["campaigns"]))' \
            "$base/n$N/s$I/out/r/report.json")
      total=$((total + r))
    done
    if [ "$total" != $((runs * ${#scenarios[@]})) ]; then
      echo "$strategy 1..$N/$N: the shards ran $total runs, not $((runs * ${#scenarios[@]}))"; ok=0
    fi
    if [ "$ok" = 1 ]; then
      nbugs=$(python3 -c 'import json,sys; print(sum(len(c["bugs"]) for c in json.load(open(sys.argv[1]))["campaigns"]))' \
                "$m/out/r/report.json")
      echo "$strategy: shards 1..$N/$N merged == unsharded ($nbugs bugs, $(find "$m/corpus" -name '*.uvsim' | wc -l) reproducers identical)"
      [ "$N" = 2 ] && counts "$m/out/r/report.json" | sed 's/^/  /'
    else
      fail=1
    fi
  done
done

# --------------------------------------------------------------- bad input
here=$(cd "$(dirname "$0")" && pwd)
b=$tmp/bad
mkdir -p "$b"
cd "$b"
shard() {   # shard I/N [extra run flags] into out-<tag>
  local tag=$1 spec=$2
  shift 2
  "$uvsim" run lost_update/buggy --runs 50 --shard "$spec" --corpus c-$tag --out o-$tag \
    --report r --quiet --no-minimize "$@" > /dev/null 2>&1 || true
}
shard a1 1/2
shard a2 2/2
shard seed2 2/2 --seed 7
shard runs2 2/2 --runs 60
shard strat2 2/2 --strategy pct
shard pct2 2/2 --bias-max 2
"$uvsim" run lost_update/buggy --runs 50 --corpus c-u --out o-u --report r --quiet \
  --no-minimize > /dev/null 2>&1 || true
cp -r o-a1 o-trunc
head -c 300 o-a1/r/report.json > o-trunc/r/report.json
cp -r o-a1 o-notraces
rm o-notraces/r/traces
cp -r o-a1 o-badtraces
sed -i '3s/.*/zz/' o-badtraces/r/traces
cp -r o-a1 o-hits
sed -i 's/"hits":[0-9]*/"hits":"x"/' o-hits/r/report.json
cp -r o-a1 o-version
sed -i 's/"uvsim_version":"[^"]*"/"uvsim_version":"0.0.1"/' o-version/r/report.json
cp -r o-a1 o-dup
sed -i 's/^{"schema"/{"schema":"x","schema"/' o-dup/r/report.json

# one line on stderr naming the problem, nothing on stdout, exit status 2
. "$here/../lib/one_line_error.sh"
set +e
bad() {   # NEEDLE, then the uvsim arguments
  local want=$1
  shift
  expect_one_line_error "$want" "$uvsim" "$@"
}
bad "shard 2/2 is missing" merge o-a1/r --out m
bad "both shard 1/2" merge o-a1/r o-a1/r/report.json --out m
bad "differ in seed" merge o-a1/r o-seed2/r --out m
bad "run budget" merge o-a1/r o-runs2/r --out m
bad "differ in strategy" merge o-a1/r o-strat2/r --out m
bad "configuration" merge o-a1/r o-pct2/r --out m
bad "is not a shard" merge o-u/r o-a2/r --out m
bad "not JSON" merge o-trunc/r o-a2/r --out m
bad "traces: cannot open" merge o-notraces/r o-a2/r --out m
bad "expected a hash" merge o-badtraces/r o-a2/r --out m
bad "'hits': not a number" merge o-hits/r o-a2/r --out m
bad "written by uvsim 0.0.1" merge o-version/r o-a2/r --out m
bad "duplicate key" merge o-dup/r o-a2/r --out m
bad "cannot open" merge nope/report.json o-a2/r --out m
bad "name the shards" merge --out m
bad "unknown option" merge o-a1/r o-a2/r --bogus
for s in 0/2 3/2 1/0 x/y 1/ /2 1/2/3 -1/2 1.5/2 ""; do
  bad "--shard" run lost_update/buggy --runs 10 --shard "$s" --no-report
done
bad "dfs is sequential" run lost_update/buggy --runs 10 --shard 1/2 --strategy dfs --no-report
bad "not --time" run lost_update/buggy --time 1 --shard 1/2 --no-report
# and the good pair still merges (the cases above failed for their own reason)
rc=0
"$uvsim" merge o-a2/r o-a1/r --out m --quiet > /dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || { echo "the consistent pair did not merge (exit $rc)"; fail=1; }
[ "$fail" = 0 ] && echo "bad input: every case refused in one line, exit 2"
exit $fail
