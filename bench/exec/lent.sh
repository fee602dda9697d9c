#!/usr/bin/env bash
# bench/exec/lent.sh: forkserver.sh on a lent machine (none of our packages,
# no compiler or python needed) with binaries built here and carried. Copy
# this, forkserver.sh and rates.sh into the carried folder C, laid out as
# C/{before,after}/{uvsim,lib/libuvsim.so,tests/fuzz/exec_target,tests/fuzz/exec_timeout_race}
# (two builds to compare), C/fork_floor (cc -O2 bench/exec/fork_floor.c),
# C/libuv/libuv.so.1 (the real libuv the programs link against) and
# C/ld/{ld-linux-x86-64.so.2,libc.so.6,libm.so.6} (this machine's), then run
# `RUNS=2000 bash C/lent.sh` there. The binaries run on its own glibc
# (newer than ours); only if they do not start (or FORCE_LOADER=1) through
# the carried loader (RUN_WITH, and uvsim wrapped). JOBS=1 with RUNS, then
# JOBS=16 with 4 x RUNS, for each build.
C=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-2000}
export LD_LIBRARY_PATH=$C/libuv
echo "== machine $(date -u +%FT%TZ)"; uname -r; nproc; grep -m1 'model name' /proc/cpuinfo
grep PRETTY_NAME /etc/os-release; ldd --version 2>&1 | head -1; uptime
command -v perf >/dev/null && echo "perf: yes" || echo "perf: no"
chmod +x "$C"/*/uvsim "$C"/*/tests/fuzz/* "$C"/fork_floor "$C"/ld/* 2>/dev/null
export RUN_WITH=
if [ -n "${FORCE_LOADER:-}" ] || ! "$C/after/tests/fuzz/exec_target" fixed >/dev/null 2>&1 || ! "$C/after/uvsim" help >/dev/null 2>&1; then
  echo "== native start failed: the carried loader"
  "$C/after/tests/fuzz/exec_target" fixed 2>&1 | head -3
  L="$C/ld/ld-linux-x86-64.so.2 --library-path $C/ld:$C/libuv"
  export RUN_WITH=$L
  for v in before after; do
    mv "$C/$v/uvsim" "$C/$v/uvsim.bin"
    printf '#!/bin/sh\nUVSIM_LIB=%s exec %s %s "$@"\n' "$C/$v/lib/libuvsim.so" "$L" "$C/$v/uvsim.bin" > "$C/$v/uvsim"
    chmod +x "$C/$v/uvsim"
  done
fi
export FORK_FLOOR=$C/fork_floor
for v in before after; do
  echo "== $v: JOBS=1 forkserver.sh $RUNS"
  JOBS=1 timeout 90 bash "$C/forkserver.sh" "$C/$v" "$RUNS" || echo "(exit $?)"
done
for v in before after; do
  echo "== $v: JOBS=16 forkserver.sh $((RUNS * 4))"
  JOBS=16 timeout 50 bash "$C/forkserver.sh" "$C/$v" $((RUNS * 4)) || echo "(exit $?)"
done
echo "== done $(date -u +%FT%TZ)"
