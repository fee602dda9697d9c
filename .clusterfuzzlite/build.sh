#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: runs in the base-builder image
# with $CC, $CFLAGS, $LIB_FUZZING_ENGINE, $SRC, $OUT (and $WORK, $SANITIZER)
# set by the infrastructure. fuzz/build.sh does the work and puts
# uvsim_libfuzzer and uvsim_fuzz_<scenario>_buggy in $OUT.
UVSIM=${UVSIM_SRC:-$SRC/uvsim}
# libuv 1.44's headers (the Dockerfile fetches them into $SRC/libuv).
if [ -f "$SRC/libuv/include/uv.h" ]; then
  export CFLAGS="$CFLAGS -I$SRC/libuv/include"
fi
SRC_UVSIM=$UVSIM JOBS=${JOBS:-$(nproc)} bash "$UVSIM/fuzz/build.sh"
