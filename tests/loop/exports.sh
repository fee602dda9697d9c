#!/bin/sh
# tests/loop/exports.sh LIBDIR — libuvsim.so is preloaded into other people's
# programs (node, Lua, Python): it exports libuv's API and uvsim's own and
# nothing else; libuvsim-det.so exactly the clock and randomness it
# interposes (loop/det/det.c).
lib=$1
bad=$(nm -D --defined-only "$lib/libuvsim.so" | awk '{print $3}' |
      grep -v '^uv_' | grep -v '^uvsim_' | grep -v '^_init$' | grep -v '^_fini$')
if [ -n "$bad" ]; then
  echo "FAIL: libuvsim.so exports $(echo "$bad" | wc -l) other symbols:"
  echo "$bad" | head -20
  exit 1
fi
n=$(nm -D --defined-only "$lib/libuvsim.so" | grep -c ' T uv_')
[ "$n" -ge 290 ] || { echo "FAIL: only $n uv_* functions exported"; exit 1; }
det=$(nm -D --defined-only "$lib/libuvsim-det.so" | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ')
want="RAND_bytes RAND_bytes_ex RAND_priv_bytes RAND_priv_bytes_ex clock_gettime getentropy getrandom gettimeofday time "
[ "$det" = "$want" ] || { echo "FAIL: libuvsim-det.so exports: $det"; exit 1; }
echo "ok: libuvsim.so exports $n uv_* functions and uvsim_*, nothing else"
