# tests/lib/one_line_error.sh — sourced by the shell tests of bad input
# (tests/fuzz/cli_bad_input.sh, tests/loop/env.sh): uvsim's contract for a
# mistake of the user's is exactly one line on stderr naming the problem,
# nothing on stdout, exit status 2.
#
# expect_one_line_error NEEDLE COMMAND...: runs COMMAND; on any other outcome
# prints what happened and sets fail=1. Needs $tmp, a scratch directory.
expect_one_line_error() {
  _needle=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  _rc=$?
  _lines=$(wc -l <"$tmp/err")
  if [ "$_rc" != 2 ] || [ "$_lines" != 1 ] || [ -s "$tmp/out" ] ||
     ! grep -q -- "$_needle" "$tmp/err"; then
    echo "FAIL: $* -> rc=$_rc, $_lines stderr lines (want 2, 1 line with '$_needle'):"
    cat "$tmp/err" "$tmp/out"
    fail=1
  fi
}
