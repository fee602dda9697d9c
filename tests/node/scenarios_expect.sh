#!/bin/sh
# tests/node/scenarios_expect.sh UVSIM CORPUS — `uvsim run 'js-*' --expect`:
# every JS scenario's buggy variant is found and its fixed one passes, on
# real node 18. Skipped (77) where Debian's node 18 is absent.
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
n=$("$1" list | grep -c '^js-')
[ "$n" -ge 20 ] || { echo "FAIL: only $n JS scenario variants listed"; exit 1; }
# (Found is what is checked here; minimisation is node_cli's to test.)
exec "$1" run 'js-*' --expect --jobs 2 --no-report --no-minimize --corpus "$2"
