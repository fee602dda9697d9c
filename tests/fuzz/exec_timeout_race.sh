#!/bin/sh
# tests/fuzz/exec_timeout_race.sh UVSIM TARGET — issue 15's must-show: a
# program with a 20 ms timeout racing a pool job, written against the real
# libuv and run unchanged under `uvsim exec`. The buggy variant (the late
# reply answers the caller a second time) is found, needs a pool job in the
# slow tail (100 ms or more), and replays; the fixed variant survives
# 10,000 schedules, affordable since the fork server (issue 15 item 4: the
# program starts once per job, a fork per schedule; a process per schedule
# took about 6 minutes). Before the latency tails a job lasted at most 10 ms
# and no seed could find it.
set -u
UVSIM=$1
TARGET=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null; exit 1; }

"$UVSIM" exec --runs 300 --quiet -- "$TARGET" buggy >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "buggy: want exit 1"
grep -q '^failure: signal SIGABRT: exec_timeout_race: caller answered twice' "$tmp/out" ||
  fail "buggy: no 'answered twice' failure"
grep -q 'replays: identical' "$tmp/out" || fail "buggy: replay not identical"
line=$(sed -n 's/^  replay: //p' "$tmp/out" | head -1)
[ -n "$line" ] || fail "buggy: no replay line"
sh -c "$line" >/dev/null 2>"$tmp/replay.err"
[ $? = 134 ] || fail "replay line '$line' did not abort"
grep -q 'answered twice' "$tmp/replay.err" || fail "replay line: wrong failure"
echo "ok: buggy found: $(grep -m1 '^exec:' "$tmp/out")"

"$UVSIM" exec --runs 10000 --jobs 2 --quiet -- "$TARGET" fixed >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "fixed: want exit 0"
grep -q '^exec: 10001 runs (natural order + 10000 seeds) in .*, fork server)' "$tmp/out" ||
  fail "fixed: not 10,000 schedules through the fork server"
grep -q '0 failing, 0 signatures' "$tmp/out" || fail "fixed: summary"
echo "ok: fixed survives: $(grep -m1 '^exec:' "$tmp/out")"
