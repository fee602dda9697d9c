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
 *  - V8's flags: UVSIM_V8_FLAGS (`--single-threaded
 *    --predictable-gc-schedule --random-seed=N`, set by `uvsim node`) is
 *    handed to V8 before node starts, not put on node's
 *    command line, where process.execArgv would show it and
 *    child_process.fork() would pass it on to the children.
 *  - V8's tasks for node's platform worker threads run at once on the
 *    thread that posts them (platform_inline), so no task ever reaches
 *    those threads and a fork server's child, which lacks them, lacks
 *    nothing it uses.
 *  - The run's seed enters at the default loop's first uv_run, not at the
 *    start: node starts with seed 0's stream and V8 seed, and
 *    uvsim_det_first_run gives both the run's and resets the current
 *    context's Math.random (see there).
 *  - A run ends once node has freed its main environment, without V8's
 *    teardown (node_maybe_int, below): the same in every run, and what
 *    makes a fork server's child cheap to end.
 *
 * These symbols are this library's whole point, so it is a library of its
 * own: libuvsim.so exports nothing but uv_* and uvsim_*. */
#include <assert.h>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* The stream starts at seed 0's state in every run and takes the run's
 * seed at the default loop's first uv_run (uvsim_det_first_run): what
 * node drew at start-up is then the same whatever the seed, so a fork
 * server's child, forked there, draws what a started run draws. */
static pthread_mutex_t rng_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rng_state;

static uint64_t splitmix64(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void fill(void* buf, size_t len) {
  unsigned char* p = buf;
  pthread_mutex_lock(&rng_mu);
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

/* The default loop's first uv_run (loop/forkserver.c calls this, by name,
 * in a started run and in a fork server's child alike, with the run's
 * UVSIM_RANDOM_SEED): from here the randomness is the run's. Before it,
 * node ran with seed 0's (cli/node.c starts every run with seed 0's
 * --random-seed), so everything node did before its loop ran is the same
 * for every seed, and forking there gives a child what a started run has.
 * V8 seeds a context's Math.random from FLAG_random_seed at its first
 * call, so setting the flag here reseeds every context that had not drawn
 * yet; the current context (node's main one) is reset as well
 * (reset_current_math_random), so a script that drew at its top level got
 * seed 0's numbers there and gets the run's from here on. Other contexts
 * that drew before (a vm context, say) go on with seed 0's numbers. The
 * V8 value is cli/node.c's v8_seed(). Seed 0 changes nothing: the natural
 * order is what it always was. */
static void reset_current_math_random(void);

DET_EXPORT void uvsim_det_first_run(uint64_t seed) {
  if (seed == 0) return;
  pthread_mutex_lock(&rng_mu);
  rng_state = seed;
  pthread_mutex_unlock(&rng_mu);
  void (*set_flags)(const char*);
  *(void**)&set_flags = dlsym(RTLD_DEFAULT, "_ZN2v82V818SetFlagsFromStringEPKc");
  if (set_flags) {
    char flag[48];
    snprintf(flag, sizeof flag, "--random-seed=%ld", (long)(seed % 2147483646u) + 1);
    set_flags(flag);
    reset_current_math_random();
  }
}

/* Make the current context's next Math.random draw reseed from the flag
 * just set. V8 keeps a context's generator state in the native context and
 * reads FLAG_random_seed only when that state is zero (MathRandom::
 * RefillCache); v8::internal::MathRandom::ResetContext zeroes the state and
 * the cache index, which is exactly a context that has not drawn yet. It is
 * V8-internal but exported by libnode.so.108 (node 18, V8 10.2).
 *
 * x86-64 SysV / Itanium ABI, checked against libnode.so.108's code:
 *  - v8::internal::Context is one tagged word with trivial copy and
 *    destructor, so ResetContext takes it in a register, as a uintptr_t.
 *  - Isolate::GetCurrentContext is a non-static member: `this` (the
 *    isolate) is the first argument; it returns Local<Context>, a pointer
 *    to a handle slot holding the context's tagged address, NULL when no
 *    context is entered.
 *  - A Local needs an open HandleScope: node's SpinEventLoop holds a
 *    SealHandleScope around uv_run, which would abort the handle's
 *    creation. v8::HandleScope is three words (isolate, prev next, prev
 *    limit); the buffer is roomier and aligned in case that grows.
 * Node enters env->context() before uv_run, so at the first uv_run the
 * current context is the main one. Anything missing (not node, another
 * libnode): nothing is reset, as before. */
static void reset_current_math_random(void) {
  void* (*get_isolate)(void);
  void (*scope_open)(void*, void*);
  void (*scope_close)(void*);
  void** (*get_context)(void*);
  void (*reset)(uintptr_t);
  *(void**)&get_isolate = dlsym(RTLD_DEFAULT, "_ZN2v87Isolate10GetCurrentEv");
  *(void**)&scope_open = dlsym(RTLD_DEFAULT, "_ZN2v811HandleScopeC1EPNS_7IsolateE");
  *(void**)&scope_close = dlsym(RTLD_DEFAULT, "_ZN2v811HandleScopeD1Ev");
  *(void**)&get_context = dlsym(RTLD_DEFAULT, "_ZN2v87Isolate17GetCurrentContextEv");
  *(void**)&reset = dlsym(RTLD_DEFAULT, "_ZN2v88internal10MathRandom12ResetContextENS0_7ContextE");
  if (!get_isolate || !scope_open || !scope_close || !get_context || !reset) return;
  void* isolate = get_isolate();
  if (!isolate) return;
  _Alignas(16) unsigned char scope[64];
  scope_open(scope, isolate);
  void** ctx = get_context(isolate);
  if (ctx) reset((uintptr_t)*ctx);
  scope_close(scope);
}

/* --------------------------------------- node's platform worker threads
 *
 * V8 gives node's platform worker threads tasks even under
 * --single-threaded: every scavenge and mark-compact posts a job
 * (NodePlatform::PostJob, V8's default job), whose worker tasks reach
 * NodePlatform::CallOnWorkerThread and a worker thread's queue. A fork
 * server's child (loop/forkserver.c) has none of those threads, so such a
 * task would wait for ever. Here every node run, started or forked alike,
 * runs those tasks at once on the thread that posts them, instead: the
 * entries of CallOnWorkerThread and CallDelayedOnWorkerThread in
 * node::NodePlatform's vtable (V8 calls its platform only through it) are
 * replaced, so node's worker threads never get a task and stay asleep.
 *
 * Why running them there is sound: V8's default job does the work on the
 * joining thread (DefaultJobState::Join) and does not wait for posted
 * worker tasks that have not started; a worker task run first does its
 * share of the job on the posting thread, before the join, which then finds
 * the work done (or, run after, finds none). Delayed worker tasks run at
 * once too: nothing waits for their delay, and a run that does the same
 * thing every time is the point.
 *
 * Itanium C++ ABI: a std::unique_ptr<v8::Task> argument is passed by
 * invisible reference to the caller's object, which the caller destroys
 * after the call; a v8::Task's vtable is [0] complete destructor, [1]
 * deleting destructor, [2] Run(). */

static int platform_inline_done;

static void run_task(void* const* task_slot) {
  void* task = *task_slot;
  assert(task);                 /* V8 posts no empty task */
  void (*run)(void*);
  *(void**)&run = (*(void***)task)[2];
  run(task);
}

static void call_on_worker_inline(void* platform, void* const* task_slot) {
  (void)platform;
  run_task(task_slot);
}

static void call_delayed_on_worker_inline(void* platform, void* const* task_slot,
                                          double delay_s) {
  (void)platform, (void)delay_s;
  run_task(task_slot);
}

/* The vtable slot of node::NodePlatform whose entry is fn, found by its
 * value (no index is assumed); -1 when none or more than one is. */
static long vtable_slot(void* const* vt, size_t n, void* fn) {
  long at = -1;
  for (size_t i = 0; i < n; i++) {
    if (vt[i] != fn) continue;
    if (at >= 0) return -1;
    at = (long)i;
  }
  return at;
}

/* The protection of the mapping that holds addr (PROT_* bits), from
 * /proc/self/maps; -1 when not found. */
static int protection_of(uintptr_t addr) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return -1;
  char line[512];
  int prot = -1;
  while (prot < 0 && fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    char perms[8];
    if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || addr < lo || addr >= hi) continue;
    prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
           (perms[2] == 'x' ? PROT_EXEC : 0);
  }
  fclose(f);
  return prot;
}

/* Writes one word of (read-only) relocated data, and gives its page back
 * the protection it had. */
static int set_word(void** at, void* value) {
  uintptr_t page = (uintptr_t)at & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
  int prot = protection_of((uintptr_t)at);
  if (prot < 0 || !(prot & PROT_READ)) return 0;
  if (!(prot & PROT_WRITE) &&
      mprotect((void*)page, (size_t)sysconf(_SC_PAGESIZE), prot | PROT_WRITE))
    return 0;
  *at = value;
  if (!(prot & PROT_WRITE)) {
    int back = mprotect((void*)page, (size_t)sysconf(_SC_PAGESIZE), prot);
    assert(back == 0);          /* giving back what it had cannot fail */
    (void)back;
  }
  return 1;
}

/* Before main: node makes its platform only in node::Start. The vtable is
 * in libnode's RELRO, read-only once relocated: made writable for the two
 * words, then read-only again. Without libnode, or a libnode whose vtable
 * is not as expected, nothing changes and uvsim_det_platform_inline says
 * so (no fork server then). */
__attribute__((constructor)) static void platform_inline(void) {
  void* vt = dlsym(RTLD_DEFAULT, "_ZTVN4node12NodePlatformE");
  void* call = dlsym(RTLD_DEFAULT, "_ZN4node12NodePlatform18CallOnWorkerThreadESt10"
                     "unique_ptrIN2v84TaskESt14default_deleteIS3_EE");
  void* delayed = dlsym(RTLD_DEFAULT, "_ZN4node12NodePlatform25CallDelayedOnWorker"
                        "ThreadESt10unique_ptrIN2v84TaskESt14default_deleteIS3_EEd");
  if (!vt || !call || !delayed) return;
  Dl_info info;
  const ElfW(Sym)* sym = NULL;
  if (!dladdr1(vt, &info, (void**)&sym, RTLD_DL_SYMENT) || !sym || sym->st_size == 0) return;
  void** slots = vt;
  size_t n = sym->st_size / sizeof(void*);
  long c = vtable_slot(slots, n, call), d = vtable_slot(slots, n, delayed);
  if (c < 0 || d < 0) return;
  if (!set_word(&slots[c], (void*)call_on_worker_inline)) return;
  if (!set_word(&slots[d], (void*)call_delayed_on_worker_inline)) return;
  platform_inline_done = 1;
}

/* Whether node's platform worker threads can be given no task: the fork
 * server (loop/forkserver.c) forks node only then. */
DET_EXPORT int uvsim_det_platform_inline(void) { return platform_inline_done; }

/* ------------------------------------------------------------ exit
 *
 * Once node's main loop has ended and the program's 'exit' handlers have
 * run (node::SpinEventLoop returned the exit code) and node has freed the
 * main environment (node::FreeEnvironment: cleanup hooks, the loop's
 * handles closed, the addons' AtExit hooks, worker threads stopped), what
 * is left before exit(code) is the teardown of V8's isolate and platform
 * and the libraries' exit handlers and destructors: nothing the program
 * sees, and in a fork server's child the costliest part of a small run
 * (freeing every heap block and V8 page writes to pages the child shares
 * with the server: a copy-on-write fault each; 1095 -> 660 faults per run
 * of bench/exec/node_small.js). So every node run, started or forked
 * alike, ends there as node's own process.exit() path ends
 * (node::DefaultProcessExitHandler): V8's statistics dumped if flags asked
 * for them (v8::Isolate::DumpAndResetStats, which the isolate's teardown
 * would have done), stdio given back as node found it (node::ResetStdio:
 * terminal modes, descriptor flags), then uvsim_exit_now (stdio flushed,
 * the run reported, _exit). Not run: atexit handlers and destructors of
 * the process's libraries (a native addon's own atexit, say). A run that
 * ends otherwise (process.exit, an uncaught exception, a signal) is not
 * changed.
 *
 * libnode.so calls both functions through its PLT (node::NodeMainInstance::
 * Run calls SpinEventLoop and, through its environment's deleter,
 * FreeEnvironment: checked in libnode.so.108's code), so these
 * definitions, preloaded, are the ones it calls; each calls libnode's.
 * Worker threads call them too, for their own environments: only the main
 * thread's environment ends the process. v8::Maybe<int> is a bool and an
 * int, trivially copyable, returned in a register as this struct is. */
typedef struct {
  _Bool has;
  int value;
} node_maybe_int;

static void* main_env;          /* whose loop ended on the main thread */
static int main_exit_code;

DET_EXPORT node_maybe_int _ZN4node13SpinEventLoopEPNS_11EnvironmentE(void* env) {
  static node_maybe_int (*real)(void*);
  if (!real) *(void**)&real = dlsym(RTLD_NEXT, "_ZN4node13SpinEventLoopEPNS_11EnvironmentE");
  node_maybe_int r = real(env);
  if (main_thread() && r.has) {
    main_env = env;
    main_exit_code = r.value;
  }
  return r;
}

DET_EXPORT void _ZN4node15FreeEnvironmentEPNS_11EnvironmentE(void* env) {
  static void (*real)(void*);
  if (!real) *(void**)&real = dlsym(RTLD_NEXT, "_ZN4node15FreeEnvironmentEPNS_11EnvironmentE");
  real(env);
  if (!env || env != main_env || !main_thread()) return;
  void* (*get_isolate)(void);
  void (*dump_stats)(void*);
  void (*reset_stdio)(void);
  *(void**)&get_isolate = dlsym(RTLD_DEFAULT, "_ZN2v87Isolate10GetCurrentEv");
  *(void**)&dump_stats = dlsym(RTLD_DEFAULT, "_ZN2v87Isolate17DumpAndResetStatsEv");
  *(void**)&reset_stdio = dlsym(RTLD_DEFAULT, "_ZN4node10ResetStdioEv");
  void* isolate = get_isolate ? get_isolate() : NULL;
  if (isolate && dump_stats) dump_stats(isolate);
  if (reset_stdio) reset_stdio();
  uvsim_exit_now(main_exit_code);
}
