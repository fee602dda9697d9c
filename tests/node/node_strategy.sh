#!/bin/sh
# tests/node/node_strategy.sh UVSIM PROGRAMS — `uvsim node --strategy` on
# lost_update.js: for pct, nodefz and dfs the runs (exit, trace hash,
# output: --runs-log) are the same through the fork server, with a process
# per run and (not dfs, which runs one at a time) with --jobs 2; each finds
# the lost update, and its reproducer names the strategy and replays.
# Skipped (77) where Debian's node 18 is absent.
set -u
uvsim=$1 programs=$2
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" 2>/dev/null | head -40; exit 1; }
cp "$programs/lost_update.js" "$tmp/"
cd "$tmp"

for s in pct nodefz dfs; do
  for mode in "--jobs 1" "--no-fork-server" "--jobs 2"; do
    log="log.$s.$(echo "$mode" | tr -d ' -')"
    "$uvsim" node --runs 12 --seed 3 --strategy "$s" $mode --quiet --no-report --no-minimize \
      --corpus "corpus.$s" --runs-log "$log" lost_update.js >out 2>&1
    [ $? = 1 ] || fail "$s $mode: the lost update was not found"
    grep -q "natural order + [0-9]* $s schedules" out || fail "$s $mode: summary"
    cmp -s "$log" "log.$s.jobs1" || { diff "$log" "log.$s.jobs1" | head; fail "$s: $mode ran other schedules"; }
  done
  f=$(ls corpus.$s/node-lost_update/*.uvsim | head -1)
  grep -q "^strategy $s\$" "$f" || fail "$s: the reproducer does not name the strategy"
  "$uvsim" replay "$f" >out 2>&1
  grep -q "^reproduced exactly" out || fail "$s: the reproducer does not replay exactly"
done
echo ok
