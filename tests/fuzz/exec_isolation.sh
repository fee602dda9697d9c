#!/usr/bin/env bash
# tests/fuzz/exec_isolation.sh UVSIM PROG — `uvsim exec` keeps every run in
# hand (exec_isolation_prog.c):
#   fork    no process a run forked outlives the campaign (in its process
#           group or out of it, via setsid)
#   hog     a run over --memory is stopped and reported as out of memory
#   closer  a program that closes its inherited descriptors still reports
#           its schedule, and is judged (it used to be refused: "no loop ran")
#   segv    a run killed by SIGSEGV still reports its schedule: the replay
#           check compares trace hashes
set -u
uvsim=$1 prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; pkill -KILL -f -- "$prog fork" 2>/dev/null' EXIT
fail=0
bad() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null | head -20; fail=1; }

"$uvsim" exec --runs 5 --quiet -- "$prog" fork >"$tmp/out" 2>"$tmp/err" || bad "fork: exit $?"
sleep 0.2
left=$(pgrep -fc -- "$prog fork" || true)
[ "$left" = 0 ] || bad "fork: $left processes outlived the campaign"
[ $fail = 0 ] && echo "ok: fork: no process left"

"$uvsim" exec --runs 1 --memory 200 --timeout 60 --quiet -- "$prog" hog >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || bad "hog: want exit 1"
grep -q '^failure: out of memory: more than 200 MB resident' "$tmp/out" || bad "hog: not reported as out of memory"
[ $fail = 0 ] && echo "ok: hog: out of memory reported"

"$uvsim" exec --runs 3 --quiet -- "$prog" closer >"$tmp/out" 2>"$tmp/err" || bad "closer: exit $?"
grep -q ' [1-9][0-9]* distinct schedules' "$tmp/out" || bad "closer: its schedules were not reported"
[ $fail = 0 ] && echo "ok: closer: judged, schedules reported"

"$uvsim" exec --runs 2 --quiet -- "$prog" segv >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || bad "segv: want exit 1"
# (under ASan, its SEGV handler reports and exits 1)
grep -q '^failure: signal SIGSEGV\|^failure: exit 1: .*AddressSanitizer' "$tmp/out" ||
  bad "segv: no SIGSEGV failure"
grep -q 'replays: identical (same exit, same output, same trace hash [0-9a-f]\{16\}' "$tmp/out" ||
  bad "segv: no trace hash from the crashed run"
[ $fail = 0 ] && echo "ok: segv: traced"
exit $fail
