#!/bin/sh
# tests/node/node_fuzz.sh UVSIM JSDIR — `uvsim node --fuzz` (issue 15 item
# 4): exec --fuzz's coverage-guided loop over tapes, with node's runs, on
# scenarios/js/lazy_cache.js (two callers load a lazy singleton twice when
# one pool job is slow: random finds it within a few schedules). A finding
# is kept as a tape, the printed `UVSIM_TAPE=... uvsim node ...` line
# replays it, and so does its reproducer (`uvsim replay`); the same --seed
# gives the same campaign; bad flags get one line and exit 2. Skipped (77) where Debian's node 18 is absent.
set -u
uvsim=$1 js=$2/lazy_cache.js
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null; exit 1; }
cd "$tmp" || exit 1

"$uvsim" node --fuzz --runs 24 --seed 1 --out "$tmp/f" --corpus "$tmp/corpus" \
  --no-minimize --quiet "$js" buggy >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "buggy: want exit 1"
grep -q '^failure: uncaught: AssertionError' "$tmp/out" || fail "buggy: not found"
grep -q '^  first at run [0-9]* (tape of [0-9]* bytes*)' "$tmp/out" || fail "buggy: first run"
grep -q 'replays: identical' "$tmp/out" || fail "buggy: the tape did not replay as a process"
[ -f "$tmp/f/finding-1.tape" ] || fail "buggy: no tape kept"
grep -q '^fuzz: 25 runs (natural order + 24 tapes) in .*, fork server), corpus [0-9]* tapes' \
  "$tmp/out" || fail "buggy: summary"
line=$(sed -n 's/^  replay: //p' "$tmp/out" | head -1)
case $line in "UVSIM_TAPE=$tmp/f/finding-1.tape $uvsim node "*) ;; *) fail "replay line '$line'" ;; esac
sh -c "$line" >/dev/null 2>"$tmp/replay.err"
[ $? = 1 ] || fail "replay line '$line' did not exit 1"
grep -q '^AssertionError' "$tmp/replay.err" || fail "replay line: not the same failure"
echo "ok: found, tape kept, '$line' replays: $(grep -m1 '^fuzz:' "$tmp/out")"

repro=$(sed -n 's/^  replay: uvsim replay //p' "$tmp/out" | head -1)
[ -f "$repro" ] || fail "no reproducer"
"$uvsim" replay "$repro" >"$tmp/rep" 2>&1
sig=$(sed -n 's/^failure: //p' "$tmp/out" | head -1)
grep -qF "outcome: $sig" "$tmp/rep" || { cat "$tmp/rep"; fail "the reproducer: not '$sig'"; }
echo "ok: its reproducer replays: $sig"

# Deterministic given --seed: the same campaign again finds the same at
# the same run, with the same corpus, coverage and tape.
"$uvsim" node --fuzz --runs 24 --seed 1 --out "$tmp/g" --corpus "$tmp/corpus2" \
  --no-minimize --quiet "$js" buggy >"$tmp/out2" 2>"$tmp/err"
strip() { sed 's/ in [0-9.]* s ([^)]*)//; s,'"$tmp"'/[a-z0-9]*,DIR,g' "$1"; }
[ "$(strip "$tmp/out")" = "$(strip "$tmp/out2")" ] ||
  { diff "$tmp/out" "$tmp/out2"; fail "two campaigns of --seed 1 differ"; }
cmp -s "$tmp/f/finding-1.tape" "$tmp/g/finding-1.tape" || fail "kept tapes differ"
echo "ok: --seed 1 twice: the same output and tape"

: >"$tmp/file"
for args in "--fuzz --jobs 2" "--fuzz --json" "--fuzz --check-determinism" \
            "--fuzz --runs x" "--fuzz --out $tmp/file"; do
  "$uvsim" node $args "$js" fixed >/dev/null 2>"$tmp/err"
  [ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "'$args': want one line, exit 2"
done
"$uvsim" node --fuzz --out >/dev/null 2>"$tmp/err"
[ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "'--fuzz --out': want one line, exit 2"
echo "ok: bad flags: one line, exit 2"
