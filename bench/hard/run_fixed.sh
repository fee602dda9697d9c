#!/bin/sh
# bench/hard/run_fixed.sh LF_OUT AFL_OUT [SECONDS] [BUGS] — "no false
# positive" (issue 15): each fixed variant of scenarios/hard/ (or those of
# BUGS) runs SECONDS (default 60) under libFuzzer and AFL++, each with code
# coverage only (UVSIM_ORDCOV=0) and with the ordering coverage map, on the
# targets' uvsim_libfuzzer (the scenario from UVSIM_SCENARIO=<bug>/fixed):
#   libFuzzer: uvsim_libfuzzer -max_total_time=SECONDS -seed=1
#   AFL++:     afl-fuzz -V SECONDS -s 1 from one zero byte, persistent mode
# Prints a markdown table: per fixed variant and fuzzer, the executions, and
# the findings (libFuzzer: artifacts written; AFL++: saved crashes, saved
# hangs, and its stability). An empty AFL_OUT skips AFL++. JOBS=N runs at a
# time (default 2; more runs than cores share them: the table's executions
# say how much each got); RESULTS=FILE keeps the per-run lines (written as
# each run ends); AFL_FUZZ=CMD runs afl-fuzz as CMD. Not a test.
set -u
LF=${1:?usage: run_fixed.sh LF_OUT AFL_OUT [SECONDS] [BUGS]}
AFL=${2-}
SECS=${3:-60}
here=$(cd "$(dirname "$0")" && pwd)
names=${4:-$(sed -n 's/^UVSIM_SCENARIO(\([a-z0-9_]*\), fixed,.*/\1/p' "$here"/../../scenarios/hard/*.c | sort -u)}
tmp=$(mktemp -d /tmp/uvsim-fx-bench.XXXXXX); trap 'rm -rf "$tmp"' EXIT
UVSIM_POOL_INLINE=1; export UVSIM_POOL_INLINE
JOBS=${JOBS:-2}
RESULTS=${RESULTS:-$tmp/results}
AFL_FUZZ=${AFL_FUZZ:-afl-fuzz}
columns="libfuzzer libfuzzer+ord"
[ -n "$AFL" ] && columns="$columns afl afl+ord"
columns=${COLUMNS_ONLY:-$columns}
for n in $names; do for c in $columns; do echo "$n $c"; done; done > "$tmp/jobs"

export LF AFL SECS tmp AFL_FUZZ
start=$(date +%s)
xargs -P "$JOBS" -L 1 sh -c '
  n=$0; c=$1; d=$tmp/$n-$c; mkdir -p "$d/a"
  case $c in *+ord) oc=1 ;; *) oc=0 ;; esac
  case $c in
  libfuzzer*)
    UVSIM_SCENARIO=$n/fixed UVSIM_ORDCOV=$oc "$LF/uvsim_libfuzzer" -max_total_time="$SECS" \
      -seed=1 -artifact_prefix="$d/a/" >"$d/log" 2>&1
    rc=$?
    runs=$(sed -n "s/^Done \([0-9]*\) runs in .*/\1/p" "$d/log" | tail -1)
    found=$(ls "$d/a" | grep -vc "\.uvsim\$")
    echo "$n $c ${runs:-?} artifacts=$found rc=$rc"
    [ -n "$runs" ] || tail -5 "$d/log" >&2
    ;;
  afl*)
    mkdir "$d/in"; printf "\000" > "$d/in/zero"
    UVSIM_FINDING_DIR=$d UVSIM_SCENARIO=$n/fixed UVSIM_ORDCOV=$oc AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
      AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1 \
      $AFL_FUZZ -i "$d/in" -o "$d/out" -V "$SECS" -s 1 -- "$AFL/uvsim_libfuzzer" >"$d/log" 2>&1
    st=$d/out/default/fuzzer_stats
    if [ -f "$st" ]; then
      v() { sed -n "s/^$1 *: *//p" "$st" | head -1; }
      echo "$n $c $(v execs_done) crashes=$(v saved_crashes) hangs=$(v saved_hangs) stability=$(v stability)"
    else
      echo "run_fixed.sh: afl-fuzz did not run ($n $c):" >&2
      tail -n 6 "$d/log" >&2
    fi
    ;;
  esac
  rm -rf "$d"' < "$tmp/jobs" > "$RESULTS"
end=$(date +%s)

echo "| fixed variant | $(for c in $columns; do printf '%s | ' "$c"; done)"
echo "|---|$(for c in $columns; do printf -- '---|'; done)"
for n in $names; do
  row="| $n |"
  for c in $columns; do
    cell=$(awk -v n="$n" -v c="$c" '$1 == n && $2 == c { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$RESULTS")
    row="$row ${cell:-not run} |"
  done
  echo "$row"
done
echo
echo "Each run $SECS s (-max_total_time / -V), seed 1; cell: executions, then findings. $(($end - $start)) s wall with $JOBS processes."
