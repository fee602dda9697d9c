#!/bin/bash
# tests/fuzz/exec_forkserver.sh UVSIM PROG — `uvsim exec`'s fork server
# (issue 15 item 4) against a process per run, on tests/fuzz/
# exec_forkserver_prog.c (an unchanged program on the real libuv):
#  - the same seeds give the same runs, one by one (exit, trace hash,
#    stdout with what was printed before uv_run, stderr): --runs-log of
#    the fork server equals --runs-log of --no-fork-server;
#  - a crashing and a hanging child are reported and the server goes on;
#  - a decision, a thread or a uv_random draw before the first uv_run
#    makes exec say so once and start a process per run; a simulated
#    socket's number held then does not;
#  - a tape (UVSIM_TAPE) gives the same trace hash every time, and bad
#    UVSIM_TAPE or UVSIM_FORKSERVER values end the program with one line.
set -u
UVSIM=$1
PROG=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null; exit 1; }

# 1. Same seeds, same runs, with and without the fork server.
for mode in order crash; do
  "$UVSIM" exec --runs 40 --seed 5 --quiet --runs-log "$tmp/fs.$mode" -- "$PROG" $mode \
    >"$tmp/out" 2>"$tmp/err"
  grep -q 'fork server)' "$tmp/out" || fail "$mode: the fork server was not used"
  grep -q 'no fork server' "$tmp/err" && fail "$mode: fork server refused"
  "$UVSIM" exec --runs 40 --seed 5 --quiet --no-fork-server --runs-log "$tmp/pp.$mode" \
    -- "$PROG" $mode >"$tmp/out" 2>"$tmp/err"
  grep -q 'a process per run)' "$tmp/out" || fail "$mode: --no-fork-server used a server"
  [ "$(wc -l <"$tmp/fs.$mode")" = 41 ] || fail "$mode: not 41 runs logged"
  cmp -s "$tmp/fs.$mode" "$tmp/pp.$mode" ||
    { diff "$tmp/fs.$mode" "$tmp/pp.$mode" | head; fail "$mode: runs differ"; }
  [ "$(grep -c 'trace 0000000000000000' "$tmp/fs.$mode")" = 0 ] || fail "$mode: an untraced run"
done
[ "$(cut -d' ' -f8 "$tmp/fs.order" | sort -u | wc -l)" -gt 3 ] ||
  fail "order: fewer than 4 distinct schedules in 40 seeds"
grep -q ': signal 6 ' "$tmp/fs.crash" || fail "crash: no run aborted"
echo "ok: 41 runs identical run by run, fork server and a process per run (order, crash)"

# 2. Crashes and hangs under the server are reported; the runs go on.
"$UVSIM" exec --runs 40 --seed 5 --quiet -- "$PROG" crash >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "crash: want exit 1"
grep -q '^failure: signal SIGABRT: exec_forkserver_prog: b before a' "$tmp/out" || fail "crash: no failure"
grep -q 'replays: identical' "$tmp/out" || fail "crash: a process did not replay the forked run"
grep -q '^exec: 41 runs' "$tmp/out" || fail "crash: the campaign stopped"
"$UVSIM" exec --runs 40 --seed 5 --quiet --runs-log "$tmp/ign" -- "$PROG" ignchld \
  >"$tmp/out" 2>"$tmp/err"
grep -q '^failure: signal SIGABRT' "$tmp/out" || fail "ignchld: the crash was not seen"
[ "$(cut -d' ' -f1-8 "$tmp/ign")" = "$(cut -d' ' -f1-8 "$tmp/fs.crash")" ] ||
  fail "ignchld: runs differ from crash's"
"$UVSIM" exec --runs 8 --seed 5 --timeout 1 --quiet --runs-log "$tmp/hang" -- "$PROG" hang \
  >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "hang: want exit 1"
grep -q '^failure: timeout: still running after 1 s' "$tmp/out" || fail "hang: no timeout"
grep -q '^exec: 9 runs.*fork server' "$tmp/out" || fail "hang: the campaign stopped"
grep -q ': timeout ' "$tmp/hang" && grep -q ': pass ' "$tmp/hang" || fail "hang: no pass after a hang"
[ -z "$(pgrep -f "$PROG hang")" ] || fail "hang: a process was left behind"
echo "ok: crashing and hanging children reported, the server went on"

# 3. Unsound to fork at the first uv_run: said once, a process per run.
for mode in decide thread random; do
  "$UVSIM" exec --runs 5 --quiet -- "$PROG" $mode >"$tmp/out" 2>"$tmp/err"
  [ $? = 0 ] || fail "$mode: want exit 0"
  [ "$(grep -c '^uvsim: exec: no fork server (' "$tmp/err")" = 1 ] || fail "$mode: not said once"
  case $mode in
    decide) why='1 decision was made before the first uv_run' ;;
    thread) why='the program runs 2 threads at its first uv_run' ;;
    random) why='uv_random drew bytes before the first uv_run' ;;
  esac
  grep -q "no fork server ($why" "$tmp/err" || fail "$mode: reason"
  grep -q 'a process per run)' "$tmp/out" || fail "$mode: summary"
done
echo "ok: decisions, threads, uv_random before uv_run: a process per run, said once"

# A simulated socket's number the program holds at the fork point is
# reserved with the kernel (loop/fdreserve.c): the server looks at the
# kernel's descriptor, a placeholder, not at the simulated socket, and serves.
"$UVSIM" exec --runs 5 --quiet -- "$PROG" fileno >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "fileno: want exit 0"
grep -q 'no fork server' "$tmp/err" && fail "fileno: fork server refused"
grep -q 'fork server)' "$tmp/out" || fail "fileno: the fork server was not used"
echo "ok: a simulated socket's number before uv_run: the fork server serves"

# 4. Tapes: one run each, same tape, same trace hash.
lib=$(dirname "$UVSIM")/lib/libuvsim.so
# A sanitized build's libuvsim needs ASan's runtime loaded first (exec does it).
asan=$(ldd "$UVSIM" | sed -n 's/.*=> \(\/[^ ]*libasan[^ ]*\).*/\1/p')
lib=${asan:+$asan:}$lib
printf '\001\002\001\000\003' >"$tmp/tape"
for i in 1 2; do
  UVSIM_TAPE="$tmp/tape" UVSIM_REPORT_PATH="$tmp/rep$i" LD_PRELOAD="$lib" "$PROG" order \
    >"$tmp/out$i" 2>"$tmp/err" || fail "tape run $i"
  head -1 "$tmp/rep$i" | sed 's/.*hash=//' >"$tmp/hash$i"
done
[ -s "$tmp/hash1" ] && cmp -s "$tmp/hash1" "$tmp/hash2" || fail "tape: two hashes"
cmp -s "$tmp/out1" "$tmp/out2" || fail "tape: two outputs"
UVSIM_REPORT_PATH="$tmp/rep0" LD_PRELOAD="$lib" "$PROG" order >/dev/null 2>&1
[ "$(sed 's/.*hash=//;q' "$tmp/rep0")" != "$(cat "$tmp/hash1")" ] ||
  fail "tape: the same schedule as the natural order"
echo "ok: a tape gives one trace hash ($(cat "$tmp/hash1")), not the natural order's"

UVSIM_TAPE="$tmp/none" LD_PRELOAD="$lib" "$PROG" order >/dev/null 2>"$tmp/err"
[ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q '^uvsim: UVSIM_TAPE: cannot read' "$tmp/err" ||
  fail "missing tape: want one line, exit 2"
UVSIM_FORKSERVER=x LD_PRELOAD="$lib" "$PROG" order >/dev/null 2>"$tmp/err"
[ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "bad UVSIM_FORKSERVER: want one line, exit 2"
echo "ok: bad UVSIM_TAPE and UVSIM_FORKSERVER: one line, exit 2"
