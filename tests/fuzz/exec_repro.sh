#!/bin/bash
# tests/fuzz/exec_repro.sh UVSIM TARGET CHILDPROG — `uvsim exec` writes a
# reproducer per failure signature, as `uvsim node` does, and `uvsim replay`
# replays it:
#   1. exec_target buggy: the reproducer (program, SHA-256, argv, decisions)
#      is written under --corpus DIR/exec-exec_target/, minimised (no more
#      decisions off the natural order than the run had; set back to the
#      natural order, the file does not fail), replayed twice identically;
#      `uvsim replay` says "reproduced exactly" (same outcome, output and
#      trace hash) twice, from another directory; --no-minimize keeps it
#      as found; an --same-output failure (exec_target print) replays too;
#   2. exec_child_prog (its child prints its pid, the program fails on an
#      odd one): the reproducer has the child's transcript, and three
#      replays hand the recorded pid back instead of running the child
#      again (the seed line cannot: it runs a new child);
#   3. bad input: a changed program (a note; --strict refuses it), a missing
#      or non-executable program, a truncated or garbled file: one line and
#      exit 2; `uvsim minimize` of an exec reproducer: one line.
set -u
UVSIM=$(realpath "$1") TARGET=$2 CHILDPROG=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" 2>/dev/null; exit 1; }

# ---- 1. the ordering bug
"$UVSIM" exec --runs 40 --quiet --corpus "$tmp/c" -- "$TARGET" buggy >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "buggy: want exit 1"
line=$(grep '^  reproducer: ' "$tmp/out")
file=$(sed -n 's/^  reproducer: \([^ ]*\) .*/\1/p' "$tmp/out")
case $file in "$tmp"/c/exec-exec_target/[0-9a-f]*.uvsim) ;; *) fail "reproducer path '$file'" ;; esac
[ -f "$file" ] || fail "no reproducer file $file"
case $line in *", replayed twice identically)") ;; *) fail "reproducer line: $line" ;; esac
grep -qx "  replay: uvsim replay $file" "$tmp/out" || fail "no 'uvsim replay' line"
grep -q '^  decisive decisions (each set back to the natural order, the bug goes):' "$tmp/out" ||
  fail "no decisive decisions"
grep -qx "program $(realpath "$TARGET")" "$file" || fail "program line: $(grep ^program "$file")"
grep -qx "program-sha256 $(sha256sum "$TARGET" | cut -d' ' -f1)" "$file" || fail "program-sha256"
[ "$(sed -n 's/^arg //p' "$file" | tr '\n' ' ')" = "$TARGET buggy " ] || fail "arg lines"
grep -qx "cwd $(pwd -P)" "$file" || fail "cwd line"
grep -q '^scenario exec:exec_target$' "$file" || fail "scenario line"
grep -q '^output [0-9a-f]\{16\} [0-9a-f]\{16\}$' "$file" || fail "output line"
ran=$(sed -n 's/.*replays: identical.*; [0-9]* decisions, \([0-9]*\) off the natural order).*/\1/p' "$tmp/out")
kept=$(sed -n 's/^  reproducer: .* (\([0-9]*\) decisions, \([0-9]*\) off.*/\2/p' "$tmp/out")
[ -n "$ran" ] && [ -n "$kept" ] && [ "$kept" -le "$ran" ] && [ "$kept" -ge 1 ] ||
  fail "minimised: $kept decisions off the natural order, the run had $ran"
awk '/^decisions /{d=1; print; next} d && / [0-9]+\/[0-9]+ /{sub(/ [0-9]+\//, " 0/")} {print}' \
  "$file" >"$tmp/natural.uvsim"
cd "$tmp"   # the replay runs the program where it ran, wherever it is asked
for i in 1 2; do
  "$UVSIM" replay "$file" >"$tmp/replay$i" 2>&1 || fail "replay $i: exit $?: $(cat "$tmp/replay$i")"
  grep -qx 'reproduced exactly' "$tmp/replay$i" || fail "replay $i: $(cat "$tmp/replay$i")"
  grep -q '^outcome: signal SIGABRT: exec_target: assertion failed: jobs finished out of order' \
    "$tmp/replay$i" || fail "replay $i: outcome"
  grep -q '^output: .*: identical$' "$tmp/replay$i" || fail "replay $i: output differs"
  grep -q '^hash [0-9a-f]* (recorded [0-9a-f]*): identical$' "$tmp/replay$i" || fail "replay $i: hash"
done
cmp -s "$tmp/replay1" "$tmp/replay2" || fail "two replays printed differently"
"$UVSIM" replay "$tmp/natural.uvsim" >"$tmp/nat" 2>&1
[ $? = 1 ] || fail "the natural order of the file: want exit 1: $(cat "$tmp/nat")"
grep -qx 'outcome: pass' "$tmp/nat" && grep -qx 'NOT reproduced' "$tmp/nat" ||
  fail "the file set back to the natural order still fails: $(cat "$tmp/nat")"
cd - >/dev/null
# --no-minimize: as found
"$UVSIM" exec --runs 40 --quiet --no-minimize --corpus "$tmp/c3" -- "$TARGET" buggy >"$tmp/out" 2>&1
grep -q '^  decisions off the natural order (not minimised, so not all decisive):' "$tmp/out" ||
  fail "--no-minimize"
# --same-output: the same bug is a pass that prints the failing run's stdout
"$UVSIM" exec --runs 40 --quiet --same-output --corpus "$tmp/c4" -- "$TARGET" print >"$tmp/out" 2>&1
grep -q '^  reproducer: .*, replayed twice identically)$' "$tmp/out" || fail "--same-output: reproducer"
"$UVSIM" replay "$tmp"/c4/exec-exec_target/*.uvsim >"$tmp/so" 2>&1 &&
  grep -qx 'outcome: output: stdout differs from the natural order' "$tmp/so" &&
  grep -qx 'reproduced exactly' "$tmp/so" || fail "--same-output: replay: $(cat "$tmp/so")"
echo "ok: exec_target's reproducer: $kept of the run's $ran decisions off the natural order kept; replayed exactly twice"

# ---- 2. a child whose output differs run by run
got=
for try in 1 2 3 4 5 6; do
  rm -rf "$tmp/cc"
  "$UVSIM" exec --runs 8 --quiet --corpus "$tmp/cc" -- "$CHILDPROG" >"$tmp/out" 2>"$tmp/err"
  [ $? = 1 ] && { got=1; break; }
  for j in $(seq "$try"); do /bin/true; done   # shift the next campaign's pids by 1, 2, ...
done
[ -n "$got" ] || fail "exec_child_prog never failed (no odd pid in 6 campaigns)"
pid=$(sed -n 's/^  stderr: odd pid \([0-9]*\)$/\1/p' "$tmp/out" | head -1)
[ -n "$pid" ] || fail "no 'odd pid' in the failure block"
file=$(sed -n 's/^  reproducer: \([^ ]*\) .*/\1/p' "$tmp/out")
[ -f "$file" ] || fail "child: no reproducer"
grep -q '^  reproducer: .*, replayed twice identically)$' "$tmp/out" || fail "child: reproducer line"
hex=$(printf '%s\n' "$pid" | od -An -tx1 | tr -d ' \n')
grep -q '^child 1 spawn 0$' "$file" || fail "child: no spawn line in $file"
grep -qx "child 1 out 1 $hex" "$file" || fail "child: the recorded output is not pid $pid: $(grep ^child "$file")"
for i in 1 2 3; do
  "$UVSIM" replay "$file" >"$tmp/creplay$i" 2>&1 || fail "child replay $i: exit $?: $(cat "$tmp/creplay$i")"
  grep -qx 'reproduced exactly' "$tmp/creplay$i" || fail "child replay $i: $(cat "$tmp/creplay$i")"
  grep -qx "odd pid $pid" "$tmp/creplay$i" || fail "child replay $i: not pid $pid: $(cat "$tmp/creplay$i")"
done
# Without its child lines the file runs the child again: another pid, so
# not the recorded run (what the seed line would do).
sed '/^child /d' "$file" >"$tmp/nochild.uvsim"
"$UVSIM" replay "$tmp/nochild.uvsim" >"$tmp/nc" 2>&1
grep -qx 'reproduced exactly' "$tmp/nc" && fail "replayed exactly without the child's transcript: $(cat "$tmp/nc")"
echo "ok: exec_child_prog's reproducer replays pid $pid three times exactly"

# ---- 3. bad input
one_line() {  # one_line NEEDLE ARGS...: exit 2, one line on stderr, nothing on stdout
  needle=$1; shift
  "$UVSIM" "$@" >"$tmp/o" 2>"$tmp/e"
  rc=$?
  [ $rc = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ] && [ ! -s "$tmp/o" ] && grep -q -- "$needle" "$tmp/e" ||
    { cat "$tmp/o" "$tmp/e"; fail "uvsim $*: rc=$rc (want 2 and one line with '$needle')"; }
}
mkdir "$tmp/bin"
cp "$TARGET" "$tmp/bin/prog"
"$UVSIM" exec --runs 40 --quiet --corpus "$tmp/cb" -- "$tmp/bin/prog" buggy >"$tmp/out" 2>&1
file=$(sed -n 's/^  reproducer: \([^ ]*\) .*/\1/p' "$tmp/out")
[ -f "$file" ] || fail "copy: no reproducer"
printf 'x' >>"$tmp/bin/prog"      # still runs; another SHA-256
"$UVSIM" replay "$file" >"$tmp/o" 2>&1 || fail "changed program: exit $?: $(cat "$tmp/o")"
grep -q "^note: the program $tmp/bin/prog changed since this reproducer was written (SHA-256 " \
  "$tmp/o" || fail "changed program: no note: $(cat "$tmp/o")"
one_line "the program $tmp/bin/prog changed since this reproducer was written" \
  replay --strict "$file"
chmod -x "$tmp/bin/prog"
one_line "the program $tmp/bin/prog cannot be run: Permission denied" replay "$file"
rm "$tmp/bin/prog"
one_line "the program $tmp/bin/prog cannot be read: No such file or directory" replay "$file"
head -n 8 "$file" >"$tmp/cut.uvsim"
one_line "missing 'decisions' section" replay "$tmp/cut.uvsim"
sed '$d' "$file" >"$tmp/noend.uvsim"
one_line "missing 'end' (file truncated?)" replay "$tmp/noend.uvsim"
sed 's/^program-sha256 .*/program-sha256 xyz/' "$file" >"$tmp/bad.uvsim"
one_line "program-sha256 'xyz' must be 64 hex digits" replay "$tmp/bad.uvsim"
sed '/^program-sha256 /d' "$file" >"$tmp/nosha.uvsim"
one_line "'program' needs 'program-sha256'" replay "$tmp/nosha.uvsim"
head -c 300 /dev/urandom | tr -d '\000' >"$tmp/garbage.uvsim"
one_line "not a uvsim reproducer" replay "$tmp/garbage.uvsim"
one_line "is an exec reproducer" minimize "$file"
echo "ok: a changed, missing or non-executable program and truncated or garbled files: one line each"
