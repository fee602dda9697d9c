#!/bin/sh
# tests/fuzz/libfuzzer_finds.sh FUZZ_OUT UVSIM — the libFuzzer target finds
# the two-decision bug of quorum_read/buggy from an empty corpus within a
# bounded number of runs, its reproducer replays with the identical hash,
# and the fixed variant survives.
set -u
OUT=$1
UVSIM=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
UVSIM_FINDING_DIR=$tmp UVSIM_SCENARIO=quorum_read/buggy \
  "$OUT/uvsim_libfuzzer" -runs=500000 -seed=1 >"$tmp/log" 2>&1
rc=$?
[ "$rc" != 0 ] || { echo "FAIL: libFuzzer found nothing"; tail -5 "$tmp/log"; exit 1; }
grep -q "^uvsim-finding: invariant: read_done" "$tmp/log" ||
  { echo "FAIL: no uvsim finding in the output"; tail -20 "$tmp/log"; exit 1; }
f=$(ls "$tmp"/crash-*.uvsim | head -1)
"$UVSIM" replay "$f" || { echo "FAIL: the finding does not replay"; exit 1; }
UVSIM_SCENARIO=quorum_read/fixed "$OUT/uvsim_libfuzzer" -runs=20000 -seed=1 >"$tmp/log2" 2>&1 ||
  { echo "FAIL: the fixed variant crashed"; tail -20 "$tmp/log2"; exit 1; }
# The per-scenario target has its scenario compiled in.
"$OUT/uvsim_fuzz_lost_update_buggy" -runs=500000 -seed=2 >"$tmp/log3" 2>&1 &&
  { echo "FAIL: uvsim_fuzz_lost_update_buggy found nothing"; exit 1; }
grep -q "^uvsim-finding: invariant: lost_update" "$tmp/log3" || { echo "FAIL: wrong finding"; exit 1; }
# With the loop built in, the libuv example too; its finding replays in uvsim.
if [ -x "$OUT/uvsim_fuzz_uv_lost_update_buggy" ]; then
  mkdir "$tmp/uv"
  UVSIM_FINDING_DIR=$tmp/uv "$OUT/uvsim_fuzz_uv_lost_update_buggy" -runs=500000 -seed=3 \
    >"$tmp/log4" 2>&1 && { echo "FAIL: uv_lost_update: libFuzzer found nothing"; exit 1; }
  "$UVSIM" replay "$tmp"/uv/crash-*.uvsim || { echo "FAIL: uv finding does not replay"; exit 1; }
fi
echo "ok: libFuzzer finds and replays"
