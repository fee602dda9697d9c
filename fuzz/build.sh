#!/bin/bash -eu
# fuzz/build.sh — builds uvsim's fuzz targets the way OSS-Fuzz and
# ClusterFuzzLite do: $CC $CFLAGS for the code, $LIB_FUZZING_ENGINE to link,
# binaries into $OUT. Outside OSS-Fuzz the defaults build libFuzzer targets
# with ASan into ./fuzz-out:
#
#   fuzz/build.sh                                   # libFuzzer + ASan
#
# Targets: uvsim_libfuzzer (scenario from $UVSIM_SCENARIO at run time) and
# uvsim_fuzz_<name>_buggy for each buggy scenario under scenarios/ (the
# scenario compiled in, as OSS-Fuzz runs targets without an environment; a
# UVSIM_SCENARIO naming another is refused), each with a .options file
# (len_control = 0, max_len from the natural schedule: the target also adds
# both itself when run by hand). Feedback is code coverage plus the ordering
# coverage map (sim/sim_ordcov.h; UVSIM_ORDCOV=0 at run time turns it off).
# A finding is written as crash-<sha1 of the input>.uvsim, the artifact's
# name plus .uvsim ($UVSIM_FINDING_DIR, else the -artifact_prefix); known
# signatures listed in the file $UVSIM_SKIP do not stop the fuzzer.
#
# With LIB_FUZZING_ENGINE=afl the driver is fuzz/afl.c: persistent mode with
# shared-memory test cases (run afl-fuzz without @@), the ordering map added
# to AFL++'s map, each input run twice with only the second run's coverage
# counted (stability; UVSIM_AFL_STABLE=0 runs it once); `TARGET FILE` replays a saved crash (exit status: abort on
# a finding, written as FILE.uvsim). Without ASan, for speed:
#
#   CC=afl-clang-fast CFLAGS="-O1 -g" LIB_FUZZING_ENGINE=afl OUT=/tmp/afl fuzz/build.sh
set -eu   # also when run as `bash fuzz/build.sh`
SRC=${SRC_UVSIM:-$(cd "$(dirname "$0")/.." && pwd)}
: "${CC:=clang}"
: "${CFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=address,fuzzer-no-link}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer,address}"
: "${OUT:=$PWD/fuzz-out}"
mkdir -p "$OUT"
# TARGETS="name ..." builds only those scenarios' targets (and uvsim_libfuzzer).
# FUZZ_WORK=DIR keeps the objects there and recompiles only sources newer
# than their object (headers are not tracked: clear DIR after editing one).
if [ -n "${FUZZ_WORK:-}" ]; then
  WORK=$FUZZ_WORK; mkdir -p "$WORK"
else
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi

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
  objs+=("$o")
  [ -n "${FUZZ_WORK:-}" ] && [ "$o" -nt "$f" ] && continue
  $CC $FLAGS -c "$f" -o "$o" &
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

# The .options file next to a target (OSS-Fuzz, ClusterFuzzLite read it): the
# target prints its own (length control off, max_len from its natural
# schedule); a target that cannot run here (cross build) gets the length
# control line alone. The target adds the same defaults itself when run by
# hand, so the file only tells the fuzzing infrastructure.
options() {  # options NAME
  [ -z "$driver" ] || return 0   # AFL++ has no .options
  if ! UVSIM_FUZZ_OPTIONS=1 "$OUT/$1" > "$OUT/$1.options" 2>/dev/null; then
    printf '[libfuzzer]\nlen_control = 0\n' > "$OUT/$1.options"
  fi
}

link uvsim_libfuzzer
options uvsim_libfuzzer
# One target per buggy scenario, wherever it lives under scenarios/ (the
# hard ones included): UVSIM_SCENARIO(<name>, buggy, ...).
for n in $(sed -n 's/^UVSIM_SCENARIO(\([a-z0-9_]*\), buggy,.*/\1/p' \
             $(find "$SRC/scenarios" -name '*.c' | sort) | sort -u); do
  case " ${TARGETS:-$n} " in *" $n "*) ;; *) continue ;; esac
  link "uvsim_fuzz_${n}_buggy" "-DUVSIM_FUZZ_SCENARIO=\"$n/buggy\""
  options "uvsim_fuzz_${n}_buggy"
done
echo "fuzz targets in $OUT: $(cd "$OUT" && ls | grep -v '\.options$' | tr '\n' ' ')"
