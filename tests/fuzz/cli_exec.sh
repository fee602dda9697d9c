#!/bin/sh
# tests/fuzz/cli_exec.sh UVSIM TARGET — `uvsim exec` on an unchanged program
# linked against the real libuv (exec_target.c): the natural order passes,
# some seed makes the pool jobs finish the other way round and the program
# abort; the failure is reported once, replays identically, and the printed
# replay line reproduces it by itself. The fixed variant passes every seed;
# --same-output and a non-zero exit are failures too; bad input is one line
# and status 2.
set -u
UVSIM=$1
TARGET=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null; exit 1; }

"$UVSIM" exec --runs 40 --quiet -- "$TARGET" buggy >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "buggy: want exit 1"
grep -q '^failure: signal SIGABRT: exec_target: assertion failed: jobs finished out of order' "$tmp/out" || fail "buggy: no SIGABRT failure"
[ "$(grep -c '^failure:' "$tmp/out")" = 1 ] || fail "buggy: one signature expected"
grep -q 'replays: identical (same exit, same output, same trace hash [0-9a-f]\{16\}' "$tmp/out" ||
  fail "buggy: replay not identical, or no trace hash from the crashed run"
grep -q 'distinct schedules' "$tmp/out" || fail "buggy: no schedule count"
grep -q '^exec: 41 runs' "$tmp/out" || fail "buggy: summary"
# The replay line alone reproduces it (it aborts: status 134).
line=$(sed -n 's/^  replay: //p' "$tmp/out" | head -1)   # (the seed line; then the reproducer's)
sh -c "$line" >/dev/null 2>"$tmp/replay.err"
[ $? = 134 ] || fail "replay line '$line' did not abort"
grep -q 'out of order (ba)' "$tmp/replay.err" || fail "replay line: wrong failure"

"$UVSIM" exec --runs 40 --quiet -- "$TARGET" fixed >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "fixed: want exit 0"
grep -q '0 failing, 0 signatures' "$tmp/out" || fail "fixed: summary"

"$UVSIM" exec --runs 40 --quiet --same-output "$TARGET" print >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "print: want exit 1 with --same-output"
grep -q '^failure: output: stdout differs from the natural order' "$tmp/out" || fail "print: no output failure"
grep -q '2 distinct outputs' "$tmp/out" || fail "print: want 2 distinct outputs"

"$UVSIM" exec --runs 40 --quiet "$TARGET" exit3 >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "exit3: want exit 1"
grep -q '^failure: exit 3: exec_target: b before a' "$tmp/out" || fail "exit3: signature"

# Same seed, same campaign: the output is a pure function of the options.
"$UVSIM" exec --runs 30 --seed 9 --quiet "$TARGET" buggy >"$tmp/a" 2>/dev/null
"$UVSIM" exec --runs 30 --seed 9 --quiet "$TARGET" buggy >"$tmp/b" 2>/dev/null
grep -v '^exec:' "$tmp/a" >"$tmp/a2"; grep -v '^exec:' "$tmp/b" >"$tmp/b2"
cmp -s "$tmp/a2" "$tmp/b2" || fail "two campaigns with --seed 9 differ"
# A time budget stops starting runs; the summary says so.
"$UVSIM" exec --runs 1000000 --time 0.5 --quiet "$TARGET" fixed >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "--time: want exit 0"
grep -q 'seeds, stopped by --time)' "$tmp/out" || fail "--time: summary does not say it stopped"

# Runs in parallel are judged in run order: the same report.
"$UVSIM" exec --runs 30 --seed 9 --jobs 3 --quiet "$TARGET" buggy >"$tmp/c" 2>/dev/null
grep -v '^exec:' "$tmp/c" >"$tmp/c2"
cmp -s "$tmp/a2" "$tmp/c2" || fail "--jobs 3 reported differently from --jobs 1"

# Interrupted, exec takes its children along (each is its own process
# group; a hung one would otherwise outlive it).
running() {  # is a 'sleep 31.7' alive? (/proc, so no procps needed)
  for f in /proc/[0-9]*/cmdline; do
    [ "$(tr '\0' ' ' <"$f" 2>/dev/null)" = "sleep 31.7 " ] && return 0
  done
  return 1
}
"$UVSIM" exec --runs 3 --timeout 100 -- sleep 31.7 >/dev/null 2>&1 &
pid=$!
for i in $(seq 50); do running && break; sleep 0.1; done
running || fail "the child of the interrupted exec never started"
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || fail "interrupted exec: exit $rc, want 130"
for i in $(seq 20); do running || break; sleep 0.1; done
running && fail "interrupted exec left its child running"

check() {  # check NEEDLE ARGS...
  needle=$1; shift
  "$UVSIM" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" != 2 ] || [ "$(wc -l <"$tmp/err")" != 1 ] || [ -s "$tmp/out" ] || ! grep -q -- "$needle" "$tmp/err"; then
    fail "uvsim $* -> rc=$rc (want 2 and one line with '$needle')"
  fi
}
check "name a program" exec
check "name a program" exec --runs 3
check "cannot run '$tmp/none': No such file" exec -- "$tmp/none"
check "unknown option '--bogus'" exec --bogus -- "$TARGET"
check "--runs: 'x' is not a number" exec --runs x -- "$TARGET"
check "--jobs: 0 is not in 1..64" exec --jobs 0 -- "$TARGET"
check "--time: '0' is not a positive number of seconds" exec --time 0 -- "$TARGET"
check "cannot read $tmp/no.so" exec --lib "$tmp/no.so" -- "$TARGET"
check "'/data' is not SIM=REAL" exec --map /data -- "$TARGET"
check "exited without starting uvsim's simulated world" exec --runs 2 -- true
echo "ok: exec found, replayed and reported the ordering bug; fixed passes; bad input refused"
