#!/bin/sh
# bench/hard/run_fuzzers.sh LF_OUT AFL_OUT [CAMPAIGNS] [RUNS] [BUGS] — the
# libFuzzer and AFL++ columns of the hard-bug benchmark (issue 15 items 3
# and 6): for each buggy scenario of scenarios/hard/ (or the names in BUGS),
# CAMPAIGNS campaigns (seeds 1..CAMPAIGNS) of at most RUNS executions, with
# code coverage only (UVSIM_ORDCOV=0) and with the ordering coverage map
# added (sim/sim_ordcov.h). Prints a markdown table like bench/hard/run.sh:
# campaigns that found the bug, median executions to the first bug over all
# campaigns (not found = more than RUNS).
#
# LF_OUT: libFuzzer targets, AFL_OUT: AFL++ targets, both from fuzz/build.sh
# (an empty AFL_OUT skips the AFL++ columns), e.g. without ASan:
#   CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#     OUT=/tmp/lf fuzz/build.sh
#   CC=afl-clang-fast CFLAGS="-O1 -g" LIB_FUZZING_ENGINE=afl OUT=/tmp/afl fuzz/build.sh
#
# libFuzzer: -runs=RUNS -seed=S, no corpus (it starts from the empty input),
# the target's own defaults (-len_control=0, -max_len); executions to the
# bug: the target's "at input N". AFL++: afl-fuzz -E RUNS -s S from one
# zero byte, stopping at the first crash (AFL_BENCH_UNTIL_CRASH); executions
# to the bug: the crash file's execs: field. COLUMNS_ONLY="..." runs only
# those columns. Not a test. JOBS=N campaigns at a time (default 2);
# RESULTS=FILE keeps the per-campaign lines (written as each campaign ends)
# in FILE; AFL_FUZZ=CMD runs afl-fuzz as CMD (default afl-fuzz).
set -u
LF=${1:?usage: run_fuzzers.sh LF_OUT AFL_OUT [CAMPAIGNS] [RUNS] [BUGS]}
AFL=${2-}
CAMPAIGNS=${3:-20}
RUNS=${4:-10000}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cell.sh"
names=${5:-$(sed -n 's/^UVSIM_SCENARIO(\([a-z0-9_]*\), buggy,.*/\1/p' "$here"/../../scenarios/hard/*.c | sort -u)}
tmp=$(mktemp -d /tmp/uvsim-fz-bench.XXXXXX); trap 'rm -rf "$tmp"' EXIT
UVSIM_POOL_INLINE=1; export UVSIM_POOL_INLINE
JOBS=${JOBS:-2}
RESULTS=${RESULTS:-$tmp/results}
AFL_FUZZ=${AFL_FUZZ:-afl-fuzz}

columns="libfuzzer libfuzzer+ord"
[ -n "$AFL" ] && columns="$columns afl afl+ord"
columns=${COLUMNS_ONLY:-$columns}   # e.g. COLUMNS_ONLY="afl afl+ord"
# A bug without a target in LF_OUT (a scenario added since the build) is
# left out, saying so, rather than counted as never found.
have=
for n in $names; do
  if [ -x "$LF/uvsim_fuzz_${n}_buggy" ]; then have="$have $n"
  else echo "run_fuzzers.sh: no $LF/uvsim_fuzz_${n}_buggy: $n left out" >&2; fi
done
names=$have
# seed by seed, so that a run stopped early has about as many campaigns in
# every cell
s=1; while [ $s -le "$CAMPAIGNS" ]; do
  for n in $names; do for c in $columns; do echo "$n $c $s"; done; done
  s=$((s + 1))
done > "$tmp/jobs"

export LF AFL RUNS tmp AFL_FUZZ
start=$(date +%s)
xargs -P "$JOBS" -L 1 sh -c '
  n=$0; c=$1; s=$2; d=$tmp/$n-$c-$s; mkdir -p "$d"
  case $c in *+ord) oc=1 ;; *) oc=0 ;; esac
  first=-
  case $c in
  libfuzzer*)
    UVSIM_ORDCOV=$oc "$LF/uvsim_fuzz_${n}_buggy" -runs="$RUNS" -seed="$s" \
      -artifact_prefix="$d/" >"$d/log" 2>&1
    first=$(sed -n "s/^  at input \([0-9]*\) of this process/\1/p" "$d/log" | head -1)
    ;;
  afl*)
    mkdir "$d/in"; printf "\000" > "$d/in/zero"
    UVSIM_FINDING_DIR=$d UVSIM_ORDCOV=$oc AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_BENCH_UNTIL_CRASH=1 \
      AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1 \
      $AFL_FUZZ -i "$d/in" -o "$d/out" -E "$RUNS" -s "$s" -- "$AFL/uvsim_fuzz_${n}_buggy" \
      >"$d/log" 2>&1
    first=$(ls "$d"/out/default/crashes 2>/dev/null | sed -n "s/.*,execs:\([0-9]*\),.*/\1/p" | sort -n | head -1)
    # a campaign afl-fuzz refused to start is not a campaign that missed
    # (no result line: it is left out of the cell, said on stderr)
    [ -f "$d/out/default/fuzzer_stats" ] || [ -n "$first" ] || { echo "run_fuzzers.sh: afl-fuzz did not run ($n $c $s):" >&2
      tail -n 6 "$d/log" >&2; first=x; }
    ;;
  esac
  if [ "$first" != x ]; then
    [ -n "$first" ] && [ "$first" -le "$RUNS" ] || first=-
    echo "$n $c $s $first"
  fi
  rm -rf "$d"' < "$tmp/jobs" > "$RESULTS"
end=$(date +%s)

echo "| hard bug | $(for c in $columns; do printf '%s | ' "$c"; done)"
echo "|---|$(for c in $columns; do printf -- '---|'; done)"
for n in $names; do
  row="| $n |"
  for c in $columns; do
    row="$row $(table_cell "$RESULTS" "$n" "$c" "$RUNS" "$CAMPAIGNS") |"
  done
  echo "$row"
done
echo
echo "$CAMPAIGNS campaigns per cell, at most $RUNS executions each; cell: campaigns that found the bug, median executions to the first bug. $(($end - $start)) s wall with $JOBS processes."
