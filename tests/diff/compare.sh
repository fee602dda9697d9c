#!/bin/sh
# compare.sh REAL SIM — runs both builds of one program with one pool thread
# and fails with a unified diff when stdout or the exit status differ.
# UVSIM_SEED and UVSIM_POOL_INLINE are cleared: uvsim runs the natural order.
# Leak checks are off for the real build only: real libuv leaks the strings
# of unknown error codes (uv_err_name(-9999)), uvsim must not.
tmp=${TMPDIR:-/tmp}/diffl.$$
trap 'rm -f "$tmp".real "$tmp".sim "$tmp".err' EXIT
env -u UVSIM_SEED -u UVSIM_POOL_INLINE UV_THREADPOOL_SIZE=1 ASAN_OPTIONS=detect_leaks=0 timeout 20 "$1" > "$tmp".real 2>"$tmp".err; rc1=$?
env -u UVSIM_SEED -u UVSIM_POOL_INLINE UV_THREADPOOL_SIZE=1 timeout 20 "$2" > "$tmp".sim 2>>"$tmp".err; rc2=$?
if ! cmp -s "$tmp".real "$tmp".sim || [ $rc1 -ne $rc2 ]; then
  echo "real (rc=$rc1) vs uvsim (rc=$rc2) differ:"
  diff -u "$tmp".real "$tmp".sim
  echo "--- stderr:"; cat "$tmp".err
  exit 1
fi
if [ ! -s "$tmp".real ]; then echo "no output"; exit 1; fi
echo "identical ($(wc -l < "$tmp".real) lines, rc=$rc1)"
exit 0
