#!/bin/bash
# tests/fuzz/exec_stop_first.sh UVSIM TARGET — `uvsim exec --stop-at-first`
# (seeded and --fuzz) on tests/fuzz/exec_target.c: the campaign stops at
# the first failing run, which is the same run as without the option, and
# what it counts (runs, failing runs, the runs log) does not depend on
# --jobs: later runs that were in flight when the failure was judged are
# dropped. bench/hard measures time to the first bug with it.
set -u
UVSIM=$1
TARGET=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" 2>/dev/null; exit 1; }
strip() { sed 's/ in [0-9.]* s ([^)]*)//; s,'"$tmp"'/[a-z0-9]*,DIR,g' "$1"; }

# Without the option: the first failing run, and more failing runs after it
# (else stopping would show nothing); --seed 6: the first is run 6, so with
# --jobs 3 runs below it and above it are in flight together.
"$UVSIM" exec --runs 60 --seed 6 --quiet -- "$TARGET" buggy >"$tmp/out" 2>/dev/null
[ $? = 1 ] || fail "buggy: want exit 1"
first=$(sed -n 's/^  first at run \([0-9]*\) (seed.*/\1/p' "$tmp/out")
failing=$(sed -n 's/.*, \([0-9]*\) failing, .*/\1/p' "$tmp/out")
[ -n "$first" ] && [ "${failing:-0}" -ge 2 ] || fail "buggy: want a first run and 2+ failing"

for j in 1 2 3; do
  "$UVSIM" exec --runs 60 --seed 6 --jobs $j --stop-at-first --runs-log "$tmp/log$j" --quiet \
    -- "$TARGET" buggy >"$tmp/out" 2>/dev/null
  [ $? = 1 ] || fail "--jobs $j: want exit 1"
  cp "$tmp/out" "$tmp/out$j"
  grep -q "^  first at run $first (seed" "$tmp/out" || fail "--jobs $j: first run is not $first"
  grep -q "^exec: $((first + 1)) runs (natural order + $first seeds, stopped at the first failure) .*, 1 failing, 1 signature\$" \
    "$tmp/out" || fail "--jobs $j: summary"
  [ "$(wc -l <"$tmp/log$j")" = $((first + 1)) ] || fail "--jobs $j: runs log"
done
for j in 2 3; do
  [ "$(strip "$tmp/out1")" = "$(strip "$tmp/out$j")" ] || fail "--jobs 1 and $j print differently"
  cmp -s "$tmp/log1" "$tmp/log$j" || fail "--jobs 1 and $j logged different runs"
done
echo "ok: seeded: stopped at run $first of 60 ($failing failing without the option), --jobs 1, 2, 3 alike"

"$UVSIM" exec --runs 60 --stop-at-first --quiet -- "$TARGET" fixed >"$tmp/out" 2>/dev/null
[ $? = 0 ] || fail "fixed: want exit 0"
grep -q '^exec: 61 runs (natural order + 60 seeds) .*, 0 failing, 0 signatures$' "$tmp/out" ||
  fail "fixed: all 60 runs"
echo "ok: fixed: all 61 runs"

"$UVSIM" exec --fuzz --runs 80 --seed 3 --out "$tmp/f1" --quiet -- "$TARGET" buggy >"$tmp/out" 2>/dev/null
ffirst=$(sed -n 's/^  first at run \([0-9]*\) (tape.*/\1/p' "$tmp/out" | head -1)
ffail=$(sed -n 's/.*, \([0-9]*\) failing, .*/\1/p' "$tmp/out")
[ -n "$ffirst" ] && [ "${ffail:-0}" -ge 2 ] || fail "fuzz: want a first run and 2+ failing"
"$UVSIM" exec --fuzz --runs 80 --seed 3 --stop-at-first --out "$tmp/f2" --quiet \
  -- "$TARGET" buggy >"$tmp/out" 2>/dev/null
[ $? = 1 ] || fail "fuzz: want exit 1"
grep -q "^  first at run $ffirst (tape" "$tmp/out" || fail "fuzz: first run is not $ffirst"
grep -q "^fuzz: $((ffirst + 1)) runs (natural order + $ffirst tapes, stopped at the first failure) .*, 1 failing, 1 signature\$" \
  "$tmp/out" || fail "fuzz: summary"
cmp -s "$tmp/f1/finding-1.tape" "$tmp/f2/finding-1.tape" || fail "fuzz: another tape"
echo "ok: fuzz: stopped at tape $ffirst of 80 ($ffail failing without the option)"
