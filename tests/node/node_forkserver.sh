#!/bin/sh
# tests/node/node_forkserver.sh UVSIM PROG [NODE-FLAG...] — `uvsim node`
# and the fork server (issue 15 item 4): node is started once and each run
# forked at its first uv_run (loop/forkserver.c), its platform worker
# threads left behind idle because libuvsim-det.so runs every task V8 gives
# them on the posting thread (loop/det/det.c), so:
#  - `uvsim node --runs N` (the fork server, which its summary line must
#    say it used) and `uvsim node --no-fork-server --runs N` (a process per
#    run) give the same runs, one by one (exit, trace hash, stdout, stderr:
#    their --runs-log files are equal), and neither says a fork server was
#    refused;
#  - the runs differ from seed to seed (schedules and outputs), so equal
#    logs are not equal for want of anything to differ;
#  - a single `uvsim node --seed S` exits as the campaign's run of S did,
#    and prints the same with --no-fork-server.
# NODE-FLAGs go to node before the script (--expose-gc, --trace-gc).
# Skipped (77) where Debian's node 18 is absent.
set -u
uvsim=$1 prog=$2
shift 2
node=${UVSIM_NODE:-/opt/uvsim/node18/usr/bin/node}
[ -x "$node" ] || { echo "skipped: no node 18 at $node (scripts/node18)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null | head -40; exit 1; }
cp "$prog" "$tmp/prog.js"
cd "$tmp"

n=20
for mode in default no-fork-server; do
  flag=; [ $mode = no-fork-server ] && flag=--no-fork-server
  "$uvsim" node --runs $n --seed 7 --quiet --no-report --no-minimize --corpus "corpus.$mode" \
    $flag --runs-log "log.$mode" "$@" prog.js >out 2>err
  rc=$?
  [ $rc -le 1 ] || fail "$mode: exit $rc"
  grep -q "^node: $((n + 1)) runs (natural order + $n seeds)" out || fail "$mode: no summary"
  grep -q 'fork server' err && fail "$mode: stderr speaks of a fork server"
  if [ $mode = default ]; then
    grep -q '^node: .* runs .*/s, fork server)' out || fail "$mode: the fork server was not used"
  else
    grep -q '^node: .* runs .*/s, a process per run)' out || fail "$mode: not a process per run"
  fi
  [ "$(wc -l <"log.$mode")" = $((n + 1)) ] || fail "$mode: not $((n + 1)) runs logged"
  grep -q 'trace 0000000000000000' "log.$mode" && fail "$mode: an untraced run"
done
cmp -s log.default log.no-fork-server ||
  { diff log.default log.no-fork-server | head; fail "the runs differ with --no-fork-server"; }
[ "$(cut -d' ' -f8 log.default | sort -u | wc -l)" -gt 3 ] ||
  fail "fewer than 4 distinct schedules in $((n + 1)) runs"
[ "$(cut -d' ' -f10 log.default | sort -u | wc -l)" -gt 3 ] ||
  fail "fewer than 4 distinct outputs in $((n + 1)) runs"
echo "ok: $((n + 1)) runs identical run by run, uvsim node (fork server) and --no-fork-server"

# One run of a seed on its own: the same with --no-fork-server, and its
# exit status the campaign's run's.
line=$(grep '^run 3 seed ' log.default) || fail "no run 3 in the log"
seed=$(echo "$line" | sed 's/^run 3 seed \([0-9]*\):.*/\1/')
code=$(echo "$line" | cut -d' ' -f6)
"$uvsim" node --seed "$seed" "$@" prog.js >one.out 2>one.err
rc=$?
[ "$rc" = "$code" ] || fail "seed $seed alone: exit $rc, the campaign's run $code"
"$uvsim" node --no-fork-server --seed "$seed" "$@" prog.js >two.out 2>two.err
[ $? = "$rc" ] && cmp -s one.out two.out && cmp -s one.err two.err ||
  fail "seed $seed alone: --no-fork-server ran differently"
echo "ok: seed $seed alone exits $rc as in the campaign, with and without --no-fork-server"
