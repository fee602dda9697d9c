#!/bin/sh
# bench/hard/run_js.sh UVSIM [CAMPAIGNS] [RUNS] — the hard-bug benchmark's
# JS row (issue 15): for each program of bench/hard/js/ and each column,
# CAMPAIGNS campaigns (default 20, seeds 1..CAMPAIGNS) of at most RUNS
# schedules (default 10000) under `uvsim node --stop-at-first`: a campaign
# ends at its first failing run, so one that finds the bug early is cheap
# (node forks a process per schedule from its fork server: ~10 a second).
#
# Columns: random (`uvsim node --runs RUNS`: seeded schedules), random-slow
# (the same with UVSIM_SLOW=1: a duration's non-natural answer uniform over
# its tail buckets), fuzz (`uvsim node --fuzz --runs RUNS`: coverage-guided
# tapes). COLUMNS may also name pct3, pct4 (--pct-depth 4), nodefz and dfs:
# `uvsim node --strategy`, run's strategies in each node process (not in
# the default columns: not measured here yet).
#
# Per-campaign lines go to RESULTS (default a temporary file), appended as
# each campaign ends: "program column seed first budget", first being the
# run `uvsim node` prints for the first failure ("first at run N": 0 the
# natural order, N the N-th seeded schedule or tape) or "-" when none of
# the RUNS failed, budget being RUNS. A first failure that is not the
# program's AssertionError (e.g. a wall-clock timeout on a loaded machine)
# is kept as "x": the campaign stopped there without finding the bug.
# table.sh RESULTS RUNS makes the table.
#
# Knobs: ONLY="hard_a hard_b" those programs; COLUMNS="random fuzz" those
# columns; SKIP="hard_a:random ..." leaves those cells out; FIRST=S the
# first seed (default 1: seeds FIRST..FIRST+CAMPAIGNS-1); UNTIL=EPOCH (date
# +%s) starts no campaign after that time and gives the one running then
# `--time` up to it: a campaign cut so before its budget without finding
# the bug is left out of RESULTS (said on stderr), not counted as a miss;
# JOBS=N campaigns at a time (default 1; each runs one schedule at a time);
# TIMEOUT=S per run (default 120); FIXED_S=S (default 0: none): afterwards
# each fixed variant S seconds of random and of fuzz, lines "program
# column-fixed seconds runs failing" to FIXED (default RESULTS.fixed).
# Not a test (timings and luck): run by hand, write the command, date and
# load into bench/hard/README.md.
set -u
UVSIM=${1:?usage: run_js.sh UVSIM [CAMPAIGNS] [RUNS]}
CAMPAIGNS=${2:-20}
RUNS=${3:-10000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
RESULTS=${RESULTS:-$tmp/results}
FIXED=${FIXED:-$RESULTS.fixed}
JOBS=${JOBS:-1}; TIMEOUT=${TIMEOUT:-120}; FIRST=${FIRST:-1}; FIXED_S=${FIXED_S:-0}
COLUMNS=${COLUMNS:-random random-slow fuzz}
names=${ONLY:-$(cd "$here/js" && ls *.js | sed 's/\.js$//')}

# one job per line, seed by seed (a run stopped early has about as many
# campaigns in every cell)
s=$FIRST; while [ $s -lt $((FIRST + CAMPAIGNS)) ]; do
  for n in $names; do for c in $COLUMNS; do
    case " ${SKIP:-} " in *" $n:$c "*) ;; *) echo "$n $c $s" ;; esac
  done; done
  s=$((s + 1))
done > "$tmp/jobs"

UNTIL=${UNTIL:-0}
export UVSIM RUNS TIMEOUT tmp here UNTIL
echo "run_js.sh: $(wc -l < "$tmp/jobs") campaigns from $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
xargs -r -P "$JOBS" -L 1 sh -c '
  n=$0; c=$1; s=$2; js=$here/js/$n.js; d=$tmp/$n-$c-$s
  common="--runs $RUNS --seed $s --timeout $TIMEOUT --stop-at-first --no-minimise --quiet --corpus $d/corpus"
  if [ "$UNTIL" -gt 0 ]; then
    left=$((UNTIL - $(date +%s)))
    if [ $left -le 0 ]; then echo "run_js.sh: $n $c $s: past UNTIL, not run" >&2; exit 0; fi
    common="$common --time $left"
  fi
  case $c in
    random) out=$("$UVSIM" node $common --no-report "$js" buggy 2>&1) ;;
    random-slow) out=$(UVSIM_SLOW=1 "$UVSIM" node $common --no-report "$js" buggy 2>&1) ;;
    fuzz) out=$("$UVSIM" node --fuzz --out "$d/out" $common "$js" buggy 2>&1) ;;
    pct3) out=$("$UVSIM" node --strategy pct $common --no-report "$js" buggy 2>&1) ;;
    pct4) out=$("$UVSIM" node --strategy pct --pct-depth 4 $common --no-report "$js" buggy 2>&1) ;;
    nodefz) out=$("$UVSIM" node --strategy nodefz $common --no-report "$js" buggy 2>&1) ;;
    dfs) out=$("$UVSIM" node --strategy dfs $common --no-report "$js" buggy 2>&1) ;;
    *) echo "run_js.sh: unknown column $c" >&2; exit 0 ;;
  esac
  first=$(printf "%s\n" "$out" | sed -n "s/^  first at run \([0-9]*\) .*/\1/p" | head -1)
  if [ -n "$first" ] && ! grep -q "^failure: .*AssertionError" <<<"$out"; then
    echo "run_js.sh: $n $c $s: the first failure is not the bug:" >&2
    printf "%s\n" "$out" | grep "^failure:" >&2
    first=x
  fi
  summary=$(printf "%s\n" "$out" | grep -E "^(node|fuzz): [0-9]+ runs" | tail -1)
  echo "run_js.sh: $n $c $s: ${first:--}; $summary; load $(cut -d" " -f1 /proc/loadavg)" >&2
  case "${first:--}:$summary" in
    -:*"stopped by --time"*) echo "run_js.sh: $n $c $s: cut by UNTIL, left out" >&2 ;;
    *) echo "$n $c $s ${first:--} $RUNS" ;;
  esac
  rm -rf "$d"' < "$tmp/jobs" >> "$RESULTS"
echo "run_js.sh: done at $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

if [ "$FIXED_S" -gt 0 ]; then
  for n in $names; do
    for c in random fuzz; do
      if [ $c = fuzz ]; then
        out=$("$UVSIM" node --fuzz --out "$tmp/fx" --runs 100000000 --time "$FIXED_S" --timeout "$TIMEOUT" \
              --no-minimise --quiet --corpus "$tmp/fx" "$here/js/$n.js" fixed 2>&1)
      else
        out=$("$UVSIM" node --runs 100000000 --time "$FIXED_S" --timeout "$TIMEOUT" --no-minimise \
              --no-report --quiet --corpus "$tmp/fx" "$here/js/$n.js" fixed 2>&1)
      fi
      summary=$(printf "%s\n" "$out" | grep -E "^(node|fuzz): [0-9]+ runs" | tail -1)
      runs=$(printf "%s\n" "$summary" | sed -n 's/^[a-z]*: \([0-9]*\) runs.*/\1/p')
      failing=$(printf "%s\n" "$summary" | sed -n 's/.*, \([0-9]*\) failing,.*/\1/p')
      echo "$n $c-fixed $FIXED_S ${runs:-?} ${failing:-?}" >> "$FIXED"
      echo "run_js.sh: fixed $n $c: $summary" >&2
    done
  done
fi
sh "$here/table.sh" "$RESULTS" "$RUNS"
