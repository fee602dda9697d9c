#!/bin/sh
# tests/loop/exports.sh LIBDIR — libuvsim.so is preloaded into other people's
# programs (node, Lua, Python): it exports libuv's API, uvsim's own and
# libc's descriptor calls that answer simulated numbers (loop/fdshim.c) and
# the machine's identity calls (loop/os.c), __cxa_atexit and on_exit
# (counted for the fork server's snapshot mode, loop/snapshot.c), nothing else; libuvsim-det.so exactly the clock and randomness it
# interposes and node's two exit-path functions (loop/det/det.c).
lib=$1
shim="__cxa_atexit __pread64_chk __pread_chk __read_chk __recv_chk __recvfrom_chk close dup dup2 dup3 fcntl fcntl64 fdatasync fstat fstat64 fsync ftruncate ftruncate64 getpeername
getsockname getsockopt ioctl lseek lseek64 on_exit pread pread64 preadv pwrite pwrite64 pwritev read
readv recv recvfrom send sendto setsockopt shutdown write writev"
# and the simulated machine as libc tells it (loop/os.c)
shim="$shim getegid geteuid getgid gethostname getuid uname"
got=$(nm -D --defined-only "$lib/libuvsim.so" | awk '$2 == "T" {print $3}' |
      grep -v '^uv' | grep -v '^_init$' | grep -v '^_fini$' | sort | tr '\n' ' ')
[ "$got" = "$(echo $shim | tr ' ' '\n' | sort | tr '\n' ' ')" ] ||
  { echo "FAIL: libuvsim.so's libc calls: $got"; exit 1; }
bad=$(nm -D --defined-only "$lib/libuvsim.so" | awk '{print $3}' |
      grep -v '^uv_' | grep -v '^uvsim_' | grep -v '^_init$' | grep -v '^_fini$' |
      grep -vxF "$(echo $shim | tr ' ' '\n')")
if [ -n "$bad" ]; then
  echo "FAIL: libuvsim.so exports $(echo "$bad" | wc -l) other symbols:"
  echo "$bad" | head -20
  exit 1
fi
n=$(nm -D --defined-only "$lib/libuvsim.so" | grep -c ' T uv_')
[ "$n" -ge 290 ] || { echo "FAIL: only $n uv_* functions exported"; exit 1; }
det=$(nm -D --defined-only "$lib/libuvsim-det.so" | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ')
want="RAND_bytes RAND_bytes_ex RAND_priv_bytes RAND_priv_bytes_ex _ZN4node13SpinEventLoopEPNS_11EnvironmentE _ZN4node15FreeEnvironmentEPNS_11EnvironmentE clock_gettime getentropy getrandom gettimeofday time uvsim_det_first_run uvsim_det_platform_inline "
[ "$det" = "$want" ] || { echo "FAIL: libuvsim-det.so exports: $det"; exit 1; }
echo "ok: libuvsim.so exports $n uv_* functions, uvsim_* and the libc calls it answers, nothing else"
