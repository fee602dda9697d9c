#!/bin/bash
# tests/fuzz/exec_strategy.sh UVSIM TARGET — `uvsim exec --strategy` on an
# unchanged program (exec_target.c): each strategy's runs (their outcome
# and trace hash, --runs-log) are the same with --jobs 1 and 2, through the
# fork server and with a process per run; every strategy finds the buggy
# variant's abort and its printed replay line (UVSIM_STRATEGY=...) aborts
# alone; pct's runs leave the natural order at most depth-1 times; dfs
# covers its bounds and stops; bad values are one line and exit 2.
set -u
UVSIM=$1
TARGET=$2
LIB=$(dirname "$UVSIM")/lib/libuvsim.so
# a sanitized libuvsim needs ASan's runtime loaded first, as exec does it
asan=$(ldd "$LIB" | sed -n 's/.*libasan\.so[^ ]* => \([^ ]*\).*/\1/p')
LIB=${asan:+$asan:}$LIB
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" 2>/dev/null | head -20; exit 1; }

for s in random pct nodefz dfs; do
  for mode in "--jobs 1" "--jobs 2" "--jobs 2 --no-fork-server"; do
    log="$tmp/log-$s-${mode// /_}"
    "$UVSIM" exec --runs 24 --quiet --strategy "$s" $mode --runs-log "$log" -- \
      "$TARGET" buggy >"$tmp/out" 2>&1
    [ $? = 1 ] || fail "$s $mode: want exit 1 (the abort found)"
    grep -q "^failure: signal SIGABRT" "$tmp/out" || fail "$s $mode: no abort"
    grep -q "natural order + [0-9]* $s schedules" "$tmp/out" || fail "$s $mode: summary"
    cmp -s "$log" "$tmp/log-$s---jobs_1" || fail "$s: $mode ran other schedules than --jobs 1"
  done
  line=$(sed -n 's/^  replay: //p' "$tmp/out" | head -1)   # (the seed line; then the reproducer's)
  case "$line" in UVSIM_STRATEGY=\'$s:*) ;; *) fail "$s: replay line '$line'" ;; esac
  sh -c "$line" >/dev/null 2>&1
  [ $? = 134 ] || fail "$s: replay line '$line' did not abort"
done
grep -q "all dfs schedules within the bounds" "$tmp/out" || fail "dfs: did not stop at its bounds"

# The child alone (what exec sets up): pct depth d leaves the natural order
# at most d-1 times in a run (its report's nonzero=).
for d in 2 3; do
  for seed in $(seq 1 30); do
    UVSIM_STRATEGY="pct:pct-depth=$d,pct-k=3" UVSIM_SEED=$seed UVSIM_REPORT_PATH="$tmp/rep" \
      LD_PRELOAD="$LIB" "$TARGET" fixed >/dev/null 2>&1
    nz=$(sed -n '1s/.* nonzero=\([0-9]*\) .*/\1/p' "$tmp/rep")
    [ -n "$nz" ] && [ "$nz" -le $((d - 1)) ] || fail "pct depth $d seed $seed: nonzero=$nz"
  done
done

# Bad input: one line, exit 2.
bad() {
  "$UVSIM" exec "$@" >"$tmp/out" 2>&1; rc=$?
  [ $rc = 2 ] || fail "exec $*: exit $rc"
  [ "$(wc -l <"$tmp/out")" = 1 ] || fail "exec $*: not one line"
  grep -q "$want" "$tmp/out" || fail "exec $*: want '$want'"
}
want="unknown strategy 'magic'" bad --strategy magic "$TARGET" fixed
want="pct-depth: 0 is not in" bad --strategy pct --pct-depth 0 "$TARGET" fixed
want="dfs-branch: 300 is above 256" bad --strategy dfs --dfs-branch 300 "$TARGET" fixed
want="nodefz-timer: 101 is not a percentage" bad --nodefz-timer 101 "$TARGET" fixed
want="takes no --strategy" bad --fuzz --strategy pct "$TARGET" fixed
UVSIM_STRATEGY=magic UVSIM_SEED=1 LD_PRELOAD="$LIB" "$TARGET" fixed >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "UVSIM_STRATEGY='magic': unknown strategy" "$tmp/out" ||
  fail "a bad UVSIM_STRATEGY does not stop the program"
echo ok
