#!/bin/sh
# tests/fuzz/exec_sweep.sh UVSIM TESTS_BINDIR [RUNS] — every differential
# program built against the real libuv (tests/diff, tests/diff-world), run
# unchanged by `uvsim exec` under RUNS seeded schedules (default 20): none
# may crash, exit non-zero or hang. Programs that never start the simulated
# world (pure helpers: error names, address parsing) are skipped, by name.
set -u
UVSIM=$1
DIR=$2
RUNS=${3:-20}
fail=0
n=0
for p in "$DIR"/diff/diffl_real_* "$DIR"/diff-world/diffw_real_*; do
  [ -x "$p" ] || continue
  out=$("$UVSIM" exec --quiet --runs "$RUNS" --jobs 2 --timeout 20 -- "$p" 2>&1)
  rc=$?
  case "$rc:$out" in
    0:*) n=$((n + 1)) ;;
    2:*"without starting uvsim's simulated world"*) ;;
    *) echo "FAIL: $p (exit $rc):"; echo "$out" | head -8; fail=1 ;;
  esac
done
[ $n -ge 50 ] || { echo "FAIL: only $n programs explored"; fail=1; }
[ $fail = 0 ] && echo "ok: $n unchanged programs, $RUNS seeded schedules each, none failed"
exit $fail
