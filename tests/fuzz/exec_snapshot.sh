#!/bin/bash
# tests/fuzz/exec_snapshot.sh UVSIM PROG TARGET RACE DTOR — the fork server's
# snapshot mode (loop/snapshot.c: one worker, its memory restored in place
# after each run) against --no-snapshot (a fork per run) and
# --no-fork-server (a process per run):
#  1. exec_target and exec_timeout_race (fixed), 200 seeds: the same
#     --runs-log in all three modes, and the runs were restored in place
#     (the test fails if snapshot mode silently never engages);
#  2. exec_snapshot_prog, a mode per thing a restore must undo or refuse:
#     the same runs as a process per run, and UVSIM_SNAPSHOT_LOG says the
#     expected fallback (or none, where the restore undoes it);
#  3. UVSIM_SNAPSHOT=0 and --no-snapshot turn it off.
# Built with a sanitizer (UVSIM_SANITIZE=1 from ctest) snapshot mode is
# off: 1 checks that no run is restored and the three modes agree.
set -u
UVSIM=$1
PROG=$2
TARGET=$3
RACE=$4
DTOR=$5     # PROG with an ELF destructor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null | head -20; exit 1; }
restored() { sed -n 's/.*fork server: \([0-9]*\) of \([0-9]*\) runs restored in place.*/\1/p' "$tmp/err"; }

# 1. Whole programs, 200 seeds, three ways.
for t in "$TARGET fixed" "$RACE fixed"; do
  name=$(basename "${t% *}")
  "$UVSIM" exec --runs 200 --seed 9 --quiet --runs-log "$tmp/snap" -- $t >"$tmp/out" 2>"$tmp/err" ||
    fail "$name: exit $?"
  r=$(restored)
  if [ -n "${UVSIM_SANITIZE:-}" ]; then
    [ "$r" = 0 ] || fail "$name: $r runs restored in place under a sanitizer"
  else
    [ "${r:-0}" -ge 190 ] || fail "$name: only ${r:-no} runs restored in place"
  fi
  "$UVSIM" exec --runs 200 --seed 9 --quiet --no-snapshot --runs-log "$tmp/fork" -- $t \
    >"$tmp/out" 2>"$tmp/err" || fail "$name --no-snapshot: exit $?"
  [ "$(restored)" = 0 ] || fail "$name: --no-snapshot restored runs"
  "$UVSIM" exec --runs 200 --seed 9 --quiet --no-fork-server --runs-log "$tmp/proc" -- $t \
    >"$tmp/out" 2>"$tmp/err" || fail "$name --no-fork-server: exit $?"
  [ "$(wc -l <"$tmp/snap")" = 201 ] || fail "$name: not 201 runs logged"
  cmp -s "$tmp/snap" "$tmp/fork" || { diff "$tmp/snap" "$tmp/fork" | head; fail "$name: snapshot and fork differ"; }
  cmp -s "$tmp/snap" "$tmp/proc" || { diff "$tmp/snap" "$tmp/proc" | head; fail "$name: snapshot and process differ"; }
  echo "ok: $name: 201 runs identical, snapshot ($r restored in place), fork, process"
done

[ -n "${UVSIM_SANITIZE:-}" ] && { echo "ok: under a sanitizer, no snapshot mode"; exit 0; }

# 2. One mode per restore check. MODE:EXPECTED (a fallback line's text, or
# "-" for none: the restore itself undoes what the run did).
export UVSIM_SNAPSHOT_LOG=$tmp/log
for case in "plain:-" "offset:-" "thread:threads at exit" \
            "atexit:snapshot refused: an exit handler" \
            "dtor:snapshot refused: the program has an ELF destructor" \
            "grow:-" "child:a child process" "mixed:-"; do
  mode=${case%%:*}
  want=${case#*:}
  rm -f "$tmp/log"
  prog=$PROG
  [ "$mode" = dtor ] && prog=$DTOR
  "$UVSIM" exec --runs 60 --seed 5 --quiet --runs-log "$tmp/snap.$mode" -- "$prog" $mode \
    >"$tmp/out" 2>"$tmp/err"
  r=$(restored)
  "$UVSIM" exec --runs 60 --seed 5 --quiet --no-fork-server --runs-log "$tmp/proc.$mode" \
    -- "$prog" $mode >"$tmp/out" 2>"$tmp/err"
  if [ "$mode" = grow ]; then
    # where things are mapped differs between a worker and a started
    # process: the outputs on stdout must agree, and every run's stderr
    # (the mapping count, the break) be the same as every other's
    awk '{$NF = ""; print}' "$tmp/snap.$mode" >"$tmp/a"
    awk '{$NF = ""; print}' "$tmp/proc.$mode" >"$tmp/b"
    cmp -s "$tmp/a" "$tmp/b" || { diff "$tmp/a" "$tmp/b" | head; fail "grow: runs differ"; }
    # (seeded runs: the natural one has no UVSIM_SEED to set, a smaller heap)
    [ "$(tail -n +2 "$tmp/snap.$mode" | awk '{print $NF}' | sort -u | wc -l)" = 1 ] ||
      fail "grow: the runs saw different mappings or breaks"
  else
    cmp -s "$tmp/snap.$mode" "$tmp/proc.$mode" ||
      { diff "$tmp/snap.$mode" "$tmp/proc.$mode" | head; fail "$mode: runs differ from a process per run"; }
  fi
  [ "$(wc -l <"$tmp/snap.$mode")" = 61 ] || fail "$mode: not 61 runs logged"
  if [ "$want" = - ]; then
    [ ! -s "$tmp/log" ] || { cat "$tmp/log"; fail "$mode: a fallback"; }
    least=40
    [ "$mode" = mixed ] && least=20     # _exit and abort end the worker
    [ "${r:-0}" -ge $least ] || fail "$mode: only ${r:-no} runs restored in place"
  else
    grep -q "$want" "$tmp/log" || { cat "$tmp/log" 2>/dev/null; fail "$mode: no '$want'"; }
    [ "${r:-0}" -le 5 ] || fail "$mode: $r runs restored in place"
  fi
  [ "$want" = - ] && want="no fallback"
  echo "ok: $mode: 61 runs as a process's, ${r:-0} restored in place ($want)"
done
grep -q ': signal 6 ' "$tmp/snap.mixed" && grep -q ': exit 5 ' "$tmp/snap.mixed" &&
  grep -q ': exit 7 ' "$tmp/snap.mixed" || fail "mixed: not every way of ending seen"
unset UVSIM_SNAPSHOT_LOG

# 3. Off switches.
UVSIM_SNAPSHOT=0 "$UVSIM" exec --runs 20 --quiet -- "$TARGET" fixed >"$tmp/out" 2>"$tmp/err"
[ "$(restored)" = 0 ] || fail "UVSIM_SNAPSHOT=0 restored runs"
grep -q 'fork server)' "$tmp/out" || fail "UVSIM_SNAPSHOT=0: no fork server"
echo "ok: UVSIM_SNAPSHOT=0 and --no-snapshot fork per run"

# 4. A cap that is not a number: one line and exit 2 before any run (the
# worker that reads it has no one to tell: it was read as 0 before).
UVSIM_SNAPSHOT_CAP_MB=12x "$UVSIM" exec --runs 5 --quiet -- "$TARGET" fixed >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] || fail "UVSIM_SNAPSHOT_CAP_MB=12x: want exit 2"
grep -q "^uvsim: UVSIM_SNAPSHOT_CAP_MB: '12x' is not a decimal number" "$tmp/err" ||
  fail "UVSIM_SNAPSHOT_CAP_MB=12x: no error line"
[ ! -s "$tmp/out" ] || fail "UVSIM_SNAPSHOT_CAP_MB=12x: runs were made"
echo "ok: a bad UVSIM_SNAPSHOT_CAP_MB stops exec with one line"
