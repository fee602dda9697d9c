#!/usr/bin/env bash
# tests/install/clusterfuzzlite.sh SRC CLANG — .clusterfuzzlite/build.sh
# (which calls fuzz/build.sh) under the environment OSS-Fuzz's base-builder
# sets for an ASan libFuzzer build, and nothing else from ours: $SRC holds
# the project as the Dockerfile copies it, $OUT gets the targets, $WORK is
# scratch. Each target must exist and start as libFuzzer.
set -euo pipefail
src=$(cd "${1:?usage: clusterfuzzlite.sh SRC CLANG}" && pwd)
clang=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$tmp/src" "$tmp/out" "$tmp/work"
ln -s "$src" "$tmp/src/uvsim"                       # COPY . $SRC/uvsim
cp "$src/.clusterfuzzlite/build.sh" "$tmp/src/"    # COPY .clusterfuzzlite/build.sh $SRC/
cflags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
(cd "$tmp/src/uvsim" &&
 env -i PATH="$PATH" HOME="$tmp" CC="$clang" CXX="${clang}++" CFLAGS="$cflags" CXXFLAGS="$cflags" \
     LIB_FUZZING_ENGINE=-fsanitize=fuzzer SRC="$tmp/src" OUT="$tmp/out" WORK="$tmp/work" \
     SANITIZER=address FUZZING_ENGINE=libfuzzer FUZZING_LANGUAGE=c ARCHITECTURE=x86_64 JOBS=2 \
     bash "$tmp/src/build.sh") \
  > "$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; fail ".clusterfuzzlite/build.sh"; }
targets=$(cd "$tmp/out" && ls)
echo "targets: $targets"
[ -x "$tmp/out/uvsim_libfuzzer" ] || fail "no uvsim_libfuzzer in \$OUT"
n=0
for t in "$tmp"/out/uvsim_fuzz_*_buggy; do
  [ -x "$t" ] || continue
  n=$((n + 1))
  # libFuzzer starts (a bug found at once is fine: that is what they are for).
  (cd "$tmp/work" && timeout 60 "$t" -runs=20 -seed=1 > "$tmp/run.log" 2>&1) || true
  grep -q 'INFO: Seed: 1' "$tmp/run.log" || { cat "$tmp/run.log"; fail "$(basename "$t") does not start as a libFuzzer target"; }
  nm "$t" > "$tmp/nm.txt"
  grep -q __asan_init "$tmp/nm.txt" || fail "$(basename "$t") is not built with ASan"
done
[ "$n" -gt 0 ] || fail "no uvsim_fuzz_*_buggy targets in \$OUT"
echo "clusterfuzzlite: build.sh under OSS-Fuzz's environment made $n scenario targets and uvsim_libfuzzer"
