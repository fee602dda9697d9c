/* loop/det/det.c — libuvsim-det.so: what a real program (Node) reads of the
 * world *outside* libuv, made to follow the run. Preloaded after
 * libuvsim.so by `uvsim node`.
 *
 *  - The wall clock: clock_gettime(CLOCK_REALTIME[_COARSE]), gettimeofday
 *    and time answer the virtual wall clock (uvsim_wall_ns: 2020-01-01 at
 *    virtual time 0), so Date.now() and new Date() repeat. Monotonic clocks
 *    stay real: the real libuv behind loops of other threads runs on them,
 *    and libuv's own uv_hrtime is virtual already.
 *  - Randomness: getrandom, getentropy and OpenSSL's RAND_bytes family
 *    (crypto.randomBytes, getRandomValues, randomUUID) draw from one
 *    stream seeded by UVSIM_RANDOM_SEED, not from the kernel. (OpenSSL's
 *    own generator would not do: it mixes thread ids and times into its
 *    output.) Math.random is V8's, seeded with --random-seed.
 *  - V8's flags: UVSIM_V8_FLAGS (`--single-threaded --random-seed=N`, set
 *    by `uvsim node`) is handed to V8 before node starts, not put on node's
 *    command line, where process.execArgv would show it and
 *    child_process.fork() would pass it on to the children.
 *
 * These symbols are this library's whole point, so it is a library of its
 * own: libuvsim.so exports nothing but uv_* and uvsim_*. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "uvsim/world.h"

#define DET_EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------ clocks */

static int (*real_clock_gettime)(clockid_t, struct timespec*);

/* The main thread is the simulated world's: its reads cost virtual time
 * (uvsim_wall_ns_read); other threads only look. */
static int main_thread(void) {
  static __thread int is = -1;
  if (is < 0) is = (pid_t)syscall(SYS_gettid) == getpid();
  return is;
}

static void wall(struct timespec* ts) {
  uint64_t ns = main_thread() ? uvsim_wall_ns_read() : uvsim_wall_ns();
  ts->tv_sec = (time_t)(ns / 1000000000u);
  ts->tv_nsec = (long)(ns % 1000000000u);
}

DET_EXPORT int clock_gettime(clockid_t id, struct timespec* ts) {
  if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE) {
    wall(ts);
    return 0;
  }
  if (!real_clock_gettime)
    *(void**)&real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
  return real_clock_gettime(id, ts);
}

DET_EXPORT int gettimeofday(struct timeval* restrict tv, void* restrict tz) {
  if (tz) memset(tz, 0, sizeof(struct timezone));
  {
    struct timespec ts;
    wall(&ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  return 0;
}

DET_EXPORT time_t time(time_t* out) {
  struct timespec ts;
  wall(&ts);
  if (out) *out = ts.tv_sec;
  return ts.tv_sec;
}

/* -------------------------------------------------------- randomness */

static pthread_mutex_t rng_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rng_state;
static int rng_ready;

static uint64_t splitmix64(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void fill(void* buf, size_t len) {
  unsigned char* p = buf;
  pthread_mutex_lock(&rng_mu);
  if (!rng_ready) {
    const char* env = getenv("UVSIM_RANDOM_SEED");
    rng_state = env ? strtoull(env, NULL, 10) : 0;
    rng_ready = 1;
  }
  while (len > 0) {
    uint64_t v = splitmix64(&rng_state);
    size_t n = len < 8 ? len : 8;
    memcpy(p, &v, n);
    p += n;
    len -= n;
  }
  pthread_mutex_unlock(&rng_mu);
}

DET_EXPORT ssize_t getrandom(void* buf, size_t len, unsigned int flags) {
  (void)flags;
  fill(buf, len);
  return (ssize_t)len;
}

DET_EXPORT int getentropy(void* buf, size_t len) {
  fill(buf, len);
  return 0;
}

/* OpenSSL 3 (libcrypto.so.3): 1 on success. */
DET_EXPORT int RAND_bytes(unsigned char* buf, int num) {
  if (num < 0) return 0;
  fill(buf, (size_t)num);
  return 1;
}

DET_EXPORT int RAND_priv_bytes(unsigned char* buf, int num) { return RAND_bytes(buf, num); }

DET_EXPORT int RAND_bytes_ex(void* ctx, unsigned char* buf, size_t num, unsigned int strength) {
  (void)ctx;
  (void)strength;
  fill(buf, num);
  return 1;
}

DET_EXPORT int RAND_priv_bytes_ex(void* ctx, unsigned char* buf, size_t num,
                                  unsigned int strength) {
  return RAND_bytes_ex(ctx, buf, num, strength);
}

/* ----------------------------------------------------------- V8 flags */

/* v8::V8::SetFlagsFromString(const char*), exported by libnode. Node 18
 * refuses these flags in NODE_OPTIONS and V8 reads no environment, so this
 * is the one way to give them to V8 without putting them in
 * process.execArgv. It runs before main: node parses its own command line
 * (and hands V8 its flags) and initialises V8 only later, in node::Start,
 * and V8's flags are plain constant-initialised globals, which no
 * constructor of libnode's sets again. Node sees the same V8 flag values as
 * with the flags on its command line (compared with --print-flag-values).
 * Without libnode (a program that is not node) there is nothing to do. */
__attribute__((constructor)) static void v8_flags(void) {
  const char* flags = getenv("UVSIM_V8_FLAGS");
  if (!flags || !*flags) return;
  void (*set)(const char*);
  *(void**)&set = dlsym(RTLD_DEFAULT, "_ZN2v82V818SetFlagsFromStringEPKc");
  if (set) set(flags);
}
