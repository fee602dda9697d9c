#!/bin/sh
# tests/fuzz/exec_child_replay.sh UVSIM PROG — a run that is its own process
# (as under `uvsim exec`) reports its children's transcript, and a replay
# of the reproducer made from that report hands the child's output back
# instead of running the child again: exact although the child prints a
# different pid every time. PROG is exec_child_prog.
set -u
UVSIM=$1 PROG=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
lib=$(dirname "$UVSIM")/lib/libuvsim.so
# A sanitized build's libuvsim needs ASan's runtime loaded first (exec does it).
asan=$(ldd "$UVSIM" | sed -n 's/.*=> \(\/[^ ]*libasan[^ ]*\).*/\1/p')
lib=${asan:+$asan:}$lib

# 1. The recorded run: its report carries the child's lines, the output
# (the pid, as hex) among them.
UVSIM_REPORT_PATH="$tmp/rep" LD_PRELOAD="$lib" "$PROG" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -le 1 ] || fail "recorded run: exit $rc: $(cat "$tmp/err")"
pid=$(sed -n 's/^child said //p' "$tmp/out")
[ -n "$pid" ] || fail "recorded run printed: $(cat "$tmp/out")"
hex=$(printf '%s\n' "$pid" | od -An -tx1 | tr -d ' \n')
grep -q "^child 1 spawn 0$" "$tmp/rep" || fail "no child spawn in the report: $(cat "$tmp/rep")"
grep -q "^child 1 out 1 $hex$" "$tmp/rep" ||
  fail "the report lacks the child's output ($hex): $(cat "$tmp/rep")"
grep -q "^child 1 exit 0 0$" "$tmp/rep" || fail "no child exit in the report"

# 2. The reproducer, as uvsim exec/node write one from a report: the
# observations and child lines before the decisions.
{
  echo "uvsim-reproducer 1"
  echo "version 0.1.0"
  echo "scenario exec"
  echo "strategy random"
  echo "seed 0"
  sed -n 's/^o /observed /p; /^child /p' "$tmp/rep"
  echo "decisions $(grep -c '^d ' "$tmp/rep")"
  sed -n 's/^d //p' "$tmp/rep"
  echo "end"
} >"$tmp/r.uvsim"

# 3. Its replays: the recorded pid, the recorded exit, the recorded trace
# hash, although each real child would print another pid.
hash=$(sed 's/.*hash=//;q' "$tmp/rep")
for i in 1 2 3; do
  UVSIM_REPLAY="$tmp/r.uvsim" UVSIM_REPORT_PATH="$tmp/rep$i" LD_PRELOAD="$lib" "$PROG" \
    >"$tmp/out$i" 2>"$tmp/err$i"
  rci=$?
  cmp -s "$tmp/out" "$tmp/out$i" ||
    fail "replay $i printed '$(cat "$tmp/out$i")', recorded '$(cat "$tmp/out")'"
  [ $rci -eq $rc ] || fail "replay $i: exit $rci, recorded $rc: $(cat "$tmp/err$i")"
  [ "$(sed 's/.*hash=//;q' "$tmp/rep$i")" = "$hash" ] || fail "replay $i: another trace hash"
done
echo "ok: the child's output (pid $pid) and exit are replayed from the record (hash $hash)"
