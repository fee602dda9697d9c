/* loop/snapshot.c — snapshot mode of the fork server: one forked worker
 * runs schedule after schedule, its memory put back between them.
 *
 * The worker (loop/forkserver.c, serve_workers) calls uvs__snap_take at
 * the fork point, before any run's own setup. That registers an exit hook
 * (on_exit) and then copies every private mapping whose contents a run
 * could change — each writable one ([heap], [stack], the libraries' .data
 * and .bss, anonymous memory) and each readable anonymous one — into a
 * buffer of its own, and notes the rest of the state a run could change:
 * the break, signal dispositions and alternate stack, umask, cwd, resource
 * limits, every descriptor (device, inode, flags, offset) and the full
 * list of mappings. The control block below and that buffer are shared
 * anonymous mappings, which are never saved: they keep their contents
 * across a restore (the "came back" flag and the run's status live there).
 *
 * A run ends by exit() (or a return from main). glibc runs the exit
 * handlers newest first, then the ELF destructors (_dl_fini), then stdio's
 * cleanup; the hook, registered at the snapshot, runs after every handler
 * the run registered and before those registered earlier. It restores only
 * when the rest of exit() would do nothing observable and the process is
 * back to what the snapshot can describe; otherwise it returns and the
 * process exits as a forked child does (the server forks a new worker):
 *   - no exit handler was registered before the snapshot other than
 *     libuvsim's own report (__cxa_atexit and on_exit are interposed
 *     below to see them), checked when the snapshot is taken;
 *   - no object has an ELF destructor besides the toolchain's one per
 *     object (crtbegin's __do_global_dtors_aux: an object with two
 *     .fini_array entries has one of its own) and the real libuv's
 *     uv_library_shutdown (harmless_dtor);
 *   - one thread; no child process, live or zombie; no interval timer,
 *     no POSIX timer, no pending signal.
 * Then it writes the run's report (sim_report_now, as the atexit handler
 * would) and flushes stdio; from there _exit(status) is what exit() would
 * come to, and it is the fallback of every later check:
 *   - every mapping of the snapshot is still there, same range, rights,
 *     file and offset (the break is reset to the snapshot's first; the
 *     mappings the run made are unmapped, as its exit would);
 *   - every descriptor of the snapshot is the same file with the same
 *     flags (1 and 2 excepted: each run gets its own; of one the process
 *     was started with, only the file: its offset and flags are shared
 *     with whoever passed it); the offset of a regular file the program
 *     opened is put back; those the run opened are closed, as its exit
 *     would;
 *   - cwd and the resource limits are the snapshot's (umask is put back).
 * On a stack of its own in the control block it then copies the memory
 * back, puts back signal dispositions and the alternate stack, and
 * setcontext()s to the snapshot point, whose signal mask getcontext kept:
 * the worker goes on as if just forked, and reads its next request.
 *
 * Not seen (a run doing these would differ from a forked one): file locks
 * taken on a descriptor the snapshot had, a read-only file mapping made
 * writable, written and made read-only again, SysV IPC, prctl and
 * scheduling settings. Never used under a sanitizer (ASan's shadow is
 * terabytes) nor under `uvsim node`; UVSIM_SNAPSHOT=0 turns it off. */
#include "loop/snapshot.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "sim/sim.h"
#include "sim/sim_util.h"

#define SNAP_EXPORT __attribute__((visibility("default")))
#define SNAP_MAPS_MAX 4096
#define SNAP_FDS_MAX 1024
#define SNAP_TEXT (1u << 20)
#define SNAP_STACK (128u * 1024)

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SNAP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SNAP_SANITIZED 1
#endif
#endif
#ifndef SNAP_SANITIZED
#define SNAP_SANITIZED 0
#endif

/* ------------------------------------------------- exit handlers, counted
 *
 * atexit is __cxa_atexit(f, NULL, __dso_handle) (libc_nonshared), C++'s
 * static destructors are too; on_exit is its own. Each registration is
 * noted, and passed on to libc's. */

#define SNAP_HANDLERS_SEEN 64
static void* handlers[SNAP_HANDLERS_SEEN];
static size_t nhandlers;

static void note_handler(void* fn) {
  if (nhandlers < SNAP_HANDLERS_SEEN) handlers[nhandlers] = fn;
  nhandlers++;
}

SNAP_EXPORT int __cxa_atexit(void (*fn)(void*), void* arg, void* dso) {
  static int (*next)(void (*)(void*), void*, void*);
  if (!next) *(void**)&next = dlsym(RTLD_NEXT, "__cxa_atexit");
  if (!next) return -1;
  note_handler((void*)fn);
  return next(fn, arg, dso);
}

SNAP_EXPORT int on_exit(void (*fn)(int, void*), void* arg) {
  static int (*next)(void (*)(int, void*), void*);
  if (!next) *(void**)&next = dlsym(RTLD_NEXT, "on_exit");
  if (!next) return -1;
  note_handler((void*)fn);
  return next(fn, arg);
}

/* ------------------------------------------------------- the control block */

typedef struct snap_map {
  uintptr_t lo, hi;
  uint64_t off, inode;
  char perms[5];
  char kind;                    /* 'h' [heap], 's' [stack], 'k' other kernel, 0 */
  char saved;                   /* its contents are in the buffer, at `at` */
  size_t at;
} snap_map;

typedef struct snap_fd {
  int fd, fl, fdfl;
  dev_t dev;
  ino_t ino;
  mode_t mode;
  off_t off;
} snap_fd;

typedef struct snap_cb {
  ucontext_t at;                /* the snapshot point */
  ucontext_t side;              /* the restore, on `stack` */
  ucontext_t hook;
  volatile int came_back;
  int status;
  pid_t pid;
  int armed;
  uintptr_t brk;
  mode_t mask;
  struct sigaction act[NSIG];
  char act_ok[NSIG];
  uint64_t handled;             /* signals not at SIG_DFL, bit sig - 1 */
  stack_t alt;
  char limits[4096];            /* /proc/self/limits */
  char cwd[4096];
  size_t nmaps, ncur, nfds;
  snap_map maps[SNAP_MAPS_MAX];
  snap_map cur[SNAP_MAPS_MAX];
  snap_fd fds[SNAP_FDS_MAX];
  snap_fd now[SNAP_FDS_MAX];
  char log[1024];               /* UVSIM_SNAPSHOT_LOG, read at the snapshot */
  unsigned char* buf;
  size_t buf_len;
  char why[256];
  char text[SNAP_TEXT];
  char dents[32768];
  _Alignas(16) char stack[SNAP_STACK];
} snap_cb;

static snap_cb* cb;

const char* uvs__snap_allowed(void) {
  if (SNAP_SANITIZED) return "built with a sanitizer";
  const char* v = getenv("UVSIM_SNAPSHOT");
  if (v && !strcmp(v, "0")) return "UVSIM_SNAPSHOT=0";
  return NULL;
}

static void log_to(const char* path, const char* what, const char* why) {
  if (!path || !*path) return;
  char line[400];
  int n = snprintf(line, sizeof line, "%s: %s\n", what, why);
  int fd = (int)syscall(SYS_open, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  if (n > 0 && syscall(SYS_write, fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1)) < 0) {
    /* a debugging aid only */
  }
  syscall(SYS_close, fd);
}

void uvs__snap_log(const char* what, const char* why) {
  log_to(getenv("UVSIM_SNAPSHOT_LOG"), what, why);
}

/* ------------------------------------------------ reading /proc, raw
 *
 * With the kernel's calls only (no malloc, no stdio, no libuvsim shim):
 * the restore reads the maps after the run, with the heap as it left it. */

static long raw_read_file(const char* path, char* buf, size_t cap) {
  int fd = (int)syscall(SYS_open, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = 0;
  for (;;) {
    long n = syscall(SYS_read, fd, buf + len, cap - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    if (len == cap - 1) {                  /* too long to be sure of it */
      syscall(SYS_close, fd);
      return -1;
    }
  }
  syscall(SYS_close, fd);
  buf[len] = '\0';
  return (long)len;
}

static uint64_t hex(const char** p) {
  uint64_t v = 0;
  for (;; (*p)++) {
    char c = **p;
    if (c >= '0' && c <= '9') v = v * 16 + (uint64_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v = v * 16 + (uint64_t)(c - 'a' + 10);
    else return v;
  }
}

/* The signals /proc/self/status says are ignored or caught (bit sig - 1):
 * the dispositions a run could have changed from SIG_DFL or to it. All
 * of them when it cannot be read. */
static uint64_t handled_signals(void) {
  char text[4096];
  if (raw_read_file("/proc/self/status", text, sizeof text) < 0) return ~(uint64_t)0;
  uint64_t set = 0;
  int seen = 0;
  for (const char* p = text; (p = strstr(p, "\nSig")) != NULL; p++) {
    if (strncmp(p, "\nSigIgn:", 8) && strncmp(p, "\nSigCgt:", 8)) continue;
    const char* h = p + 8;
    while (*h == ' ' || *h == '\t') h++;
    set |= hex(&h);
    seen++;
  }
  return seen == 2 ? set : ~(uint64_t)0;
}

/* /proc/self/maps into out[]; the number of lines, or -1. */
static long read_maps(snap_map* out, size_t max) {
  if (raw_read_file("/proc/self/maps", cb->text, sizeof cb->text) < 0) return -1;
  size_t n = 0;
  for (const char* p = cb->text; *p;) {
    if (n == max) return -1;
    snap_map* m = &out[n++];
    memset(m, 0, sizeof *m);
    m->lo = (uintptr_t)hex(&p);
    p++;
    m->hi = (uintptr_t)hex(&p);
    p++;
    for (int i = 0; i < 4 && *p; i++) m->perms[i] = *p++;
    p++;
    m->off = hex(&p);
    p++;
    while (*p && *p != ' ') p++;           /* the device */
    p++;
    while (*p >= '0' && *p <= '9') m->inode = m->inode * 10 + (uint64_t)(*p++ - '0');
    while (*p == ' ') p++;
    if (*p == '[') {
      m->kind = !strncmp(p, "[heap]", 6) ? 'h' : !strncmp(p, "[stack]", 7) ? 's'
              : !strncmp(p, "[anon", 5) ? 0 : 'k';
    }
    while (*p && *p != '\n') p++;
    if (*p) p++;
  }
  return (long)n;
}

/* Whose contents a run could change and a restore puts back. */
static int to_save(const snap_map* m) {
  if (m->perms[3] != 'p' || m->kind == 'k') return 0;
  if (m->perms[1] == 'w') return 1;
  return m->perms[0] == 'r' && m->inode == 0;   /* anonymous, read-only now */
}

/* --------------------------------------------------------- descriptors */

static int read_fds(snap_fd* out, size_t max, long* n_out) {
  int dir = (int)syscall(SYS_open, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  size_t n = 0;
  int rc = 0;
  for (;;) {
    long got = syscall(SYS_getdents64, dir, cb->dents, sizeof cb->dents);
    if (got <= 0) {
      if (got < 0) rc = -1;
      break;
    }
    for (long at = 0; at < got;) {
      struct dirent64* e = (struct dirent64*)(cb->dents + at);
      at += e->d_reclen;
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      int fd = atoi(e->d_name);
      if (fd == dir) continue;
      if (n == max) { rc = -1; break; }
      snap_fd* f = &out[n];
      struct stat sb;
      if (syscall(SYS_fstat, fd, &sb) != 0) continue;
      f->fd = fd;
      f->dev = sb.st_dev, f->ino = sb.st_ino, f->mode = sb.st_mode;
      f->fl = (int)syscall(SYS_fcntl, fd, F_GETFL, 0);
      f->fdfl = (int)syscall(SYS_fcntl, fd, F_GETFD, 0);
      f->off = (off_t)syscall(SYS_lseek, fd, 0, SEEK_CUR);
      n++;
    }
    if (rc) break;
  }
  syscall(SYS_close, dir);
  *n_out = (long)n;
  return rc;
}

static const snap_fd* fd_in(const snap_fd* set, size_t n, int fd) {
  for (size_t i = 0; i < n; i++)
    if (set[i].fd == fd) return &set[i];
  return NULL;
}

/* ------------------------------------------------ exit's remaining work */

/* libuv's destructor, uv_library_shutdown: its .fini_array entry is
 * relocated by symbol, so it is libuvsim's (loop/misc.c, empty); the real
 * one would be harmless too: libuvsim answers every uv_* call of this
 * thread, and a real loop elsewhere would be another thread. */
static int harmless_dtor(void* fn) {
  Dl_info di;
  memset(&di, 0, sizeof di);
  return dladdr(fn, &di) && di.dli_saddr == fn && di.dli_sname &&
         !strcmp(di.dli_sname, "uv_library_shutdown");
}

static int dtor_object(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  const char** bad = data;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    if (info->dlpi_phdr[i].p_type != PT_DYNAMIC) continue;
    const ElfW(Dyn)* d = (const ElfW(Dyn)*)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    uintptr_t arr = 0;
    size_t len = 0;
    for (; d->d_tag != DT_NULL; d++) {
      if (d->d_tag == DT_FINI_ARRAY) arr = info->dlpi_addr + d->d_un.d_ptr;
      if (d->d_tag == DT_FINI_ARRAYSZ) len = d->d_un.d_val / sizeof(void*);
    }
    size_t own = 0;
    for (size_t k = 0; arr && k < len; k++) {
      void* fn = ((void* const*)arr)[k];
      if (fn && fn != (void*)-1 && !harmless_dtor(fn)) own++;
    }
    if (own > 1) {
      *bad = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "the program";
      return 1;
    }
  }
  return 0;
}

/* Why exit() would do more than the hook does: NULL when it would not. */
static const char* exit_has_work(void) {
  static char why[300];
  for (size_t i = 0; i < nhandlers && i < cb->armed - 1u; i++) {
    if (i >= SNAP_HANDLERS_SEEN || handlers[i] != (void*)sim_report_now) {
      snprintf(why, sizeof why, "an exit handler (atexit, on_exit, a C++ static's "
               "destructor) was registered before the first uv_run");
      return why;
    }
  }
  const char* bad = NULL;
  dl_iterate_phdr(dtor_object, &bad);
  if (bad) {
    snprintf(why, sizeof why, "%.200s has an ELF destructor", bad);
    return why;
  }
  return NULL;
}

/* ---------------------------------------------------------------- taking */

static void hook(int status, void* arg);

static size_t page_round(size_t n) {
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  return (n + pg - 1) & ~(pg - 1);
}

/* The maps, and the buffer sized for what is saved; 0 or -1 (cb->why). */
static int take_maps(void) {
  /* a value that is not a number stops with one line, as every UVSIM_*
   * number does (it read "12abc" as 12 and "abc" as 0 before) */
  size_t cap = (size_t)sim_env_u64("UVSIM_SNAPSHOT_CAP_MB", UVS__SNAP_CAP_MB,
                                   UVS__SNAP_CAP_MB_MAX) << 20;
  for (int tries = 0; tries < 3; tries++) {
    long n = read_maps(cb->maps, SNAP_MAPS_MAX);
    if (n < 0) {
      snprintf(cb->why, sizeof cb->why, "/proc/self/maps unreadable or too long");
      return -1;
    }
    cb->nmaps = (size_t)n;
    size_t total = 0;
    for (size_t i = 0; i < cb->nmaps; i++) {
      snap_map* m = &cb->maps[i];
      m->saved = (char)to_save(m);
      m->at = total;
      if (m->saved) total += m->hi - m->lo;
    }
    if (total > cap) {
      snprintf(cb->why, sizeof cb->why, "%zu MB of writable memory, over the %zu MB cap",
               total >> 20, cap >> 20);
      return -1;
    }
    if (cb->buf && cb->buf_len >= total) return 0;
    if (cb->buf) munmap(cb->buf, cb->buf_len);
    cb->buf_len = page_round(total + total / 8 + 65536);
    void* b = mmap(NULL, cb->buf_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) {
      cb->buf = NULL;
      snprintf(cb->why, sizeof cb->why, "no memory for the snapshot");
      return -1;
    }
    cb->buf = b;                /* read the maps again: the buffer is one */
  }
  snprintf(cb->why, sizeof cb->why, "the maps kept changing");
  return -1;
}

/* Word copies that the compiler may not make a call to memcpy: the restore
 * overwrites libc's data (and maybe the GOT) while it copies. */
__attribute__((noinline, optimize("no-tree-loop-distribute-patterns")))
static void copy_words(volatile uint64_t* to, const volatile uint64_t* from, size_t bytes) {
  for (size_t i = 0; i < bytes / 8; i++) to[i] = from[i];
}

static void save_memory(void) {
  for (size_t i = 0; i < cb->nmaps; i++) {
    snap_map* m = &cb->maps[i];
    if (m->saved) memcpy(cb->buf + m->at, (void*)m->lo, m->hi - m->lo);
  }
}

/* getcontext here; the restore's setcontext comes back here. Nothing in
 * this frame changes between the two (its memory is saved after). */
__attribute__((noinline)) static int snap_point(void) {
  getcontext(&cb->at);
  if (cb->came_back) {
    cb->came_back = 0;
    return 1;
  }
  save_memory();
  return 0;
}

int uvs__snap_status(void) { return cb ? cb->status : 0; }

int uvs__snap_take(char* why, size_t len) {
  void* p = mmap(NULL, sizeof(snap_cb), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    snprintf(why, len, "no memory for the control block");
    return -1;
  }
  cb = p;
  cb->pid = getpid();
  const char* log = getenv("UVSIM_SNAPSHOT_LOG");
  snprintf(cb->log, sizeof cb->log, "%s", log ? log : "");
  cb->armed = (int)nhandlers + 1;      /* handlers before ours: nhandlers */
  const char* work = exit_has_work();
  if (work) {
    snprintf(why, len, "%s", work);
    cb->armed = 0;
    return -1;
  }
  if (on_exit(hook, NULL) != 0) {
    snprintf(why, len, "on_exit failed");
    cb->armed = 0;
    return -1;
  }
  fflush(NULL);
  cb->brk = (uintptr_t)syscall(SYS_brk, 0);
  cb->mask = umask(0);
  umask(cb->mask);
  for (int s = 1; s < NSIG; s++)
    cb->act_ok[s] = s != SIGKILL && s != SIGSTOP && sigaction(s, NULL, &cb->act[s]) == 0;
  cb->handled = handled_signals();
  sigaltstack(NULL, &cb->alt);
  if (raw_read_file("/proc/self/limits", cb->limits, sizeof cb->limits) < 0) cb->limits[0] = '\0';
  if (syscall(SYS_getcwd, cb->cwd, sizeof cb->cwd) < 0) cb->cwd[0] = '\0';
  long nfds;
  if (read_fds(cb->fds, SNAP_FDS_MAX, &nfds) != 0) {
    snprintf(why, len, "too many descriptors");
    cb->armed = 0;
    return -1;
  }
  cb->nfds = (size_t)nfds;
  if (take_maps() != 0) {
    snprintf(why, len, "%s", cb->why);
    cb->armed = 0;
    return -1;
  }
  return snap_point();
}

/* ------------------------------------------------------------- restoring */

static int count_tasks(void) {
  int dir = (int)syscall(SYS_open, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  int n = 0;
  long got;
  while ((got = syscall(SYS_getdents64, dir, cb->dents, sizeof cb->dents)) > 0)
    for (long at = 0; at < got;) {
      struct dirent64* e = (struct dirent64*)(cb->dents + at);
      at += e->d_reclen;
      if (e->d_name[0] != '.') n++;
    }
  syscall(SYS_close, dir);
  return got < 0 ? -1 : n;
}

/* Why this process is not back to what the snapshot describes, in ways
 * that returning to exit() handles; NULL when it is. */
static const char* not_restorable(void) {
  static char why[300];
  int tasks = count_tasks();
  if (tasks != 1) {
    snprintf(why, sizeof why, "%d threads at exit", tasks);
    return why;
  }
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD)
    return "a child process (live or not waited for) at exit";
  struct itimerval it;
  for (int w = ITIMER_REAL; w <= ITIMER_PROF; w++)
    if (getitimer(w, &it) == 0 && (it.it_value.tv_sec || it.it_value.tv_usec))
      return "an interval timer (alarm, setitimer) armed at exit";
  char small[64];
  long t = raw_read_file("/proc/self/timers", small, sizeof small);
  if (t != 0) return "a POSIX timer (timer_create) at exit, or /proc/self/timers unreadable";
  sigset_t pend;
  sigemptyset(&pend);
  sigpending(&pend);
  if (!sigisemptyset(&pend)) return "a signal pending at exit";
  return exit_has_work();
}

static int covers(const snap_map* set, size_t n, uintptr_t lo, uintptr_t hi,
                  const snap_map* like) {
  while (lo < hi) {
    const snap_map* hit = NULL;
    for (size_t i = 0; i < n && !hit; i++)
      if (set[i].lo <= lo && lo < set[i].hi) hit = &set[i];
    if (!hit) return 0;
    if (like) {
      if (memcmp(hit->perms, like->perms, 4) || hit->inode != like->inode ||
          (like->inode && hit->off - like->off != hit->lo - like->lo))
        return 0;
    }
    lo = hit->hi;
  }
  return 1;
}

/* Where the restore gives up after the report was written: exit() would
 * only have come to this. */
static _Noreturn void give_up(const char* why) {
  log_to(cb->log, "snapshot fallback", why);   /* no getenv: the heap may be gone */
  _exit((cb->status >> 8) & 0xff);
}

static void restore(void) {
  /* the maps: every snapshot mapping still there, alike */
  long n = read_maps(cb->cur, SNAP_MAPS_MAX);
  if (n < 0) give_up("/proc/self/maps unreadable or too long");
  cb->ncur = (size_t)n;
  uintptr_t heap_lo = 0;
  for (size_t i = 0; i < cb->nmaps; i++) {
    const snap_map* m = &cb->maps[i];
    if (m->kind == 'h') {
      heap_lo = m->lo;
      continue;                 /* the break, reset below, makes it again */
    }
    if (!covers(cb->cur, cb->ncur, m->lo, m->hi, m))
      give_up("a mapping of the snapshot was unmapped, moved or changed rights");
  }
  /* descriptors: the snapshot's unchanged, the run's closed */
  snap_fd* now = cb->now;
  long nfds;
  if (read_fds(now, SNAP_FDS_MAX, &nfds) != 0) give_up("too many descriptors");
  for (long i = 0; i < nfds; i++) {
    snap_fd* f = &now[i];
    if (f->fd == 1 || f->fd == 2) continue;
    const snap_fd* s = fd_in(cb->fds, cb->nfds, f->fd);
    if (!s) {
      syscall(SYS_close, f->fd);
      continue;
    }
    int same_file = s->dev == f->dev && s->ino == f->ino && s->mode == f->mode;
    /* One the process was started with shares its offset and status flags
     * with whoever passed it (exec's --runs-log, say), in a started run and
     * a forked one alike: only the file is compared. */
    if (same_file && uvs__fd_inherited(f->fd)) continue;
    /* A file of the program's own: the run's reads and writes moved the
     * offset the snapshot had (in a forked run too: the server and its
     * children share it), and a started run would begin at the
     * snapshot's: put back. */
    if (same_file && s->off != f->off && s->off >= 0 && S_ISREG(s->mode) &&
        syscall(SYS_lseek, f->fd, s->off, SEEK_SET) == s->off)
      f->off = s->off;
    if (!same_file || s->fl != f->fl || s->fdfl != f->fdfl || s->off != f->off) {
      char link[64], target[128] = "";
      snprintf(link, sizeof link, "/proc/self/fd/%d", f->fd);
      long tl = syscall(SYS_readlink, link, target, sizeof target - 1);
      target[tl > 0 ? tl : 0] = '\0';
      snprintf(cb->why, sizeof cb->why, "descriptor %d, %s, changed (%s)", f->fd, target,
               s->dev != f->dev || s->ino != f->ino || s->mode != f->mode ? "another file"
               : s->off != f->off ? "its offset" : "its flags");
      give_up(cb->why);
    }
  }
  for (size_t i = 0; i < cb->nfds; i++)
    if (cb->fds[i].fd > 2 && !fd_in(now, (size_t)nfds, cb->fds[i].fd)) {
      snprintf(cb->why, sizeof cb->why, "descriptor %d was closed", cb->fds[i].fd);
      give_up(cb->why);
    }
  char cwd[4096];
  if (syscall(SYS_getcwd, cwd, sizeof cwd) < 0 || strcmp(cwd, cb->cwd))
    give_up("the working directory changed");
  char limits[sizeof cb->limits];
  if (raw_read_file("/proc/self/limits", limits, sizeof limits) < 0 || strcmp(limits, cb->limits))
    give_up("a resource limit changed");
  /* the dispositions to put back: those not at SIG_DFL in the snapshot or
   * now, and SIGCHLD's (SA_NOCLDWAIT matters at SIG_DFL too) */
  uint64_t handled = cb->handled | handled_signals() | (1ull << (SIGCHLD - 1));
  /* from here on, no way back but _exit */
  for (size_t i = 0; i < cb->ncur; i++) {
    const snap_map* c = &cb->cur[i];
    if (c->kind == 'h' || (heap_lo && c->lo == heap_lo)) continue;
    /* each piece of c that no snapshot mapping covers: the run's */
    uintptr_t lo = c->lo;
    while (lo < c->hi) {
      uintptr_t hi = c->hi;
      int in = 0;
      for (size_t k = 0; k < cb->nmaps; k++) {
        const snap_map* m = &cb->maps[k];
        if (m->lo <= lo && lo < m->hi) {
          in = 1;
          hi = m->hi < c->hi ? m->hi : c->hi;
          break;
        }
        if (m->lo > lo && m->lo < hi) hi = m->lo;
      }
      if (!in && munmap((void*)lo, hi - lo) != 0) give_up("munmap failed");
      lo = hi;
    }
  }
  if ((uintptr_t)syscall(SYS_brk, cb->brk) != cb->brk) give_up("the break could not be reset");
  umask(cb->mask);
  for (size_t i = 0; i < cb->nmaps; i++) {
    const snap_map* m = &cb->maps[i];
    if (m->saved && m->perms[1] != 'w' &&
        mprotect((void*)m->lo, m->hi - m->lo, PROT_READ | PROT_WRITE) != 0)
      give_up("mprotect failed");
  }
  for (size_t i = 0; i < cb->nmaps; i++) {
    const snap_map* m = &cb->maps[i];
    if (m->saved)
      copy_words((volatile uint64_t*)m->lo, (const volatile uint64_t*)(cb->buf + m->at),
                 m->hi - m->lo);
  }
  /* the process is the snapshot's again: libc is safe to call */
  for (size_t i = 0; i < cb->nmaps; i++) {
    const snap_map* m = &cb->maps[i];
    if (m->saved && m->perms[1] != 'w')
      mprotect((void*)m->lo, m->hi - m->lo,
               (m->perms[0] == 'r' ? PROT_READ : 0) | (m->perms[2] == 'x' ? PROT_EXEC : 0));
  }
  for (int s = 1; s < NSIG; s++)
    if (cb->act_ok[s] && (handled >> (s - 1)) & 1) sigaction(s, &cb->act[s], NULL);
  sigaltstack(&cb->alt, NULL);
  cb->came_back = 1;
  setcontext(&cb->at);
  _exit(125);                   /* setcontext does not return */
}

static void hook(int status, void* arg) {
  (void)arg;
  if (!cb || !cb->armed || getpid() != cb->pid) return;
  cb->status = (status & 0xff) << 8;
  const char* why = not_restorable();
  if (why) {
    uvs__snap_log("snapshot fallback", why);
    return;                     /* exit() goes on, as a forked child's */
  }
  sim_report_now();
  fflush(NULL);
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  getcontext(&cb->side);
  cb->side.uc_stack.ss_sp = cb->stack;
  cb->side.uc_stack.ss_size = sizeof cb->stack;
  cb->side.uc_link = NULL;
  sigfillset(&cb->side.uc_sigmask);
  makecontext(&cb->side, restore, 0);
  swapcontext(&cb->hook, &cb->side);
  _exit((cb->status >> 8) & 0xff);      /* not reached */
}
