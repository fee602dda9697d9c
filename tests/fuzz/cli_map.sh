#!/bin/sh
# tests/fuzz/cli_map.sh UVSIM — `run --map` records the mapping in the
# reproducer it writes, `replay` maps it again and reproduces the same hash,
# and a reproducer whose host directory is gone is refused in one line with
# exit status 2 rather than replayed on a different world.
set -u
UVSIM=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/host"
echo fixture >"$tmp/host/f"
host=$(cd "$tmp/host" && pwd -P)

"$UVSIM" run lost_update/buggy --runs 200 --map "/data=$host,snapshot" \
  --corpus "$tmp/corpus" --no-report --quiet >"$tmp/run.out" 2>&1
rc=$?
[ "$rc" = 1 ] || { echo "FAIL: run exit $rc, want 1 (bug found)"; cat "$tmp/run.out"; exit 1; }
repro=$(ls "$tmp"/corpus/lost_update/buggy-*.uvsim | head -1)
grep -qx "map /data=$host,snapshot" "$repro" || { echo "FAIL: no map line in $repro"; cat "$repro"; exit 1; }

"$UVSIM" replay "$repro" >"$tmp/replay.out" 2>&1 ||
  { echo "FAIL: replay did not reproduce"; cat "$tmp/replay.out"; exit 1; }
grep -q identical "$tmp/replay.out" || { echo "FAIL: hash not identical"; cat "$tmp/replay.out"; exit 1; }

rm -rf "$tmp/host"
"$UVSIM" replay "$repro" >"$tmp/gone.out" 2>"$tmp/gone.err"
rc=$?
if [ "$rc" != 2 ] || [ "$(wc -l <"$tmp/gone.err")" != 1 ] || [ -s "$tmp/gone.out" ] ||
   ! grep -q "$host: No such file or directory" "$tmp/gone.err"; then
  echo "FAIL: replay with the host dir gone: rc=$rc"; cat "$tmp/gone.err" "$tmp/gone.out"; exit 1
fi
echo "ok: map recorded, replayed, and refused once its host dir was gone"
