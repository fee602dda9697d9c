#!/usr/bin/env bash
# tests/node-runners/campaign.sh UVSIM N EXPECT DIR [uvsim options] [--] [node flags] SCRIPT [ARGS]
#
# A test suite run as its authors run it, under `UVSIM node`, from DIR:
#  1. the natural order (no --runs) passes: exit 0;
#  2. `--runs N` finds the schedule-dependent bug: exit 1, a `failure:` line
#     whose signature matches the regex EXPECT, a `replay: uvsim replay FILE`
#     line;
#  3. the failing seed alone (`--seed S`) fails with the same error, and the
#     test runner's own report of it is printed here, for the test log;
#  4. `uvsim replay FILE` exits 0 and prints `reproduced`.
# Everything after DIR goes to `uvsim node` as given (after --runs/--seed).
set -uo pipefail
uvsim=${1:?usage: campaign.sh UVSIM N EXPECT DIR [uvsim options] [--] SCRIPT}
runs=${2:?} expect=${3:?} dir=${4:?}
shift 4
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$uvsim" ] || fail "$uvsim is not executable"
uvsim=$(cd "$(dirname "$uvsim")" && pwd)/$(basename "$uvsim")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
section() { printf '\n===== %s\n' "$*"; }
cd "$dir" || fail "no directory $dir"

section "natural order: uvsim node $*"
"$uvsim" node "$@" >"$tmp/nat.out" 2>"$tmp/nat.err"; rc=$?
cat "$tmp/nat.out"; [ -s "$tmp/nat.err" ] && { echo "--- stderr"; cat "$tmp/nat.err"; }
[ $rc -eq 0 ] || fail "the natural order exits $rc, wanted 0 (the bug must need another schedule)"

section "campaign: uvsim node --runs $runs $*"
start=$(date +%s)
"$uvsim" node --runs "$runs" --quiet --corpus "$tmp/corpus" --out "$tmp/out" "$@" >"$tmp/camp.out" 2>&1; rc=$?
cat "$tmp/camp.out"
echo "(campaign: $(( $(date +%s) - start )) s)"
[ $rc -eq 1 ] || fail "campaign exits $rc, wanted 1"
sig=$(sed -n 's/^failure: //p' "$tmp/camp.out" | head -n1)
[ -n "$sig" ] || fail "no failure: line"
grep -Eq "^failure: .*$expect" "$tmp/camp.out" || fail "no failure signature matching '$expect' (got: $sig)"
file=$(sed -n 's/^ *replay: uvsim replay //p' "$tmp/camp.out" | head -n1)
[ -n "$file" ] || fail "no 'replay: uvsim replay FILE' line"
[ -f "$file" ] || fail "reproducer $file does not exist"
found=$(sed -n 's/^ *first at run \([0-9]*\) (seed \([0-9]*\)).*/\1 \2/p' "$tmp/camp.out" | head -n1)
echo "found at run ${found% *} of $runs"

if [ -n "$found" ]; then
  seed=${found#* }
  section "the failing schedule alone: uvsim node --seed $seed $*"
  "$uvsim" node --seed "$seed" "$@" >"$tmp/seed.out" 2>"$tmp/seed.err"; rc=$?
  cat "$tmp/seed.out"; [ -s "$tmp/seed.err" ] && { echo "--- stderr"; cat "$tmp/seed.err"; }
  [ $rc -ne 0 ] || fail "--seed $seed exits 0, wanted the failure again"
  err=$(sed -n 's/^ *error: //p' "$tmp/camp.out" | head -n1)
  [ -z "$err" ] || grep -Fq "$err" "$tmp/seed.out" "$tmp/seed.err" || fail "--seed $seed does not report '$err'"
fi

section "uvsim replay $file"
"$uvsim" replay "$file" >"$tmp/replay.out" 2>&1; rc=$?
cat "$tmp/replay.out"
[ $rc -eq 0 ] || fail "replay exits $rc, wanted 0"
grep -q '^reproduced' "$tmp/replay.out" || fail "replay does not print 'reproduced'"
echo
echo "ok: natural order passes; --runs $runs finds '$sig' at run ${found% *}; replay reproduces it"
