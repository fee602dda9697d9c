#!/bin/sh
# tests/conformance/compare.sh NODE PROGRAM.js BINARY NAME
# Runs the JS program under real node and the C twin; their stdout and exit
# status must be identical. stderr (node's stack traces) is not compared.
set -u
node=$1 js=$2 bin=$3 name=$4
tmp=${TMPDIR:-/tmp}/uvsim-conf.$$
trap 'rm -f "$tmp".js.out "$tmp".c.out' EXIT
"$node" "$js" >"$tmp".js.out 2>/dev/null
echo "exit $?" >>"$tmp".js.out
"$bin" "$name" >"$tmp".c.out 2>/dev/null
echo "exit $?" >>"$tmp".c.out
if ! diff -u "$tmp".js.out "$tmp".c.out; then
  echo "conformance $name: C twin differs from node (-node +C)" >&2
  exit 1
fi
# a test that compares two empty outputs proves nothing
[ "$(wc -l <"$tmp".js.out)" -gt 1 ] || { echo "$name: no output" >&2; exit 1; }
echo "conformance $name: $(($(wc -l <"$tmp".js.out) - 1)) lines identical"
