#!/bin/sh
# tests/node/cli_node.sh UVSIM DIR — `uvsim node` as a user meets it: a long
# timer in no time, a bug found, written, minimised and replayed, a changed
# script refused, determinism of everything observable, bad input refused.
# Skipped (77) where Debian's node 18 is absent.
set -u
uvsim=$1 progs=$2
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cp "$progs"/*.js "$tmp/"
cd "$tmp"

# An hour-long timer: done, on the virtual clock.
out=$("$uvsim" node -e "setTimeout(() => console.log('done'), 3600e3)") || fail "-e exit $?"
[ "$out" = done ] || fail "-e printed '$out'"

# The natural order passes; a campaign finds the lost update.
"$uvsim" node lost_update.js >nat.out 2>&1 || fail "natural order failed: $(cat nat.out)"
grep -q "balance 30" nat.out || fail "natural order printed: $(cat nat.out)"
"$uvsim" node --runs 60 --corpus "$tmp/corpus" --out "$tmp/out" --quiet lost_update.js >camp.out 2>&1
rc=$?; cat camp.out
grep -q "lost update: balance N" "$tmp/out/node-lost_update/report.html" ||
  fail "the HTML report does not show the bug"
[ $rc -eq 1 ] || fail "campaign exit $rc, wanted 1"
grep -q "^failure: uncaught: Error: lost update: balance N (at .*lost_update.js:15)" camp.out ||
  fail "no lost-update signature"
grep -q "replayed twice identically" camp.out || fail "reproducer not replayed identically"
grep -q "decisive decisions" camp.out || fail "no decisive decisions"
file=$(sed -n 's/^  replay: uvsim replay //p' camp.out | head -1)
[ -f "$file" ] || fail "no reproducer file '$file'"
grep -q "^node $node v18" "$file" || fail "reproducer names no node: $(head -20 "$file")"
grep -q "^script-sha256 " "$file" || fail "reproducer has no script hash"
"$uvsim" replay "$file" >rep.out 2>&1 || fail "replay exit $?: $(cat rep.out)"
grep -q "^reproduced" rep.out || fail "replay did not reproduce: $(cat rep.out)"
# Same campaign, two jobs: the same report.
"$uvsim" node --runs 60 --jobs 2 --corpus "$tmp/corpus2" --out "$tmp/out2" --quiet lost_update.js >camp2.out 2>&1
sed 's/in [0-9.]* s ([0-9]*\/s[^)]*)//; s/corpus2/corpus/; s/out2/out/' camp2.out >a; sed 's/in [0-9.]* s ([0-9]*\/s[^)]*)//' camp.out >b
cmp -s a b || { diff a b; fail "--jobs 2 reported differently"; }
# An edited script is replayed by label, with a note, and the bug comes
# back; --strict refuses it.
echo "// edited" >>lost_update.js
"$uvsim" replay "$file" >edit.out 2>&1; rc=$?
[ $rc -eq 0 ] || fail "replay of a changed script: exit $rc: $(cat edit.out)"
grep -q "^note: the script .* changed since this reproducer was written" edit.out || fail "$(cat edit.out)"
grep -q "^reproduced" edit.out || fail "edited script: $(cat edit.out)"
"$uvsim" replay --strict "$file" >edit.out 2>&1; rc=$?
[ $rc -eq 2 ] || fail "strict replay of a changed script: exit $rc"
grep -q "changed since this reproducer was written" edit.out || fail "$(cat edit.out)"

# Everything observable repeats: natural order and a seed.
"$uvsim" node --check-determinism observables.js >det.out 2>&1 || fail "$(cat det.out)"
"$uvsim" node --check-determinism --seed 7 observables.js >>det.out 2>&1 || fail "$(cat det.out)"
"$uvsim" node observables.js >obs.out 2>&1 || fail "observables: $(cat obs.out)"
grep -q "^date 2020-01-01T00:00:00" obs.out || fail "wall clock not virtual: $(cat obs.out)"
grep -q "^timer 1577836801" obs.out || fail "timer not at virtual 1.5 s: $(cat obs.out)"

# uvsim's V8 flags reach V8 (libuvsim-det.so) but not node's command line:
# process.execArgv is the user's own, which fork() passes on to children.
out=$("$uvsim" node -e "console.log(JSON.stringify(process.execArgv))") || fail "execArgv: exit $?"
[ "$out" = '["-e","console.log(JSON.stringify(process.execArgv))"]' ] ||
  fail "process.execArgv is '$out'"
# Math.random follows the seed from the loop's first uv_run (where the fork
# server forks, docs/node.md): a draw at the top level is seed 0's in every
# run; from the first uv_run the main context follows the run's seed, even
# after a top-level draw (libuvsim-det.so resets its Math.random state
# there), the same with and without the fork server.
js='console.log(Math.random()); setImmediate(() => console.log(Math.random()))'
r7=$("$uvsim" node --seed 7 -e "$js") || fail "Math.random: exit $?"
r7b=$("$uvsim" node --seed 7 -e "$js") || fail "Math.random: exit $?"
r8=$("$uvsim" node --seed 8 -e "$js") || fail "Math.random: exit $?"
n7=$("$uvsim" node --no-fork-server --seed 7 -e "$js") || fail "Math.random: exit $?"
n8=$("$uvsim" node --no-fork-server --seed 8 -e "$js") || fail "Math.random: exit $?"
[ "$(echo "$r7" | sed -n 1p)" = "$(echo "$r8" | sed -n 1p)" ] ||
  fail "a top-level Math.random differs by seed: $r7 / $r8"
[ "$r7" = "$r7b" ] || fail "Math.random not repeatable for one seed: $r7 / $r7b"
[ "$(echo "$r7" | sed -n 2p)" != "$(echo "$r8" | sed -n 2p)" ] ||
  fail "Math.random after a top-level draw does not follow the seed: $r7 / $r8"
[ "$r7" = "$n7" ] && [ "$r8" = "$n8" ] ||
  fail "Math.random differs with and without the fork server: $r7 / $n7, $r8 / $n8"
# A context's first draw in a callback follows the seed too.
i7=$("$uvsim" node --seed 7 -e "setImmediate(() => console.log(Math.random()))")
i8=$("$uvsim" node --seed 8 -e "setImmediate(() => console.log(Math.random()))")
[ "$i7" != "$i8" ] || fail "Math.random in a callback does not follow the seed: $i7 $i8"

# A hang is reported (not waited for), naming what keeps the loop alive.
"$uvsim" node hang.js >hang.out 2>&1; rc=$?
[ $rc -eq 86 ] || fail "hang: exit $rc: $(cat hang.out)"
grep -q "uvsim: hang: loop alive (1 active handles, 0 requests: 1 tcp)" hang.out ||
  fail "hang: $(cat hang.out)"

# Bad input: one line, exit 2.
bad() {
  "$uvsim" node "$@" >bad.out 2>&1; rc=$?
  [ $rc -eq 2 ] || fail "uvsim node $*: exit $rc: $(cat bad.out)"
  [ "$(wc -l <bad.out)" -eq 1 ] || fail "uvsim node $*: not one line: $(cat bad.out)"
}
bad missing.js
bad --runs
bad --strategy pct lost_update.js
bad --runs 3 --strategy magic lost_update.js
bad --runs 3 --strategy pct --pct-depth 0 lost_update.js
bad --runs 3 --strategy dfs --dfs-branch 300 lost_update.js
bad --node /bin/true lost_update.js
bad --jobs 0 lost_update.js
if [ -x /usr/bin/node ] && ! LD_TRACE_LOADED_OBJECTS=1 /usr/bin/node | grep -q 'libuv\.so\.1 '; then
  bad --node /usr/bin/node lost_update.js
  grep -q "linked into it statically" bad.out || fail "static node: $(cat bad.out)"
fi
echo "ok"
