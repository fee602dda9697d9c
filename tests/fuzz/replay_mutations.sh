#!/usr/bin/env bash
# tests/fuzz/replay_mutations.sh UVSIM CORPUS — a reproducer whose decision
# lines were changed (kind, label, option count, an extra line) is never
# replayed as "reproduced exactly": the replay names the mismatch, and
# --strict fails on it. The unchanged file replays exactly.
set -uo pipefail
uvsim=$1 corpus=$2
f=$corpus/write_after_close/buggy-93691b56883a.uvsim
line='net_latency 2/7 tcp:server_read write'
grep -qx "$line" "$f" || { echo "FAIL: $f lacks the line '$line' (corpus regenerated?)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

out=$("$uvsim" replay --strict "$f") || { echo "FAIL: unchanged file: $out"; fail=1; }
grep -qx 'reproduced exactly' <<<"$out" || { echo "FAIL: unchanged file not exact: $out"; fail=1; }

check() {   # NAME REPLACEMENT EXPECTED-MESSAGE (REPLACEMENT may be two lines)
  awk -v line="$line" -v rep="$2" '
    /^decisions / { n = $2 + (index(rep, "\n") ? 1 : 0); print "decisions " n; next }
    $0 == line { print rep; next } { print }' "$f" > "$tmp/$1.uvsim"
  out=$("$uvsim" replay "$tmp/$1.uvsim")
  if grep -qx 'reproduced exactly' <<<"$out"; then echo "FAIL: $1: said 'reproduced exactly'"; fail=1; fi
  if ! grep -q "$3" <<<"$out"; then echo "FAIL: $1: no '$3' in:"; echo "$out"; fail=1; fi
  if "$uvsim" replay --strict "$tmp/$1.uvsim" > "$tmp/strict.out"; then
    echo "FAIL: $1: --strict exited 0"; cat "$tmp/strict.out"; fail=1
  fi
  [ $fail = 0 ] && echo "ok: $1: $(grep -m1 'diverged\|changed\|never asked' <<<"$out")"
}
check kind 'timer_lag 2/7 tcp:server_read write' 'replay diverged at decision [0-9]*: recorded `timer_lag 2/7'
check label 'net_latency 2/7 tcp:somewhere_else write' 'never asked for'
check count 'net_latency 2/3 tcp:server_read write' 'changed option count'
check clamp 'net_latency 9/12 tcp:server_read write' 'choice clamped'
check extra "$line\ntimer_lag 3/7 timer:nobody" 'never asked for'
exit $fail
