#!/bin/sh
# tests/fuzz/libfuzzer_afl_replay.sh AFL_OUT UVSIM — the AFL++ target as its
# users expect it (issue 15 item 6): afl-fuzz finds lost_update/buggy in
# persistent mode; the same binary given a saved crash file as argv[1]
# replays it and aborts (a saved crash never passes silently), writing the
# finding as <crash file>.uvsim, which `uvsim replay` reproduces; a file
# that does not crash exits 0.
set -u
OUT=$1
UVSIM=$2
T=$OUT/uvsim_fuzz_lost_update_buggy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*"; exit 1; }
mkdir in; printf '\000' > in/zero
# afl-fuzz refuses ASAN_OPTIONS without abort_on_error=1 (scripts/test's
# sanitized pass sets abort_on_error=0 for everything else); the AFL++
# target is built by fuzz/build.sh with its own flags, so it gets afl's.
unset ASAN_OPTIONS UBSAN_OPTIONS
AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_BENCH_UNTIL_CRASH=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -i in -o out -E 50000 -s 1 -- "$T" >afl.log 2>&1
grep -q "Persistent mode binary detected" afl.log || { tail -20 afl.log; fail "not persistent mode"; }
crash=$(ls out/default/crashes/id:* 2>/dev/null | head -1)
[ -n "$crash" ] || { tail -20 afl.log; fail "afl-fuzz saved no crash"; }
cp "$crash" saved-crash
"$T" saved-crash >replay.log 2>&1
rc=$?
[ "$rc" != 0 ] || { cat replay.log; fail "the saved crash passed (exit 0)"; }
grep -q "^uvsim-finding: invariant: lost_update" replay.log || { cat replay.log; fail "no finding"; }
[ -f saved-crash.uvsim ] || fail "no saved-crash.uvsim beside the crash file"
"$UVSIM" replay saved-crash.uvsim >/dev/null 2>&1 || fail "saved-crash.uvsim does not replay"
"$T" in/zero >ok.log 2>&1 || { cat ok.log; fail "a file that does not crash: exit $?"; }
[ ! -e in/zero.uvsim ] || fail "a finding file for a file that does not crash"
echo "ok: AFL++ finds, and the binary replays its crash file"
