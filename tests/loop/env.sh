#!/bin/sh
# tests/loop/env.sh PROG — libuvsim reads its numbers from the environment
# strictly (sim_env_u64): decimal digits only, "010" is 10, and a value that
# does not parse is one line on stderr, nothing on stdout, exit status 2,
# never a silent 0.
set -u
prog=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$0")/../lib/one_line_error.sh"

bad() {  # bad VAR=VALUE NEEDLE
  expect_one_line_error "$2" env "$1" "$prog"
}

good() {  # good VAR=VALUE...
  if ! out=$(env "$@" "$prog" 2>&1) || [ "$out" != ok ]; then
    echo "FAIL: $* -> $out"
    fail=1
  fi
}

bad UVSIM_SEED=abc "UVSIM_SEED: 'abc' is not a decimal number"
bad UVSIM_SEED=0x10 "UVSIM_SEED: '0x10' is not a decimal number"
bad UVSIM_SEED=-1 "UVSIM_SEED: '-1' is not a decimal number"
bad UVSIM_SEED=18446744073709551616 "UVSIM_SEED: '18446744073709551616'"
bad UV_THREADPOOL_SIZE=4x "UV_THREADPOOL_SIZE: '4x' is not a decimal number"
bad UVSIM_POOL_GRACE_MS=soon "UVSIM_POOL_GRACE_MS: 'soon'"
bad UVSIM_START_LAG_MS=1ms "UVSIM_START_LAG_MS: '1ms'"
bad UVSIM_SEED=" 5" "UVSIM_SEED: ' 5'"
bad UVSIM_REPORT_FD=stderr "UVSIM_REPORT_FD: 'stderr'"

good UVSIM_SEED=010
good UVSIM_SEED=18446744073709551615
good UVSIM_SEED=
good UV_THREADPOOL_SIZE=0
good UV_THREADPOOL_SIZE=
good UV_THREADPOOL_SIZE=99999
good UVSIM_START_LAG_MS=1 UVSIM_POOL_GRACE_MS=0 UVSIM_THREADS_HANG_MS=500
# The seed 010 is 10 (it was read as octal 8): the same schedule as 10.
run_hash() { env UVSIM_REPORT_FD=3 UVSIM_SEED="$1" "$prog" 3>&1 >/dev/null | head -n 1; }
h010=$(run_hash 010) h10=$(run_hash 10) h8=$(run_hash 8)
if [ -z "$h10" ] || [ "$h010" != "$h10" ] || [ "$h010" = "$h8" ]; then
  echo "FAIL: UVSIM_SEED=010 ran '$h010'; 10 ran '$h10', 8 ran '$h8'"
  fail=1
fi

[ "$fail" = 0 ] && echo "ok: bad numbers in the environment end the program, good ones run it"
exit $fail
