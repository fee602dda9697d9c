#!/bin/bash -eu
# fuzz/build.sh — builds uvsim's fuzz targets the way OSS-Fuzz and
# ClusterFuzzLite do: $CC $CFLAGS for the code, $LIB_FUZZING_ENGINE to link,
# binaries into $OUT. Outside OSS-Fuzz the defaults build libFuzzer targets
# with ASan into ./fuzz-out:
#
#   fuzz/build.sh                                   # libFuzzer + ASan
#   CC=afl-clang-fast LIB_FUZZING_ENGINE=afl OUT=/tmp/afl fuzz/build.sh
#
# Targets: uvsim_libfuzzer (scenario from $UVSIM_SCENARIO at run time) and
# uvsim_fuzz_<name>_<variant> for each buggy example scenario (the scenario
# compiled in, as OSS-Fuzz runs targets without an environment). With
# LIB_FUZZING_ENGINE=afl the driver is fuzz/afl.c (persistent mode).
SRC=${SRC_UVSIM:-$(cd "$(dirname "$0")/.." && pwd)}
: "${CC:=clang}"
: "${CFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=address,fuzzer-no-link}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer,address}"
: "${OUT:=$PWD/fuzz-out}"
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

FLAGS="$CFLAGS -std=c11 -D_GNU_SOURCE -I$SRC/include -I$SRC"
srcs=("$SRC"/sim/*.c
      "$SRC"/fuzz/{strategy,runner,signature,registry,minimize,replay,campaign,explore,shard}.c
      "$SRC"/loop/*.c "$SRC"/loop/engine/*.c
      "$SRC"/scenarios/examples/*.c "$SRC"/scenarios/examples/uv/*.c)
while IFS= read -r f; do srcs+=("$f"); done < <(find "$SRC/scenarios" -name '*.c' -not -path '*/examples/*' | sort)
objs=()
JOBS=${JOBS:-2}
running=0
for f in "${srcs[@]}"; do
  [ -f "$f" ] || continue
  o="$WORK/$(echo "${f#$SRC/}" | tr '/' '_' | sed 's/\.c$/.o/')"
  $CC $FLAGS -c "$f" -o "$o" &
  objs+=("$o")
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait
for o in "${objs[@]}"; do [ -f "$o" ] || { echo "build.sh: $o failed" >&2; exit 1; }; done
LIBS="-lpthread -ldl -lm"

if [ "$LIB_FUZZING_ENGINE" = afl ]; then
  driver="$SRC/fuzz/afl.c"; engine=""
else
  driver=""; engine="$LIB_FUZZING_ENGINE"
fi

link() {  # link NAME [-DUVSIM_FUZZ_SCENARIO=...]
  local name=$1; shift
  $CC $FLAGS "$@" -c "$SRC/fuzz/libfuzzer.c" -o "$WORK/lf_$name.o"
  if [ -n "$driver" ]; then $CC $FLAGS -c "$driver" -o "$WORK/drv_$name.o"; fi
  $CC $FLAGS "$WORK/lf_$name.o" ${driver:+"$WORK/drv_$name.o"} "${objs[@]}" $engine $LIBS -o "$OUT/$name"
}

link uvsim_libfuzzer
for f in "$SRC"/scenarios/examples/*.c "$SRC"/scenarios/examples/uv/*.c; do
  [ -f "$f" ] || continue
  n=$(basename "$f" .c)
  grep -q "UVSIM_SCENARIO($n, buggy" "$f" || continue
  link "uvsim_fuzz_${n}_buggy" "-DUVSIM_FUZZ_SCENARIO=\"$n/buggy\""
done
echo "fuzz targets in $OUT: $(cd "$OUT" && ls | tr '\n' ' ')"
