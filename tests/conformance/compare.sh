#!/bin/sh
# tests/conformance/compare.sh NODE PROGRAM.js BINARY NAME
# Runs the JS program under real node and the C twin; their stdout and exit
# status must be identical. stderr (node's stack traces) is not compared.
#
# Real node (and the twin built on real libuv) run on real time: on a loaded
# 2-core CI machine a 10 ms gap between timers can collapse and reorder what a
# timer program prints. So a mismatch is retried, up to 3 attempts in all;
# the test passes only when one attempt matches exactly. A real difference in
# semantics fails every attempt; load noise does not.
set -u
node=$1 js=$2 bin=$3 name=$4
tmp=${TMPDIR:-/tmp}/uvsim-conf.$$
trap 'rm -f "$tmp".js.out "$tmp".c.out' EXIT
attempt=1
while :; do
  "$node" "$js" >"$tmp".js.out 2>/dev/null
  echo "exit $?" >>"$tmp".js.out
  "$bin" "$name" >"$tmp".c.out 2>/dev/null
  echo "exit $?" >>"$tmp".c.out
  if diff -u "$tmp".js.out "$tmp".c.out >"$tmp".diff 2>&1; then
    rm -f "$tmp".diff
    break
  fi
  if [ $attempt -ge 3 ]; then
    cat "$tmp".diff
    rm -f "$tmp".diff
    echo "conformance $name: C twin differs from node in 3 attempts (-node +C)" >&2
    exit 1
  fi
  echo "conformance $name: attempt $attempt differs, retrying (real-time noise?)"
  attempt=$((attempt + 1))
done
# a test that compares two empty outputs proves nothing
[ "$(wc -l <"$tmp".js.out)" -gt 1 ] || { echo "$name: no output" >&2; exit 1; }
echo "conformance $name: $(($(wc -l <"$tmp".js.out) - 1)) lines identical (attempt $attempt)"
