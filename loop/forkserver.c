/* loop/forkserver.c — the fork server: one program start, many schedules.
 *
 * `uvsim exec` (cli/exec_server.c) starts the program once with
 * UVSIM_FORKSERVER=CTL,ST,PID naming two pipe descriptors and the process
 * that may serve (a child the program forks itself is a part of its run). When the default
 * loop first enters uv_run, before any decision, this process becomes a
 * server: for each request read from CTL it forks a child, which takes the
 * request's source (natural order, a seed or a tape file), its own stdout,
 * stderr and report file, and returns into uv_run as that one schedule.
 * The server waits for the child and writes its wait status to ST. So a
 * schedule costs a fork, not a process start, and its run is the same as a
 * process started with that seed: everything before the fork point was
 * decided by nothing (no decision, no seeded byte).
 *
 * Forking there is unsound, and refused (the process then goes on as the
 * plain run it was started as, and says why on ST), when:
 *   - a decision was made before the first uv_run (a uv_fs call, say): the
 *     server made it with its own source, each child needs its own;
 *   - uv_random drew bytes: they follow the run's seed;
 *   - the process has another thread: fork keeps only the calling one
 *     (libuvsim's pool threads start later, at the first job's run) —
 *     unless exec said the other threads may be idle ones
 *     (UVSIM_FORKSERVER_THREADS=idle: `uvsim node`, whose platform
 *     worker threads never get a task because libuvsim-det.so runs V8's
 *     worker tasks on the posting thread, platform_tasks_inline), no
 *     other thread runs a loop, and every one of them is asleep waiting
 *     (idle_threads); loop/thread.c
 *     then answers, in the child, for the threads it does not have;
 *   - the program has a pipe or socket of its own open: the server would
 *     hold every end of it for all runs.
 *
 * Protocol, one line each (CTL: "natural|seed N|tape 0 PREFIX", or
 * "strategy N SPEC PREFIX": the strategy SPEC seeded N, sim/sim_strategy.h;
 * the child opens PREFIX.out, PREFIX.err, PREFIX.tape (a tape run's, a dfs
 * run's prefix) and reports to PREFIX):
 *   ST: "ready PID" or "refuse REASON", then per request "pid N" and
 *   "status W" (waitpid's status), or "error ERRNO" when fork failed.
 * End of CTL ends the server (_exit(0): the program's own exit handlers
 * ran in no child and must not run here either).
 *
 * Snapshot mode (the default, but not under `uvsim node`, a sanitizer,
 * UVSIM_SNAPSHOT=0 or exec --no-snapshot): the server forks one worker
 * instead of a child per request, and the worker, its memory restored in
 * place after each run (loop/snapshot.c), serves request after request;
 * "pid N" is then the worker's pid each time and "status W restored" the
 * status of a run that ended restored. A worker that died is replaced by
 * a fresh one (serve_workers, below). */
#include "loop/internal.h"
#include "loop/fdshim.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop/os.h"
#include "loop/snapshot.h"
#include "sim/sim_fault.h"
#include "sim/sim_ordcov.h"
#include "sim/sim_strategy.h"
#include "sim/sim_util.h"

#define FS_LINE_MAX 4200

void uvs__thread_forked(void);  /* loop/thread.c: threads a fork left behind */
void uvs__real_fds_before(unsigned char* set);   /* for loop/entry/foreign.c */
void uvs__real_fds_after(const unsigned char* before, int loops_delta);

typedef struct fs_request {
  char kind[16];                /* natural, seed, tape, strategy */
  uint64_t seed;
  char spec[256];               /* strategy: UVSIM_STRATEGY's value */
  char prefix[4096];            /* the run's report file; .out .err .tape */
} fs_request;

/* Writes one status line, "WORD TEXT" (short: a single write is atomic on
 * a pipe). */
static void say(int fd, const char* word, const char* text) {
  char line[512];
  int n = snprintf(line, sizeof line, "%s %s\n", word, text);
  if (n > 0 && write(fd, line, (size_t)n) < 0) {
    /* exec is gone: the next read of CTL ends the server */
  }
}

static int count_threads(void) {
  DIR* d = opendir("/proc/self/task");
  if (!d) return 1;
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

/* Is every thread but this one asleep, waiting on a futex (a condition
 * variable, a semaphore) or in epoll_wait (a loop of its own), as node's
 * platform threads are when its loop first runs? Such a thread holds no
 * lock that the child could need: a condition wait releases its mutex.
 * Read twice, a millisecond apart, so that a thread caught between two
 * waits is not taken for a sleeping one; a thread seen running makes the
 * caller look again later (wait_idle). */
static int idle_threads(void) {
  static const char* const waits[] = {
    "futex_wait_queue_me", "futex_wait_queue", "futex_do_wait", "futex_wait",
    "do_epoll_wait", "ep_poll",
  };
  pid_t self = (pid_t)syscall(SYS_gettid);
  for (int pass = 0; pass < 2; pass++) {
    if (pass) usleep(1000);
    DIR* d = opendir("/proc/self/task");
    if (!d) return 0;
    int idle = 1;
    struct dirent* e;
    while (idle && (e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.' || atoi(e->d_name) == self) continue;
      char path[300], buf[512] = "";
      snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
      FILE* f = fopen(path, "r");
      size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
      if (f) fclose(f);
      buf[n] = '\0';
      char* close_paren = strrchr(buf, ')');    /* the name may hold spaces */
      idle = close_paren && close_paren[1] == ' ' && close_paren[2] == 'S';
      snprintf(path, sizeof path, "/proc/self/task/%s/wchan", e->d_name);
      f = idle ? fopen(path, "r") : NULL;
      n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
      if (f) fclose(f);
      buf[n] = '\0';
      int known = 0;
      for (size_t i = 0; idle && i < sizeof waits / sizeof *waits; i++)
        known |= !strcmp(buf, waits[i]);
      idle = idle && known;
    }
    closedir(d);
    if (!idle) return 0;
  }
  return 1;
}

/* Node's platform threads were just started when its loop first runs:
 * they are given up to 200 ms to reach their waits. */
static int wait_idle(void) {
  for (int i = 0; i < 100; i++) {
    if (idle_threads()) return 1;
    usleep(1000);
  }
  return 0;
}

/* ------------------------------------ what the real libuv holds open
 *
 * loop/entry/foreign.c runs loops of other threads on the real libuv and
 * says which descriptors it opened while initialising one (those that
 * appeared during its uv_loop_init: one another thread opened in that
 * instant would be taken for libuv's; node makes its platform's loop
 * before any of the program's code runs). They are not the program's
 * pipes: the real libuv's global signal lock pipe is made again in a
 * forked child by libuv's own pthread_atfork handler, and a loop's own
 * pipes serve only its thread, which a fork does not copy. */
#define REAL_FDS_SEEN 1024
static _Atomic unsigned char real_fds[REAL_FDS_SEEN / 8];
static _Atomic int foreign_live;

/* Marks in set (a bit per descriptor below limit) every descriptor the
 * process has open now, from /proc/self/fd (the directory's own excepted). */
static void open_fds(unsigned char* set, int limit) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] != '.' && fd >= 0 && fd < limit && fd != dirfd(d))
      set[fd / 8] |= (unsigned char)(1u << (fd % 8));
  }
  closedir(d);
}

void uvs__real_fds_before(unsigned char* set) {
  memset(set, 0, REAL_FDS_SEEN / 8);
  open_fds(set, REAL_FDS_SEEN);
}

void uvs__real_fds_after(const unsigned char* before, int loops_delta) {
  atomic_fetch_add(&foreign_live, loops_delta);
  if (!before) return;
  unsigned char after[REAL_FDS_SEEN / 8];
  uvs__real_fds_before(after);
  for (size_t i = 0; i < sizeof after; i++)
    atomic_fetch_or(&real_fds[i], (unsigned char)(after[i] & ~before[i]));
}

static int real_libuv_fd(int fd) {
  return fd >= 0 && fd < REAL_FDS_SEEN && (atomic_load(&real_fds[fd / 8]) >> (fd % 8)) & 1;
}

/* The descriptors the process was started with (exec's CTL and ST, what
 * the shell or a test harness passed down), seen when libuvsim is loaded:
 * a plain run shares those with its parent just as a forked one would. */
#define FS_FD_SEEN 4096
static unsigned char inherited[FS_FD_SEEN / 8];

__attribute__((constructor)) static void note_inherited(void) {
  open_fds(inherited, FS_FD_SEEN);
}

static int was_inherited(int fd) {
  return fd >= 0 && fd < FS_FD_SEEN && (inherited[fd / 8] >> (fd % 8)) & 1;
}

int uvs__fd_inherited(int fd) { return was_inherited(fd); }

/* A pipe or socket the program opened itself before its loop ran: the
 * server would keep a copy of every end, so a child that closes a writer
 * never sees its reader reach end of file (realfd_pipe hung so) and what
 * one run reads is gone for the next. */
static int own_pipe_or_socket(int ctl, int st) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  int found = -1, self = dirfd(d);
  struct dirent* e;
  while (found < 0 && (e = readdir(d)) != NULL) {
    struct stat sb;
    int fd = atoi(e->d_name);
    if (e->d_name[0] == '.' || fd <= 2 || fd == ctl || fd == st || fd == self ||
        was_inherited(fd) || real_libuv_fd(fd))
      continue;
    /* the kernel's answer: a simulated file's reserved number is no pipe */
    if (uvs__real_fstat(fd, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode)))
      found = fd;
  }
  closedir(d);
  return found;
}

/* Under `uvsim node`, whether libuvsim-det.so runs every task V8 gives
 * node's platform worker threads on the posting thread (loop/det/det.c,
 * platform_inline): only then do those threads, idle here, never get
 * work, in a started run or a child that lacks them. */
static int platform_tasks_inline(void) {
  int (*inline_ok)(void);
  *(void**)&inline_ok = dlsym(RTLD_DEFAULT, "uvsim_det_platform_inline");
  return inline_ok && inline_ok();
}

/* Why forking here would not give each child the run a fresh process with
 * its seed would have; NULL when it would. */
static const char* refusal(char* buf, size_t len, int ctl, int st, int idle_ok) {
  sim* s = uvs__sim();
  int threads = count_threads(), fd;
  if (s->log_len > 0)
    snprintf(buf, len, "%zu decision%s made before the first uv_run",
             s->log_len, s->log_len == 1 ? " was" : "s were");
  else if (uvs__random_drawn())
    snprintf(buf, len, "uv_random drew bytes before the first uv_run");
  else if (threads > 1 && !idle_ok)
    snprintf(buf, len, "the program runs %d threads at its first uv_run; "
             "fork keeps one", threads);
  else if (threads > 1 && !platform_tasks_inline())
    snprintf(buf, len, "the program runs %d threads at its first uv_run, and node's "
             "platform could give them tasks (libuvsim-det.so did not take "
             "NodePlatform::CallOnWorkerThread); fork keeps one", threads);
  else if (threads > 1 && atomic_load(&foreign_live) > 1)
    snprintf(buf, len, "the program runs %d threads and %d loops on other threads at its "
             "first uv_run (node's platform has one); fork keeps one thread",
             threads, atomic_load(&foreign_live));
  else if (threads > 1 && !wait_idle())
    snprintf(buf, len, "the program runs %d threads at its first uv_run and not "
             "all of them wait idle; fork keeps one", threads);
  else if ((fd = own_pipe_or_socket(ctl, st)) >= 0)
    snprintf(buf, len, "the program has a pipe or socket of its own open at its "
             "first uv_run (descriptor %d); forked runs would share it", fd);
  else
    return NULL;
  return buf;
}

/* One request line from CTL; 0 at its end (or on a line that does not
 * parse: exec wrote it, so that is exec gone wrong, and the server ends). */
static int read_request(int fd, fs_request* r) {
  static char buf[FS_LINE_MAX];
  static size_t have;
  char* nl;
  while ((nl = memchr(buf, '\n', have)) == NULL) {
    if (have == sizeof buf) return 0;
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    have += (size_t)n;
  }
  *nl = '\0';
  unsigned long long seed;
  int at = 0;
  int ok = sscanf(buf, "%15s %llu %n", r->kind, &seed, &at) == 2 && at > 0;
  r->spec[0] = '\0';
  if (ok && !strcmp(r->kind, "strategy")) {
    int more = 0;
    ok = sscanf(buf + at, "%255s %n", r->spec, &more) == 1 && more > 0;
    at += more;
  }
  ok = ok && strlen(buf + at) < sizeof r->prefix;
  if (ok) {
    r->seed = seed;
    snprintf(r->prefix, sizeof r->prefix, "%s", buf + at);
  }
  size_t used = (size_t)(nl + 1 - buf);
  memmove(buf, nl + 1, have - used);
  have -= used;
  return ok;
}

static void redirect(const char* prefix, const char* ext, int to) {
  char path[4200];
  snprintf(path, sizeof path, "%s%s", prefix, ext);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;           /* exec made it; it sees the output missing */
  lseek(fd, 0, SEEK_END);       /* after what the program wrote before */
  dup2(fd, to);
  close(fd);
}

/* In the child: become the requested run. */
static void become_run(const fs_request* r) {
  setpgid(0, 0);                /* a hung run is killed with what it started */
  /* The server gone (exec interrupted before it read this run's pid, or
   * the server killed): the run goes too, rather than outliving both. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  redirect(r->prefix, ".out", 1);
  redirect(r->prefix, ".err", 2);
  sim_report_retarget(r->prefix);
  sim_config src = { .source = SIM_SRC_LIST };
  if (!strcmp(r->kind, "seed")) {
    src.source = SIM_SRC_SEED;
    src.seed = r->seed;
  } else if (!strcmp(r->kind, "tape") || !strcmp(r->kind, "strategy")) {
    /* a tape run's decisions, or a strategy's run (a dfs run's prefix):
     * PREFIX.tape; as a started process gets them (sim/sim_world.c) */
    int dfs = !strncmp(r->spec, "dfs", 3);
    char path[4200];
    snprintf(path, sizeof path, "%s.tape", r->prefix);
    if (!strcmp(r->kind, "tape"))
      sim_strategy_source_or_exit(NULL, 0, path, &src, "fork server", NULL);
    else
      sim_strategy_source_or_exit(r->spec, r->seed, dfs ? path : NULL, &src, "fork server",
                                  "fork server: strategy ");
  }
  sim_set_source(uvs__sim(), &src);
  sim_ordcov_reset();           /* this run's map, from an empty chain */
  /* The environment a started run has: its seed (a program may start
   * processes that read it), and under `uvsim node` the seed randomness
   * takes at the first uv_run (node_seed_point). */
  char v[32];
  if (!strcmp(r->kind, "seed") || !strcmp(r->kind, "strategy")) {
    snprintf(v, sizeof v, "%llu", (unsigned long long)r->seed);
    setenv("UVSIM_SEED", v, 1);
  }
  if (!strcmp(r->kind, "strategy")) setenv("UVSIM_STRATEGY", r->spec, 1);
  if (getenv("UVSIM_RANDOM_SEED")) {
    snprintf(v, sizeof v, "%llu", (unsigned long long)r->seed);
    setenv("UVSIM_RANDOM_SEED", v, 1);
  }
  uvs__thread_forked();
}

static void say_num(int fd, const char* word, long v) {
  char text[32];
  snprintf(text, sizeof text, "%ld", v);
  say(fd, word, text);
}

/* Memory the process asked not to be copied into a child (MADV_DONTFORK,
 * "dc" in smaps): V8 marks its heap pages so, and a child forked without
 * them crashes at its first touch of the heap. The server forks children
 * that are the process, so they get it all: each anonymous private mapping
 * so marked is made forkable again, once, before the first fork (the
 * server itself runs no more code that maps memory). */
static void allow_fork_of_all(void) {
  FILE* f = fopen("/proc/self/smaps", "r");
  if (!f) return;
  char line[512];
  unsigned long lo = 0, hi = 0;
  int anon = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long a, b, inode;
    char perms[8];
    int name_at = 0;
    if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &a, &b, perms, &inode, &name_at) == 4) {
      lo = a, hi = b;
      anon = inode == 0 && perms[3] == 'p' &&
             (!line[name_at] || !strncmp(line + name_at, "[anon", 5));  /* %n skipped the \n */
    } else if (!strncmp(line, "VmFlags:", 8) && anon && strstr(line, " dc")) {
      madvise((void*)lo, hi - lo, MADV_DOFORK);
    }
  }
  fclose(f);
}

static void serve_workers(int ctl, int st, const struct sigaction* program_chld);

/* Serves until CTL ends; returns only in a child. The server waits for
 * its children whatever the program did with SIGCHLD (ignored, their exits
 * would never be seen); each child gets the program's own back. With
 * `snapshot`, a worker serves run after run (serve_workers). */
static void serve(int ctl, int st, int snapshot) {
  struct sigaction dfl, program_chld;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGCHLD, &dfl, &program_chld);
  prctl(PR_SET_PDEATHSIG, SIGKILL);    /* exec gone: no server left over */
  allow_fork_of_all();
  say_num(st, "ready", (long)getpid());
  if (snapshot) {
    serve_workers(ctl, st, &program_chld);
    return;                     /* in a worker, as its run */
  }
  fs_request r;
  while (read_request(ctl, &r)) {
    fflush(NULL);               /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid == 0) {
      close(ctl);
      close(st);
      sigaction(SIGCHLD, &program_chld, NULL);
      become_run(&r);
      return;
    }
    if (pid < 0) {
      say_num(st, "error", (long)errno);
      continue;
    }
    setpgid(pid, pid);          /* both sides, so no window without it */
    say_num(st, "pid", (long)pid);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    say_num(st, "status", (long)status);
  }
  _exit(0);
}

/* ------------------------------------------------------ snapshot mode
 *
 * The server forks one worker, which takes a snapshot of itself at this
 * point (loop/snapshot.c) and then, per request handed to it over a
 * private socket, becomes the run; when the run exits restorably, the
 * worker's memory goes back to the snapshot and it sends the run's status
 * ("restored") and takes the next request, with no fork. A worker that
 * died (a crash, _exit, a fallback of the restore, exec's kill at a
 * timeout) is reaped, its wait status is the run's, and the next request
 * gets a fresh worker. Between runs the worker leaves its own process
 * group for the server's, so that exec's kill of the finished run's group
 * (cli/exec.c, run_finish) finds nobody; become_run makes the group again.
 * Messages worker to server: {kind, status}; kind 1 ready (snapshot taken
 * or refused), kind 2 a run's status after a restore. */
typedef struct fs_msg {
  int kind, status;
} fs_msg;

enum { FS_MSG_READY = 1, FS_MSG_RESTORED = 2 };

/* In a fresh worker: the snapshot, then run after run; returns as a run. */
static void worker(int sock, pid_t server_group, int snapshot) {
  char why[300];
  int back = snapshot ? uvs__snap_take(why, sizeof why) : -1;
  if (snapshot && back < 0) uvs__snap_log("snapshot refused", why);
  fs_msg m = { back == 1 ? FS_MSG_RESTORED : FS_MSG_READY, back == 1 ? uvs__snap_status() : 0 };
  if (back == 1) setpgid(0, server_group);
  while (send(sock, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR) {}
  fs_request r;
  ssize_t n;
  while ((n = recv(sock, &r, sizeof r, 0)) < 0 && errno == EINTR) {}
  if (n != (ssize_t)sizeof r) _exit(0);        /* the server is done */
  become_run(&r);
}

typedef struct fs_worker {
  pid_t pid;
  int sock, pidfd;
} fs_worker;

static void worker_gone(fs_worker* w) {
  if (w->sock >= 0) close(w->sock);
  if (w->pidfd >= 0) close(w->pidfd);
  w->pid = 0;
  w->sock = w->pidfd = -1;
}

/* Waits for the worker's next message (1) or its end (0, *status its wait
 * status). Polls its pidfd where the kernel has them, else every 10 ms. */
static int worker_wait(fs_worker* w, fs_msg* m, int* status) {
  for (;;) {
    struct pollfd p[2] = { { .fd = w->sock, .events = POLLIN }, { .fd = w->pidfd, .events = POLLIN } };
    int r = poll(p, w->pidfd >= 0 ? 2 : 1, w->pidfd >= 0 ? -1 : 10);
    if (r < 0 && errno != EINTR) break;
    if (r > 0 && (p[0].revents & POLLIN)) {
      ssize_t n = recv(w->sock, m, sizeof *m, MSG_DONTWAIT);
      if (n == (ssize_t)sizeof *m) return 1;
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      break;                    /* its end closed: the worker is gone */
    }
    if (r > 0 && (p[0].revents & (POLLHUP | POLLERR))) break;
    if (r > 0 && w->pidfd >= 0 && (p[1].revents & POLLIN)) break;
    if (w->pidfd < 0 && waitpid(w->pid, status, WNOHANG) == w->pid) {
      worker_gone(w);
      return 0;
    }
  }
  *status = 0;
  while (waitpid(w->pid, status, 0) < 0 && errno == EINTR) {}
  worker_gone(w);
  return 0;
}

static int pidfd_of(pid_t pid) {
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  (void)pid;
  return -1;
#endif
}

/* A fresh worker, ready (1), or 0 in the worker itself after its first
 * request (it returns as that run), or -1 (errno). */
static int worker_start(fs_worker* w, int ctl, int st, const struct sigaction* program_chld,
                        int* snapshot) {
  for (;;) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -1;
    pid_t group = getpgid(0);
    fflush(NULL);               /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid == 0) {
      close(ctl);
      close(st);
      close(sv[0]);
      sigaction(SIGCHLD, program_chld, NULL);
      setpgid(0, 0);
      worker(sv[1], group, *snapshot);
      return 0;
    }
    close(sv[1]);
    if (pid < 0) {
      close(sv[0]);
      return -1;
    }
    setpgid(pid, pid);
    w->pid = pid;
    w->sock = sv[0];
    w->pidfd = pidfd_of(pid);
    fs_msg m;
    int status;
    if (worker_wait(w, &m, &status) == 1 && m.kind == FS_MSG_READY) return 1;
    /* died taking its snapshot: no snapshots from now on */
    if (w->pid) {
      kill(w->pid, SIGKILL);
      while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR) {}
      worker_gone(w);
    }
    if (!*snapshot) {
      errno = ECHILD;
      return -1;
    }
    *snapshot = 0;
    uvs__snap_log("snapshot off", "a worker died taking its snapshot");
  }
}

static void serve_workers(int ctl, int st, const struct sigaction* program_chld) {
  fs_worker w = { 0, -1, -1 };
  int snapshot = 1;
  unsigned deaths = 0, served = 0;
  fs_request r;
  while (read_request(ctl, &r)) {
    served++;
    /* workers that die at their first run's end take a snapshot for
     * nothing: after 4 in a row, one in 32 tries again */
    int want = deaths < 4 || served % 32 == 0;
    if (w.pid && waitpid(w.pid, NULL, WNOHANG) == w.pid) worker_gone(&w);
    if (!w.pid) {
      int use = snapshot && want, tried = use;
      int started = worker_start(&w, ctl, st, program_chld, &use);
      if (started == 0) return;
      if (tried && !use) snapshot = 0;         /* a death at the snapshot */
      if (started < 0) {
        say_num(st, "error", (long)errno);
        continue;
      }
    }
    if (send(w.sock, &r, sizeof r, MSG_NOSIGNAL) != (ssize_t)sizeof r) {
      int status;
      fs_msg m;
      kill(w.pid, SIGKILL);
      worker_wait(&w, &m, &status);
      say_num(st, "error", (long)EPIPE);
      continue;
    }
    say_num(st, "pid", (long)w.pid);
    fs_msg m;
    int status = 0;
    if (worker_wait(&w, &m, &status) == 1 && m.kind == FS_MSG_RESTORED) {
      deaths = 0;
      char text[48];
      snprintf(text, sizeof text, "%d restored", m.status);
      say(st, "status", text);
      continue;
    }
    if (w.pid) {                /* a message out of turn: not ours to trust */
      kill(w.pid, SIGKILL);
      worker_wait(&w, &m, &status);
    }
    deaths++;
    say_num(st, "status", (long)status);
  }
  if (w.pid) {
    close(w.sock);              /* the worker reads its end: _exit(0) */
    w.sock = -1;
    while (waitpid(w.pid, NULL, 0) < 0 && errno == EINTR) {}
  }
  _exit(0);
}

/* UVSIM_ORDCOV_FD=N (`uvsim exec --fuzz`): ordering coverage goes into
 * N, a shared memory map exec reads after the run (a server's children
 * share it too: the mapping is made before they are forked). */
static void ordcov_attach(void) {
  uint64_t fd = sim_env_u64("UVSIM_ORDCOV_FD", UINT64_MAX, INT_MAX);
  struct stat st;
  if (fd == UINT64_MAX || fstat((int)fd, &st) != 0 || st.st_size <= 0) return;
  size_t size = (size_t)st.st_size;
  if (size & (size - 1)) return;                /* not a map we made */
  void* map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
  close((int)fd);
  unsetenv("UVSIM_ORDCOV_FD");
  if (map != MAP_FAILED) sim_ordcov_attach(map, size);
}

/* exec's pipes, unless the program closed them (some close every
 * descriptor they inherited) and maybe reused the numbers. */
static int is_pipe(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* `uvsim node`: libuvsim-det.so's randomness and V8's Math.random take
 * the run's seed here, at the first uv_run, in a started run and in a
 * server's child alike (loop/det/det.c); absent outside node. */
static void node_seed_point(void) {
  void (*first_run)(uint64_t);
  *(void**)&first_run = dlsym(RTLD_DEFAULT, "uvsim_det_first_run");
  if (first_run) first_run(sim_env_u64("UVSIM_RANDOM_SEED", 0, UINT64_MAX));
}

static void fork_point(void);

void uvs__forkserver_point(void) {
  static int done;
  if (done) return;
  done = 1;
  fork_point();                 /* returns in a plain run or a server's child */
  node_seed_point();
}

static void fork_point(void) {
  /* exec's word for this process only, whatever happens below */
  const char* threads = getenv("UVSIM_FORKSERVER_THREADS");
  int idle_ok = threads && !strcmp(threads, "idle");
  unsetenv("UVSIM_FORKSERVER_THREADS");
  /* Made here, before any fork, in every run (a started one too, so both
   * allocate in the same order): the fault table is 51 KB that the first
   * callback would otherwise calloc, zeroing 13 fresh pages in every
   * forked child (13 of its ~75 page faults); it is only read after. */
  sim_faults_current();
  const char* env = getenv("UVSIM_FORKSERVER");
  int ctl, st, at = 0;
  long pid = 0;
  /* Under exec, a run always has its stdio flushed here, as a server's
   * child has (before the fork): a crash later then loses the same
   * unflushed output either way, and both runs print the same. */
  if (getenv("UVSIM_REPORT_PATH") || getenv("UVSIM_REPORT_FD")) fflush(NULL);
  ordcov_attach();
  if (!env || !*env) return;
  if (sscanf(env, "%d,%d,%ld%n", &ctl, &st, &pid, &at) != 3 || env[at] ||
      ctl < 0 || st < 0 || pid <= 0) {
    fprintf(stderr, "uvsim: UVSIM_FORKSERVER='%s' is not CTL,ST,PID\n", env);
    _exit(2);
  }
  unsetenv("UVSIM_FORKSERVER");  /* not for the processes the program starts */
  if (pid != (long)getpid()) {
    /* A process the program forked before its loop ran (and kept the
     * variable): the run is the started process's, which never reached
     * this point; exec sees no "ready" and finishes it as a plain run.
     * The descriptors stay: the program may have reused their numbers. */
    return;
  }
  if (!is_pipe(ctl) || !is_pipe(st)) return;   /* closed by the program: a plain run */
  fflush(NULL);                 /* what was printed so far belongs to all runs */
  char why[256];
  if (refusal(why, sizeof why, ctl, st, idle_ok)) {
    say(st, "refuse", why);
  } else {
    serve(ctl, st, !idle_ok && !uvs__snap_allowed());
  }
  close(ctl);
  close(st);
}
