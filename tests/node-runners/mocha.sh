#!/usr/bin/env bash
# tests/node-runners/mocha.sh UVSIM — tests/node-runners/mocha, a suite
# run by mocha 10 (in-process, its .mocharc.json: spec reporter, a root hook
# that writes failing tests' stacks on stderr) under `uvsim node`.
#
# mocha comes from npm at test time, into tests/node-runners/work/mocha10
# (git-ignored, kept as a cache). It is installed with
# --install-strategy=shallow so that all of mocha's dependencies sit below
# node_modules/mocha: `uvsim node` maps the script's package (mocha's own
# directory) and the project is mapped beside it with --map (a map of a
# directory above mocha's would overlap the automatic one).
# Skipped (77) where Debian's node 18 or npm is absent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
uvsim=${1:?usage: mocha.sh UVSIM}
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
command -v npm >/dev/null || { echo "skipped: no npm"; exit 77; }
npmdir="$here/work/mocha10"
mocha="$npmdir/node_modules/mocha/bin/mocha.js"
if [ ! -f "$npmdir/node_modules/mocha/node_modules/yargs/package.json" ] ||
   ! grep -q '"version": "10\.' "$npmdir/node_modules/mocha/package.json"; then
  rm -rf "$npmdir"; mkdir -p "$npmdir"
  echo "installing mocha@10 into $npmdir"
  npm install --prefix "$npmdir" --install-strategy=shallow --no-audit --no-fund \
      mocha@10 >"$here/work/npm-install.log" 2>&1 ||
    { cat "$here/work/npm-install.log"; echo "FAIL: npm install mocha@10 failed (network?)"; exit 1; }
  [ -f "$npmdir/node_modules/mocha/node_modules/yargs/package.json" ] ||
    { echo "FAIL: npm did not put mocha's dependencies below node_modules/mocha"; exit 1; }
fi
echo "mocha $(sed -n 's/^ *"version": "\(.*\)",/\1/p' "$npmdir/node_modules/mocha/package.json" | head -n1)"
# 8 seeded runs: the default campaign finds the lost entry at run 2 (4 of
# the 8 schedules show it); 40-50 s, most of it the minimisation.
exec "$here/campaign.sh" "$uvsim" "${NODE_RUNNER_RUNS:-8}" \
  'AssertionError.*an appended entry was lost \(at .*journal\.spec\.js:[0-9]+\)' \
  "$here/mocha" --node "$node" --map "$here/mocha=$here/mocha,ro" -- "$mocha"
