/* loop/entry/foreign.c — foreign loops: loops initialised on a thread other
 * than the main one run on the real libuv, privately loaded.
 *
 * Why: a real program runs loops of its own beside the default one (Node's
 * platform starts a delayed-task scheduler thread with its own loop at
 * start-up; worker_threads and the inspector do too). One simulated world
 * cannot serve two threads at once, and those loops are not where the
 * program's ordering bugs live. So the world belongs to the main thread
 * (and to pool threads while they run one of its jobs), and a loop made
 * elsewhere is handed to the system's libuv, where it runs in real time.
 *
 * How: the system's libuv.so.1 may already be mapped (the program links
 * it; libuvsim is preloaded in front of it), and its internal calls to its
 * own uv_* would bind to libuvsim's. So a *copy* of it is dlopen'ed with
 * RTLD_DEEPBIND: a new object whose internal calls bind to itself. The
 * copy is lib/libuvsim-real-uv.so.1 beside libuvsim (made by the build),
 * else a private copy made at run time. Every exported uv_* (generated,
 * uv_entry.c) tests whether the loop it is about is in the registry below
 * and passes the call on. ASan refuses RTLD_DEEPBIND; there the copy's
 * internal calls come back through these entry points, which send them,
 * being about foreign loops, back to it. */
#include "loop/entry/foreign.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The simulated implementations (loop/, renamed by gen-entry.py). */
int uvs__impl_uv_loop_init(uv_loop_t* loop);
int uvs__impl_uv_loop_close(uv_loop_t* loop);
uv_loop_t* uvs__impl_uv_loop_new(void);
void uvs__impl_uv_loop_delete(uv_loop_t* loop);
uv_loop_t* uvs__impl_uv_default_loop(void);
int uvs__impl_uv_cancel(uv_req_t* req);
uint64_t uvs__impl_uv_hrtime(void);
int uvs__impl_uv_loop_configure(uv_loop_t* loop, uv_loop_option option, ...);
int uvs__in_pool_work(void);                /* loop/threadpool.c: a pool thread in a job */
int uvs__peer_current(void);                /* loop/peer.c: a peer process's thread */

#define FOREIGN_MAX 256
#define REAL_COPY_NAME "libuvsim-real-uv.so.1"

_Atomic int uvs__real_loaded;
static _Atomic(const uv_loop_t*) foreign_loops[FOREIGN_MAX];
static void* real_handle;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static int (*real_loop_init)(uv_loop_t*);
static int (*real_loop_close)(uv_loop_t*);
static int (*real_loop_configure)(uv_loop_t*, uv_loop_option, ...);
static int (*real_cancel)(uv_req_t*);
static uint64_t (*real_hrtime)(void);

void uvs__not_simulated(const char* name) {
  fprintf(stderr, "uvsim: %s is not simulated\n", name);
}

/* ----------------------------------------------------------- registry */

/* Slots at and above this were never used: every uv_* call scans the
 * registry, and a process rarely has more than a few foreign loops. */
static _Atomic size_t foreign_high;

int uvs__is_foreign(const uv_loop_t* loop) {
  size_t high = atomic_load_explicit(&foreign_high, memory_order_acquire);
  for (size_t i = 0; i < high; i++)
    if (atomic_load_explicit(&foreign_loops[i], memory_order_acquire) == loop)
      return 1;
  return 0;
}

static void foreign_add(const uv_loop_t* loop) {
  for (size_t i = 0; i < FOREIGN_MAX; i++) {
    const uv_loop_t* none = NULL;
    if (atomic_compare_exchange_strong(&foreign_loops[i], &none, loop)) {
      size_t high = atomic_load(&foreign_high);
      while (high < i + 1 && !atomic_compare_exchange_weak(&foreign_high, &high, i + 1)) {}
      return;
    }
  }
  fprintf(stderr, "uvsim: more than %d loops on other threads at once\n", FOREIGN_MAX);
  abort();
}

static void foreign_remove(const uv_loop_t* loop) {
  size_t high = atomic_load(&foreign_high);
  for (size_t i = 0; i < high; i++) {
    const uv_loop_t* want = loop;
    atomic_compare_exchange_strong(&foreign_loops[i], &want, NULL);
  }
}

/* -------------------------------------------------------- the real one */

void* uvs__real_sym(void* handle, const char* name) {
  void* p = dlsym(handle, name);
  if (p == NULL) {
    fprintf(stderr, "uvsim: the real libuv has no %s\n", name);
    abort();
  }
  return p;
}

/* lib/libuvsim-real-uv.so.1 beside the object that holds this code
 * (libuvsim.so, or a program linked with libuvsim.a in build/). */
static int copy_beside_us(char* out, size_t outlen) {
  Dl_info info;
  if (!dladdr((void*)uvs__is_foreign, &info) || !info.dli_fname) return 0;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", info.dli_fname);
  char* slash = strrchr(dir, '/');
  if (!slash) return 0;
  *slash = '\0';
  const char* tries[] = { "%s/" REAL_COPY_NAME, "%s/lib/" REAL_COPY_NAME,
                          "%s/../lib/" REAL_COPY_NAME };
  for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
    snprintf(out, outlen, tries[i], dir);
    if (access(out, R_OK) == 0) return 1;
  }
  return 0;
}

/* A private copy of the system's libuv.so.1, made now (it is unlinked once
 * loaded). */
static int copy_at_run_time(char* out, size_t outlen) {
  const char* src = "/usr/lib/x86_64-linux-gnu/libuv.so.1";
  void* h = dlopen("libuv.so.1", RTLD_LAZY | RTLD_NOLOAD);
  struct link_map* lm = NULL;
  if (h && dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name[0]) src = lm->l_name;
  const char* tmp = getenv("TMPDIR");
  snprintf(out, outlen, "%s/uvsim-real-uv-%d.so", tmp && *tmp ? tmp : "/tmp", (int)getpid());
  int in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0) return 0;
  int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) { close(in); return 0; }
  char buf[65536];
  ssize_t n;
  int ok = 1;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(fd, buf, (size_t)n) != n) { ok = 0; break; }
  close(in);
  if (close(fd) != 0 || n < 0) ok = 0;
  return ok;
}

static void real_load(void) {
  char path[4200];
  int temporary = 0;
  if (getenv("UVSIM_REAL_LIBUV")) snprintf(path, sizeof path, "%s", getenv("UVSIM_REAL_LIBUV"));
  else if (!copy_beside_us(path, sizeof path)) {
    if (!copy_at_run_time(path, sizeof path)) {
      fprintf(stderr, "uvsim: a loop on another thread needs the real libuv, and no "
              "private copy of libuv.so.1 could be made\n");
      abort();
    }
    temporary = 1;
  }
  int flags = RTLD_NOW | RTLD_LOCAL;
#if !defined(__SANITIZE_ADDRESS__)
  flags |= RTLD_DEEPBIND;
#endif
  real_handle = dlopen(path, flags);
  if (temporary) unlink(path);
  if (!real_handle) {
    fprintf(stderr, "uvsim: cannot load the real libuv for loops on other threads: %s\n",
            dlerror());
    abort();
  }
  uvs__real_resolve(real_handle);
  *(void**)&real_loop_init = uvs__real_sym(real_handle, "uv_loop_init");
  *(void**)&real_loop_close = uvs__real_sym(real_handle, "uv_loop_close");
  *(void**)&real_loop_configure = uvs__real_sym(real_handle, "uv_loop_configure");
  *(void**)&real_cancel = uvs__real_sym(real_handle, "uv_cancel");
  *(void**)&real_hrtime = uvs__real_sym(real_handle, "uv_hrtime");
  atomic_store(&uvs__real_loaded, 1);
}

/* ------------------------------------------ the entry points by hand */

/* The fork server (loop/forkserver.c) is told which descriptors the real
 * libuv opened while initialising a loop, and how many foreign loops
 * live: a pipe of libuv's own is not the program's. */
void uvs__real_fds_before(unsigned char* set);
void uvs__real_fds_after(const unsigned char* before, int loops_delta);

int uv_loop_init(uv_loop_t* loop) {
  if (uvs__on_sim_thread()) {
    foreign_remove(loop);     /* memory of a foreign loop freed unclosed */
    return uvs__impl_uv_loop_init(loop);
  }
  pthread_once(&real_once, real_load);
  unsigned char before[128];
  uvs__real_fds_before(before);
  int r = real_loop_init(loop);
  uvs__real_fds_after(before, r == 0);
  if (r == 0) foreign_add(loop);
  return r;
}

int uv_loop_close(uv_loop_t* loop) {
  if (!uvs__foreign(loop)) return uvs__impl_uv_loop_close(loop);
  int r = real_loop_close(loop);
  if (r == 0) {
    foreign_remove(loop);
    uvs__real_fds_after(NULL, -1);
  }
  return r;
}

uv_loop_t* uv_loop_new(void) {
  if (uvs__on_sim_thread()) return uvs__impl_uv_loop_new();
  uv_loop_t* loop = malloc(sizeof *loop);
  if (loop == NULL) return NULL;
  if (uv_loop_init(loop) != 0) {
    free(loop);
    return NULL;
  }
  return loop;
}

void uv_loop_delete(uv_loop_t* loop) {
  if (!uvs__foreign(loop)) {
    uvs__impl_uv_loop_delete(loop);
    return;
  }
  int err = uv_loop_close(loop);
  (void)err;
  free(loop);
}

/* The one option that takes an argument (UV_LOOP_BLOCK_SIGNAL) takes an
 * int; passing one to the others is harmless. */
int uv_loop_configure(uv_loop_t* loop, uv_loop_option option, ...) {
  va_list ap;
  va_start(ap, option);
  int arg = option == UV_LOOP_BLOCK_SIGNAL ? va_arg(ap, int) : 0;
  va_end(ap);
  if (uvs__foreign(loop)) return real_loop_configure(loop, option, arg);
  return uvs__impl_uv_loop_configure(loop, option, arg);
}

/* The default loop is the simulated world's, whoever asks. */
uv_loop_t* uv_default_loop(void) { return uvs__impl_uv_default_loop(); }

static const uv_loop_t* req_loop(const uv_req_t* req) {
  switch (req->type) {
    case UV_FS: return ((const uv_fs_t*)req)->loop;
    case UV_WORK: return ((const uv_work_t*)req)->loop;
    case UV_GETADDRINFO: return ((const uv_getaddrinfo_t*)req)->loop;
    case UV_GETNAMEINFO: return ((const uv_getnameinfo_t*)req)->loop;
    case UV_RANDOM: return ((const uv_random_t*)req)->loop;
    default: return NULL;
  }
}

int uv_cancel(uv_req_t* req) {
  if (req && uvs__foreign(req_loop(req))) return real_cancel(req);
  return uvs__impl_uv_cancel(req);
}

/* Virtual on the world's threads; real time elsewhere once loops run
 * there (V8's background threads ask Node's platform for the time). */
uint64_t uv_hrtime(void) {
  if (UVS__UNLIKELY(uvs__off_sim_thread())) return real_hrtime();
  return uvs__impl_uv_hrtime();
}
