#!/bin/sh
# tests/node/conf18.sh UVSIM PROGRAM.js — the program prints the same and
# exits the same under plain node 18 and under `uvsim node` at choice 0
# (the natural order). Skipped (77) where Debian's node 18 is absent.
uvsim=$1 js=$2
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
libs=$(cd "$(dirname "$node")/../lib/x86_64-linux-gnu" 2>/dev/null && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
LD_LIBRARY_PATH=$libs "$node" "$js" >"$tmp/plain.out" 2>"$tmp/plain.err"; prc=$?
"$uvsim" node --node "$node" "$js" >"$tmp/sim.out" 2>"$tmp/sim.err"; src=$?
if [ $prc -ne $src ] || ! cmp -s "$tmp/plain.out" "$tmp/sim.out"; then
  echo "DIFFERENT: plain node 18 exit $prc, uvsim node exit $src"
  diff "$tmp/plain.out" "$tmp/sim.out" | head -40
  echo "--- uvsim stderr"; head -20 "$tmp/sim.err"
  exit 1
fi
echo "identical ($(wc -l <"$tmp/plain.out") lines, exit $prc)"
