#!/bin/sh
# bench/hard/run.sh UVSIM [CAMPAIGNS] [RUNS] — the hard-bug benchmark
# (issue 15 item 2): for each buggy scenario of scenarios/hard/ and each
# strategy, CAMPAIGNS campaigns (default 20, seeds 1..CAMPAIGNS) of at most
# RUNS schedules (default 10000); prints a markdown table: how many
# campaigns found the bug, and the median schedules to the first bug over
# all campaigns (a campaign that found nothing counts as more than RUNS, so
# the median is "> RUNS" when fewer than half found it).
#
# Strategies: random, random --slow (the slow world), pct (depth 3, the
# default, and depth 4: these bugs need three deviations, pct d needs d-1
# change points), nodefz, dfs (deterministic: every seed is the same
# campaign). The libFuzzer and AFL++ columns are not measured here.
#
# JS=0 leaves out the JS programs of bench/hard/js/ (run_js.sh, below).
#
# Not a test (timings and luck): run it by hand, paste the table into
# bench/hard/README.md with the date and the command. JOBS=N campaigns at
# a time (default 2); RESULTS=FILE keeps the per-campaign lines
# ("scenario column seed first-or-dash", written as each campaign ends, so
# a run stopped early still leaves them) in FILE instead of a temporary file.
set -u
UVSIM=${1:?usage: run.sh UVSIM [CAMPAIGNS] [RUNS]}
CAMPAIGNS=${2:-20}
RUNS=${3:-10000}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cell.sh"
src=$here/../../scenarios/hard
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
UVSIM_POOL_INLINE=1; export UVSIM_POOL_INLINE
JOBS=${JOBS:-2}
RESULTS=${RESULTS:-$tmp/results}

names=$(sed -n 's/^UVSIM_SCENARIO(\([a-z0-9_]*\), buggy,.*/\1/p' "$src"/*.c | sort -u)
configs="random|--strategy_random random-slow|--strategy_random_--slow pct3|--strategy_pct pct4|--strategy_pct_--pct-depth_4 nodefz|--strategy_nodefz dfs|--strategy_dfs"
# ONLY="hard_a hard_b" measures those scenarios only; COLUMNS="random dfs"
# those columns only (a partial table, for a row or two on a loaded machine)
[ -n "${ONLY:-}" ] && names=$ONLY
if [ -n "${COLUMNS:-}" ]; then
  keep=""
  for c in $configs; do case " $COLUMNS " in *" ${c%%|*} "*) keep="$keep $c";; esac; done
  configs=$keep
fi

# one job per line: scenario config seed; seed by seed, so that a run
# stopped early has about as many campaigns in every cell
s=1; while [ $s -le "$CAMPAIGNS" ]; do
  for n in $names; do for c in $configs; do echo "$n $c $s"; done; done
  s=$((s + 1))
done > "$tmp/jobs"

export UVSIM RUNS tmp
start=$(date +%s)
while read -r n c s; do
  echo "$n|$c|$s"
done < "$tmp/jobs" | xargs -P "$JOBS" -I{} sh -c '
  IFS="|"; set -- $(echo "{}"); IFS=" "; n=$1; cname=$2; s=$4
  args=$(echo "$3" | tr _ " ")
  out=$("$UVSIM" run "$n/buggy" $args --runs "$RUNS" --seed "$s" --quiet --no-report \
        --no-minimize --corpus "$tmp/c-$cname-$s-$n" 2>&1)
  first=$(printf "%s\n" "$out" | sed -n "s/.*(first at run \([0-9]*\)).*/\1/p" | tail -1)
  echo "$n $cname $s ${first:--}"' > "$RESULTS"
end=$(date +%s)

echo "| hard bug | $(for c in $configs; do printf '%s | ' "${c%%|*}"; done)"
echo "|---|$(for c in $configs; do printf -- '---|'; done)"
for n in $names; do
  row="| $n |"
  for c in $configs; do
    cname=${c%%|*}
    row="$row $(table_cell "$RESULTS" "$n" "$cname" "$RUNS" "$CAMPAIGNS") |"
  done
  echo "$row"
done
echo
echo "$CAMPAIGNS campaigns per cell, at most $RUNS schedules each; cell: campaigns that found the bug, median schedules to the first bug (run index, 0-based). $(($end - $start)) s wall with $JOBS processes."

# JS programs (bench/hard/js/*.js) run under `uvsim node`, one node
# process per schedule forked from one started node: run_js.sh measures
# them with the same CAMPAIGNS and RUNS, --stop-at-first (columns random,
# random-slow, fuzz, and `uvsim node --strategy`'s pct3, pct4, nodefz, dfs
# when COLUMNS names them; its knobs pass through, RESULTS_JS=FILE keeps its
# lines; ONLY and COLUMNS apply to both, so name C programs with JS=0).
# JS=0 leaves them out.
if [ "${JS:-1}" != 0 ]; then
  echo
  RESULTS=${RESULTS_JS:-$tmp/results-js} sh "$here/run_js.sh" "$UVSIM" "$CAMPAIGNS" "$RUNS"
fi
