#!/usr/bin/env bash
# tests/node-runners/node-test.sh UVSIM — tests/node-runners/node-test, a
# suite for node 18's built-in runner (node:test), run as its package.json
# says but under `uvsim node`: the test file directly (node 18 then runs its
# tests in-process; `node --test` would spawn a child per file), spec report
# on stdout, failing tests' stacks on stderr (test/stack-reporter.js).
# Skipped (77) where Debian's node 18 is absent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
uvsim=${1:?usage: node-test.sh UVSIM}
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
# 16 seeded runs: the default campaign finds the lost visit at run 4 (about
# a quarter of the schedules show it); ~35 s with the minimisation.
exec "$here/campaign.sh" "$uvsim" "${NODE_RUNNER_RUNS:-16}" \
  'AssertionError.*a concurrent visit was lost \(at .*visits\.test\.js:[0-9]+\)' \
  "$here/node-test" --node "$node" -- \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./test/stack-reporter.js --test-reporter-destination=stderr \
  test/visits.test.js
