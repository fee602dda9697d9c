#!/bin/sh
# bench/hard/run_all.sh UVSIM LF_OUT AFL_OUT OUTDIR — the whole hard-bug
# benchmark in one go, for a machine lent for a fixed time: run.sh (the
# seeded strategies), run_fuzzers.sh (libFuzzer, then AFL++), run_fixed.sh
# (the fixed variants under each fuzzer), in that order of importance, each
# with JOBS processes (default 2), CAMPAIGNS campaigns (20) of RUNS
# schedules or executions (10000), FIXED_S seconds (60) per fixed run.
# Per-campaign lines go to OUTDIR/{seeded,libfuzzer,afl,fixed}.txt as each
# campaign ends, the tables to stdout at the end (bench/hard/table.sh makes
# them again from those files). DEADLINE=S (seconds from the start; 0 = none)
# stops each phase with timeout(1) so that the later ones keep a share:
# a stopped phase's cells have fewer campaigns than asked (table.sh says how
# many). An empty AFL_OUT leaves AFL++ out. JS programs are not run (run.sh
# JS, run_js.sh). Not a test.
set -u
UVSIM=${1:?usage: run_all.sh UVSIM LF_OUT AFL_OUT OUTDIR}
LF=${2:?}; AFL=${3-}; O=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
: "${JOBS:=2}" "${CAMPAIGNS:=20}" "${RUNS:=10000}" "${FIXED_S:=60}" "${DEADLINE:=0}"
export JOBS
mkdir -p "$O"
t0=$(date +%s)
nfixed=$(sed -n 's/^UVSIM_SCENARIO(\([a-z0-9_]*\), fixed,.*/\1/p' "$here"/../../scenarios/hard/*.c | sort -u | wc -l)
ncol=2; [ -n "$AFL" ] && ncol=4
# the fixed runs' wall time with JOBS at a time
fixed_wall=$(( (nfixed * ncol + JOBS - 1) / JOBS * (FIXED_S + 5) + 10 ))
left() { echo $(( DEADLINE - ($(date +%s) - t0) )); }
# phase NAME RESERVE CMD...: CMD under timeout(1) so that RESERVE seconds
# stay for the phases after it (no limit without DEADLINE)
phase() {
  name=$1; reserve=$2; shift 2
  s=$(date +%s)
  if [ "$DEADLINE" -gt 0 ] && ! command -v timeout >/dev/null; then
    echo "run_all.sh: no timeout(1): $name runs without a limit"
    "$@" || echo "run_all.sh: $name: exit $?"
  elif [ "$DEADLINE" -gt 0 ]; then
    t=$(( $(left) - reserve ))
    if [ "$t" -lt 10 ]; then echo "run_all.sh: $name: no time left, not run"; return; fi
    echo "run_all.sh: $name: at most $t s"
    timeout "$t" "$@" || echo "run_all.sh: $name: exit $? (124: stopped at its limit)"
  else
    "$@" || echo "run_all.sh: $name: exit $?"
  fi
  echo "run_all.sh: $name: $(( $(date +%s) - s )) s wall"
}
aflr=0; [ -n "$AFL" ] && aflr=90
phase seeded $((60 + aflr + fixed_wall)) env JS=0 RESULTS="$O/seeded.txt" \
  sh "$here/run.sh" "$UVSIM" "$CAMPAIGNS" "$RUNS"
phase libfuzzer $((aflr + fixed_wall)) env COLUMNS_ONLY="libfuzzer libfuzzer+ord" RESULTS="$O/libfuzzer.txt" \
  sh "$here/run_fuzzers.sh" "$LF" "" "$CAMPAIGNS" "$RUNS"
[ -n "$AFL" ] && phase afl "$fixed_wall" env COLUMNS_ONLY="afl afl+ord" RESULTS="$O/afl.txt" \
  sh "$here/run_fuzzers.sh" "$LF" "$AFL" "$CAMPAIGNS" "$RUNS"
if [ "$DEADLINE" -gt 0 ] && [ "$(left)" -lt "$fixed_wall" ] && [ "$(left)" -ge $((FIXED_S + 15)) ]; then
  echo "run_all.sh: fixed: $(left) s left: all $((nfixed * ncol)) runs at once"
  JOBS=$((nfixed * ncol)); export JOBS
fi
phase fixed 0 env RESULTS="$O/fixed.txt" sh "$here/run_fixed.sh" "$LF" "$AFL" "$FIXED_S"
echo "run_all.sh: $(( $(date +%s) - t0 )) s wall in all"
for f in seeded libfuzzer afl; do
  [ -s "$O/$f.txt" ] || continue
  echo; echo "$f ($O/$f.txt):"; sh "$here/table.sh" "$O/$f.txt" "$RUNS"
done
[ -s "$O/fixed.txt" ] && { echo; echo "fixed ($O/fixed.txt):"; cat "$O/fixed.txt"; }
exit 0
