#!/bin/sh
# tests/scenarios/hard.sh UVSIM CORPUS — the hard-bug benchmark's scenarios
# (scenarios/hard/, left out of `uvsim run --all`): each buggy variant's
# checked-in reproducer (corpus/hard_*/) replays its bug, and each fixed
# variant survives a few hundred schedules under every strategy. No timings:
# how hard the bugs are to find is bench/hard/'s business.
set -u
uvsim=$1 corpus=$2
fail=0; n=0
for f in "$corpus"/hard_*/buggy-*.uvsim; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  out=$("$uvsim" replay "$f" 2>&1)
  if printf '%s\n' "$out" | grep -q '^reproduced'; then echo "ok: $f: $(printf '%s\n' "$out" | grep -m1 '^reproduced')"
  else echo "FAIL: $f does not replay its bug:"; printf '%s\n' "$out" | sed 's/^/    /'; fail=1; fi
done
[ $n -ge 1 ] || { echo "FAIL: no reproducers under $corpus/hard_*"; fail=1; }
for v in $("$uvsim" list | awk '$1 ~ /^hard_.*\/fixed$/ { print $1 }'); do
  for s in random pct nodefz dfs; do
    if "$uvsim" run "$v" --strategy "$s" --runs 300 --quiet --no-report --no-minimize \
         --corpus "${TMPDIR:-/tmp}/hard-fixed-$$" >/dev/null 2>&1; then :
    else echo "FAIL: $v failed under $s"; fail=1; fi
  done
  echo "ok: $v survives 300 schedules under random, pct, nodefz, dfs"
done
rm -rf "${TMPDIR:-/tmp}/hard-fixed-$$"
exit $fail
