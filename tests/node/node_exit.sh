#!/bin/sh
# tests/node/node_exit.sh UVSIM PROBE DIR — how a `uvsim node` run ends:
# once node has freed its main environment after the loop ran dry, the
# run ends there (loop/det/det.c, "exit"), without V8's teardown and the
# libraries' exit handlers, in every run, started or forked alike. PROBE is
# exit_probe.c built as a node addon: it says on stderr when the process's
# exit handlers run. With DIR/exit_paths.js:
#  - plain node 18 runs the exit handlers (the probe speaks), uvsim node
#    does not, and prints and exits as plain node (the 'exit' handler's
#    200 KB and its process.exitCode, its stderr);
#  - process.exit() and an uncaught exception end as before: the exit
#    handlers run, with node's status;
#  - a campaign's runs are the same forked and started (--runs-log), and
#    differ in their exit status from seed to seed.
# Skipped (77) where Debian's node 18 is absent.
set -u
uvsim=$1 probe=$2 progs=$3
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
libs=$(cd "$(dirname "$node")/../lib/x86_64-linux-gnu" 2>/dev/null && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; head -20 "$tmp/sim.err" 2>/dev/null; exit 1; }
cp "$progs/exit_paths.js" "$tmp/"
cd "$tmp"
said="exit_probe: exit handlers ran"

LD_LIBRARY_PATH=$libs "$node" exit_paths.js loop "$probe" >plain.out 2>plain.err; prc=$?
[ $prc = 4 ] || fail "plain node: exit $prc, wanted 4"
grep -qx "$said" plain.err || fail "plain node: the probe did not speak: $(cat plain.err)"
"$uvsim" node --node "$node" exit_paths.js loop "$probe" >sim.out 2>sim.err; src=$?
[ $src = $prc ] || fail "uvsim node: exit $src, plain node $prc"
cmp -s plain.out sim.out || fail "uvsim node printed otherwise than plain node ($(wc -c <sim.out) bytes)"
grep -qx "stderr t1" sim.err || fail "uvsim node: no stderr from the 'exit' handler"
grep -q "$said" sim.err && fail "uvsim node: the exit handlers ran after the loop"
echo "ok: the loop ran dry: exit $src and $(wc -c <sim.out) bytes as plain node, no exit handlers"

for mode in exit throw; do
  want=5; [ $mode = throw ] && want=1
  "$uvsim" node --node "$node" exit_paths.js $mode "$probe" >sim.out 2>sim.err; src=$?
  [ $src = $want ] || fail "$mode: exit $src, wanted $want"
  grep -qx "$said" sim.err || fail "$mode: the exit handlers did not run"
  grep -q "^end $want " sim.out || fail "$mode: no 'exit' handler output"
done
echo "ok: process.exit() and an uncaught exception end as before (exit handlers run)"

n=8
for mode in default no-fork-server; do
  flag=; [ $mode = no-fork-server ] && flag=--no-fork-server
  "$uvsim" node --node "$node" --runs $n --seed 7 --quiet --no-report --no-minimize \
    --corpus "corpus.$mode" $flag --runs-log "log.$mode" exit_paths.js loop "$probe" \
    >sim.out 2>sim.err
  [ $? -le 1 ] || fail "$mode: campaign exit"
  [ "$(wc -l <"log.$mode")" = $((n + 1)) ] || fail "$mode: not $((n + 1)) runs logged"
done
grep -q '^node: .* runs .*/s, fork server)' sim.out && fail "no-fork-server: a fork server"
cmp -s log.default log.no-fork-server ||
  { diff log.default log.no-fork-server | head; fail "the runs differ with --no-fork-server"; }
grep -q ': exit 3 ' log.default && grep -q ': exit 4 ' log.default ||
  fail "the exit status did not follow the schedule: $(cut -d' ' -f4-6 log.default | sort | uniq -c)"
echo "ok: $((n + 1)) runs identical forked and started, exit 3 and 4 among them"
