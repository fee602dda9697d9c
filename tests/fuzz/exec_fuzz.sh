#!/bin/bash
# tests/fuzz/exec_fuzz.sh UVSIM TARGET — `uvsim exec --fuzz` (issue 15
# item 4) on tests/fuzz/exec_target.c, an unchanged program on the real
# libuv: the coverage-guided loop over tapes finds the ordering bug, keeps
# its tape, and the printed UVSIM_TAPE= line replays it; the same --seed
# gives the same tapes, corpus and findings run by run, with the fork
# server and with a process per run; the fixed variant finds nothing; bad
# flags get one line and exit 2.
set -u
UVSIM=$1
TARGET=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null; exit 1; }
strip() { sed 's/ in [0-9.]* s ([^)]*)//; s,'"$tmp"'/[a-z0-9]*,DIR,g' "$1"; }

"$UVSIM" exec --fuzz --runs 80 --seed 3 --out "$tmp/f1" --runs-log "$tmp/log1" --quiet \
  -- "$TARGET" buggy >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "buggy: want exit 1"
cp "$tmp/out" "$tmp/out1"
grep -q '^failure: signal SIGABRT: exec_target: assertion failed: jobs finished out of order' \
  "$tmp/out" || fail "buggy: not found"
grep -q 'replays: identical' "$tmp/out" || fail "buggy: the tape did not replay as a process"
[ -s "$tmp/f1/finding-1.tape" ] || fail "buggy: no tape kept"
grep -q '^fuzz: 81 runs (natural order + 80 tapes) in .*/s, fork server)' "$tmp/out" ||
  fail "buggy: summary"
corpus=$(sed -n 's/.*corpus \([0-9]*\) tapes.*/\1/p' "$tmp/out")
[ "${corpus:-0}" -ge 2 ] || fail "buggy: the corpus never grew"
line=$(sed -n 's/^  replay: //p' "$tmp/out" | head -1)
case $line in UVSIM_TAPE=*) ;; *) fail "buggy: replay line '$line'" ;; esac
sh -c "$line" >/dev/null 2>"$tmp/replay.err"
[ $? = 134 ] || fail "replay line '$line' did not abort"
grep -q 'jobs finished out of order' "$tmp/replay.err" || fail "replay line: wrong failure"
echo "ok: found, tape kept, replayed: $(grep -m1 '^fuzz:' "$tmp/out")"

# Deterministic given --seed: again, and with a process per run.
"$UVSIM" exec --fuzz --runs 80 --seed 3 --out "$tmp/f2" --runs-log "$tmp/log2" --quiet \
  -- "$TARGET" buggy >"$tmp/out2" 2>"$tmp/err"
"$UVSIM" exec --fuzz --runs 80 --seed 3 --out "$tmp/f3" --runs-log "$tmp/log3" --quiet \
  --no-fork-server -- "$TARGET" buggy >"$tmp/out3" 2>"$tmp/err"
cmp -s "$tmp/log1" "$tmp/log2" || fail "two runs of --seed 3 differ"
cmp -s "$tmp/log1" "$tmp/log3" || { diff "$tmp/log1" "$tmp/log3" | head; fail "fork server and process per run differ"; }
[ "$(strip "$tmp/out1")" = "$(strip "$tmp/out3")" ] || fail "outputs differ"
cmp -s "$tmp/f1/finding-1.tape" "$tmp/f3/finding-1.tape" || fail "kept tapes differ"
"$UVSIM" exec --fuzz --runs 80 --seed 4 --out "$tmp/f4" --runs-log "$tmp/log4" --quiet \
  -- "$TARGET" buggy >/dev/null 2>&1
cmp -s "$tmp/log1" "$tmp/log4" && fail "--seed 4 fuzzed the same tapes as --seed 3"
echo "ok: --seed 3 twice and with --no-fork-server: the same 81 runs; --seed 4 others"

"$UVSIM" exec --fuzz --runs 80 --out "$tmp/f5" --quiet -- "$TARGET" fixed >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "fixed: want exit 0"
grep -q ', 0 failing, 0 signatures' "$tmp/out" || fail "fixed: summary"
echo "ok: fixed: $(grep -m1 '^fuzz:' "$tmp/out")"

for args in "--fuzz --jobs 2" "--out $tmp/x" "--fuzz --out" "--runs-log" "--fuzz --json"; do
  "$UVSIM" exec $args -- "$TARGET" fixed >/dev/null 2>"$tmp/err"
  [ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "'$args': want one line, exit 2"
done
echo "ok: bad flags: one line, exit 2"
