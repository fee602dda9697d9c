#!/usr/bin/env bash
# tests/fuzz/cli_files.sh UVSIM — where uvsim reads and writes files
# (issue 13 item 5). Each case failed before: an empty --corpus/--out wrote
# into /, `replay DIR` said "empty file", `replay FIFO` hung, `minimize -o DIR`
# exited 1 as if the bug had not reproduced, a full stdout went unnoticed,
# and two campaigns in one directory overwrote each other.
set -u
uvsim=$1
. "$(dirname "$0")/../lib/one_line_error.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }
# e1 WHAT NEEDLE COMMAND...: one line on stderr, exit 2
e1() { local what=$1 before=$fail; shift; expect_one_line_error "$@"; [ $fail = "$before" ] && ok "$what"; }

e1 "empty --corpus" "--corpus: an empty path" "$uvsim" run lost_update/buggy --runs 5 --corpus ''
e1 "empty --out" "--out: an empty path" "$uvsim" run lost_update/buggy --runs 5 --out ''
e1 "unwritable --corpus" "--corpus: cannot create '/proc/uvsim-nope'" "$uvsim" run lost_update/buggy --runs 5 --corpus /proc/uvsim-nope

"$uvsim" run lost_update/buggy --runs 50 --corpus c --out o --quiet >/dev/null || true
repro=$(ls c/lost_update/*.uvsim | head -1)
[ -f "$repro" ] || { echo "FAIL: no reproducer written"; exit 1; }

mkdir adir
e1 "replay DIR" "adir: a directory, not a reproducer file" "$uvsim" replay adir
mkfifo afifo
e1 "replay FIFO" "afifo: a FIFO, not a reproducer file" timeout 10 "$uvsim" replay afifo
e1 "replay device" "/dev/null: a device, not a reproducer file" "$uvsim" replay /dev/null

e1 "minimize -o DIR" "-o: 'adir' exists and is not a regular file" "$uvsim" minimize "$repro" -o adir
"$uvsim" minimize "$repro" -o /proc/uvsim-nope/min.uvsim >/dev/null 2>err.txt
rc=$?
[ $rc = 3 ] && grep -q 'uvsim: .*uvsim-nope' err.txt && ok "minimize -o unwritable: exit 3" ||
  bad "minimize -o unwritable: exit $rc (want 3): $(cat err.txt)"

if [ -w /dev/full ]; then
  "$uvsim" list >/dev/full 2>err.txt
  rc=$?
  [ $rc = 3 ] && grep -q '^uvsim: cannot write to stdout' err.txt && ok "stdout full: exit 3" ||
    bad "stdout full: exit $rc (want 3): $(cat err.txt)"
fi

# Two campaigns, one corpus: the second waits for the first's lock.
mkdir shared
( flock 9; sleep 2 ) 9>shared/.uvsim.lock &
holder=$!
sleep 0.3
"$uvsim" run lost_update/buggy --runs 50 --corpus shared --no-report --quiet >out.txt 2>err.txt
rc=$?
wait $holder
grep -q "another campaign is writing into 'shared'; waiting" err.txt && [ $rc = 1 ] &&
  [ -n "$(ls shared/lost_update/*.uvsim 2>/dev/null)" ] && ok "one corpus, two campaigns: the second waited" ||
  bad "shared corpus: exit $rc, $(cat err.txt)"
exit $fail
