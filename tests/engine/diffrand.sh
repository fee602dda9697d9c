#!/bin/sh
# tests/engine/diffrand.sh NODE BINARY SEED... — for each seed, node runs the
# random forest (diffrand.js) and the engine runs the same SPEC (diffrand.c);
# the orders must be identical.
set -u
node=$1 bin=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
tmp=${TMPDIR:-/tmp}/uvsim-diffrand.$$
trap 'rm -f "$tmp".js "$tmp".c' EXIT
for seed in "$@"; do
  "$node" "$here/diffrand.js" "$seed" >"$tmp".js || exit 1
  "$bin" "$(head -1 "$tmp".js)" >"$tmp".c || exit 1
  if ! diff -u "$tmp".js "$tmp".c >/dev/null; then
    echo "diffrand seed $seed: engine order differs from node:" >&2
    diff -u "$tmp".js "$tmp".c | head -20 >&2
    exit 1
  fi
  echo "seed $seed: $(($(wc -l <"$tmp".js) - 1)) lines identical"
done
