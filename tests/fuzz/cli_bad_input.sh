#!/bin/sh
# tests/fuzz/cli_bad_input.sh UVSIM — every bad input is exactly one line on
# stderr naming the problem, nothing on stdout, exit status 2.
set -u
UVSIM=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$0")/../lib/one_line_error.sh"

check() {  # check NEEDLE ARGS...
  needle=$1; shift
  expect_one_line_error "$needle" "$UVSIM" "$@"
}

check "unknown command 'frobnicate'" frobnicate
check "unknown scenario 'nope'" run nope
check "unknown scenario 'lost_update/nope'" run lost_update/nope
check "name a scenario" run
check "unknown option '--bogus'" run lost_update --bogus
check "'12x' is not a number" run lost_update --runs 12x
check "'-5' is not a number" run lost_update --runs -5
check "--runs needs a value" run lost_update --runs
check "--seed: 'abc' is not a number" run lost_update --seed abc
check "--seed: '0x10' is not a number" run lost_update --seed 0x10
check "--seed: '18446744073709551616' is not a number" run lost_update --seed 18446744073709551616
check "not a positive number of seconds" run lost_update --time 0
check "unknown strategy 'magic'" run lost_update --strategy magic
check "--jobs: 0 is not in 1..64" run lost_update --jobs 0
check "is not DOF,PCT" run lost_update --nodefz-pool 4
check "percentage 150 is above 100" run lost_update --nodefz-pool 4,150
check "--map needs a value" run lost_update --map
check "'/data' is not SIM=REAL" run lost_update --map /data
check "'/' is not an absolute simulated directory" run lost_update --map /=/tmp
check "unknown signal 'SIGFOO'" run lost_update --fault 'signal SIGFOO at=1s'
check "cannot be caught" run lost_update --fault 'signal SIGKILL at 1s'
check "exactly one of at=, after-callbacks=, prob=" run lost_update --fault 'signal SIGTERM'
check "a datagram's effects are loss, dup or short=" run lost_update --fault 'dgram err=EIO'
check "external write needs data=TEXT" run lost_update --fault 'external write /x at=1ms'
check "unknown external change 'frob'" run lost_update --fault 'external frob /x at=1ms'
check "an external change needs at=DURATION" run lost_update --fault 'external unlink /x'
check "/nonexistent-host-dir: No such file or directory" run lost_update --map /data=/nonexistent-host-dir
check "name a reproducer" replay
check "cannot open" replay "$tmp/missing.uvsim"

printf 'hello\n' >"$tmp/garbage.uvsim"
check "garbage.uvsim:1" replay "$tmp/garbage.uvsim"
cat >"$tmp/v9.uvsim" <<'R'
uvsim-reproducer 9
version 0.1.0
scenario lost_update/buggy
strategy random
seed 1
mode sound
decisions 0
end
R
check "format 9 not supported" replay "$tmp/v9.uvsim"
sed 's/uvsim-reproducer 9/uvsim-reproducer 1/; s#lost_update/buggy#nope/buggy#' "$tmp/v9.uvsim" >"$tmp/unk.uvsim"
check "unknown scenario 'nope/buggy'" replay "$tmp/unk.uvsim"
sed 's/uvsim-reproducer 9/uvsim-reproducer 1/; s/decisions 0/decisions 2/' "$tmp/v9.uvsim" >"$tmp/short.uvsim"
check "short.uvsim:" replay "$tmp/short.uvsim"
check "unknown option '--fast'" replay "$tmp/v9.uvsim" --fast
check "-o needs a value" minimize "$tmp/v9.uvsim" -o
check "unknown command 'nope'" help nope
check "unexpected argument" list extra

# --help is not an error: usage on stdout, exit 0.
for c in run replay minimize list selfcheck; do
  "$UVSIM" "$c" --help >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: $c --help exit $?"; fail=1; }
  grep -q "^usage: uvsim $c" "$tmp/out" || { echo "FAIL: $c --help has no usage line"; fail=1; }
done
exit $fail
