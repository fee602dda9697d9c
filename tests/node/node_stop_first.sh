#!/bin/sh
# tests/node/node_stop_first.sh UVSIM PROGRAMS — `uvsim node --stop-at-first`
# on lost_update.js: the campaign stops at the first failing run, the same
# run as without the option, and what it counts (runs, the runs log) is the
# same with --jobs 1 and 2 and a process per run. exec's flavour is
# tests/fuzz/exec_stop_first.sh; bench/hard/run_js.sh relies on this one.
# Skipped (77) where Debian's node 18 is absent.
set -u
uvsim=$1 programs=$2
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; head -40 "$tmp/out" 2>/dev/null; exit 1; }
cp "$programs/lost_update.js" "$tmp/"
cd "$tmp"
common="--runs 12 --seed 3 --quiet --no-report --no-minimize"

# Without the option: a first failing run, and more after it (else stopping
# would show nothing).
"$uvsim" node $common --runs-log log.all lost_update.js >out 2>&1
[ $? = 1 ] || fail "the lost update was not found"
first=$(sed -n 's/^  first at run \([0-9]*\) (seed.*/\1/p' out)
failing=$(sed -n 's/.*, \([0-9]*\) failing, .*/\1/p' out)
[ -n "$first" ] && [ "${failing:-0}" -ge 2 ] || fail "want a first run and 2+ failing"

for mode in "--jobs 1" "--jobs 2" "--no-fork-server"; do
  log="log.$(echo "$mode" | tr -d ' -')"
  "$uvsim" node $common $mode --stop-at-first --runs-log "$log" lost_update.js >out 2>&1
  [ $? = 1 ] || fail "$mode: want exit 1"
  grep -q "^  first at run $first (seed" out || fail "$mode: the first run is not $first"
  grep -q "^node: $((first + 1)) runs (natural order + $first seeds, stopped at the first failure) .*, 1 failing, 1 signature\$" out ||
    fail "$mode: summary"
  [ "$(wc -l <"$log")" = $((first + 1)) ] || fail "$mode: runs log has not $((first + 1)) lines"
  head -n $((first + 1)) log.all | cmp -s - "$log" || fail "$mode: other runs than without the option"
done
echo "ok: stopped at run $first of 12 ($failing failing without the option), --jobs 1, 2 and a process per run alike"
