/* sim/sim_child.c — real child processes seen as transcripts (the model is
 * described in sim_child.h).
 *
 * The real side follows what libuv 1.44 does on Linux (src/unix/process.c,
 * read, not copied): fork, in the child reset every signal to its default
 * and unblock them all, setsid when detached, move the stdio descriptors
 * into place (a low one first out of the way, so that swapping 1 and 2
 * works), /dev/null for ignored 0-2, chdir, setgid/setuid, then execvp with
 * the given environment; an exec error travels back through a close-on-exec
 * pipe, so that uv_spawn reports it synchronously (ENOENT for a missing
 * file). Pipes are socketpairs, as libuv's are. */
#include "sim/sim_child.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

typedef struct inbuf {
  char* data;
  size_t len, cap;
  int end;                      /* shut the real end once drained        */
} inbuf;

struct sim_child {
  int number;
  int replay;                   /* transcript from a record or a script  */
  sim_child_item* feed;         /* replay: its items after the spawn     */
  size_t feed_len, replay_pos;
  pid_t pid;
  int pidfd;                    /* -1: polled with waitpid in slices     */
  int reaped;
  int exited_seen;              /* an EXIT item was produced             */
  int nstdio;
  int fd[SIM_CHILD_STDIO_MAX];  /* the program's real end, or -1         */
  int out_open[SIM_CHILD_STDIO_MAX]; /* output not yet at its end        */
  struct sim_child* lent_to[SIM_CHILD_STDIO_MAX]; /* reads fd[i] itself  */
  inbuf in[SIM_CHILD_STDIO_MAX];
  int released;
  int feed_end;                 /* replay: the record has nothing more     */
  struct sim_child* next;       /* every child of the run                */
};

/* The run: children, and the log of items seen. */
static sim_child* children;
static int nchildren;
static sim_child_item* log_items;
static size_t log_len, log_cap;
static size_t step_from;        /* first item of the current step        */
/* Replay feed. */
static sim_child_item* feed;
static size_t feed_len;
/* Scripted children of this run (sim_child_script). */
typedef struct script {
  char* file;
  char* out;
  size_t len;
  int status, signal;
  int used;
} script;
static script* scripts;
static size_t nscripts;
/* Children of earlier runs still running: reaped when they end. */
static pid_t* orphans;
static size_t norphans, orphans_cap;

/* ---------------------------------------------------------------- log */

static char* dup_bytes(const char* p, size_t n) {
  char* d = malloc(n ? n : 1);
  if (d == NULL) abort();
  if (n) memcpy(d, p, n);
  return d;
}

static void log_push(int child, int type, int fd, int a, int b, const char* data,
                     size_t len) {
  if (log_len == log_cap) {
    log_cap = log_cap ? log_cap * 2 : 32;
    log_items = realloc(log_items, log_cap * sizeof *log_items);
    if (log_items == NULL) abort();
  }
  sim_child_item* it = &log_items[log_len++];
  it->child = child;
  it->type = type;
  it->fd = fd;
  it->a = a;
  it->b = b;
  it->len = len;
  it->data = len ? dup_bytes(data, len) : NULL;
}

const sim_child_item* sim_child_log(size_t* n) {
  *n = log_len;
  return log_items;
}

void sim_child_items_free(sim_child_item* items, size_t n) {
  for (size_t i = 0; i < n; i++) free(items[i].data);
  free(items);
}

void sim_child_replay_set(const sim_child_item* items, size_t n) {
  sim_child_items_free(feed, feed_len);
  feed = NULL;
  feed_len = 0;
  if (n == 0) return;
  feed = sim_child_items_copy(items, n);
  feed_len = n;
}

/* ------------------------------------------------------------ reaping */

static void reap_orphans(void) {
  size_t k = 0;
  for (size_t i = 0; i < norphans; i++) {
    int st;
    pid_t r = waitpid(orphans[i], &st, WNOHANG);
    if (r == 0) orphans[k++] = orphans[i];
  }
  norphans = k;
}

static void orphan(pid_t pid) {
  if (norphans == orphans_cap) {
    orphans_cap = orphans_cap ? orphans_cap * 2 : 8;
    orphans = realloc(orphans, orphans_cap * sizeof *orphans);
    if (orphans == NULL) abort();
  }
  orphans[norphans++] = pid;
}

static void close_fds(sim_child* c) {
  for (int i = 0; i < c->nstdio; i++) {
    if (c->fd[i] >= 0) close(c->fd[i]);
    c->fd[i] = -1;
    free(c->in[i].data);
    c->in[i].data = NULL;
    c->in[i].len = c->in[i].cap = 0;
  }
  if (c->pidfd >= 0) close(c->pidfd);
  c->pidfd = -1;
}

void sim_child_reset(void) {
  while (children) {
    sim_child* c = children;
    children = c->next;
    close_fds(c);
    if (!c->replay && c->pid > 0 && !c->reaped) orphan(c->pid);
    sim_child_items_free(c->feed, c->feed_len);
    free(c);
  }
  nchildren = 0;
  sim_child_items_free(log_items, log_len);
  log_items = NULL;
  log_len = log_cap = 0;
  step_from = 0;
  for (size_t i = 0; i < nscripts; i++) {
    free(scripts[i].file);
    free(scripts[i].out);
  }
  free(scripts);
  scripts = NULL;
  nscripts = 0;
  reap_orphans();
}

int sim_child_script(const char* file, const void* out, size_t len, int status, int signal) {
  if (file == NULL || (len && out == NULL) || status < 0 || status > 255 || signal < 0 ||
      signal > 64)
    return -EINVAL;
  script* grown = realloc(scripts, (nscripts + 1) * sizeof *scripts);
  if (grown == NULL) abort();
  scripts = grown;
  script* sc = &scripts[nscripts++];
  memset(sc, 0, sizeof *sc);
  sc->file = strdup(file);
  if (sc->file == NULL) abort();
  sc->out = dup_bytes(out, len);
  sc->len = len;
  sc->status = status;
  sc->signal = signal;
  return 0;
}

static void feed_add(sim_child* c, int type, int fd, int a, int b, const char* data, size_t len) {
  sim_child_item* grown = realloc(c->feed, (c->feed_len + 1) * sizeof *grown);
  if (grown == NULL) abort();
  c->feed = grown;
  c->feed[c->feed_len++] = (sim_child_item){ .child = c->number, .type = type, .fd = fd,
                                              .a = a, .b = b, .len = len,
                                              .data = len ? dup_bytes(data, len) : NULL };
}

/* -------------------------------------------------------------- spawn */

static void child_write_errno(int fd) {
  int e = errno;
  ssize_t w;
  do w = write(fd, &e, sizeof e); while (w < 0 && errno == EINTR);
  _exit(127);
}

/* In the forked child: only async-signal-safe calls until exec. */
static void child_init(const sim_child_spec* spec, int (*pipes)[2], int n, int err_fd) {
  sigset_t all;
  sigemptyset(&all);
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    signal(sig, SIG_DFL);       /* fails for glibc's own: fine */
  }
  sigprocmask(SIG_SETMASK, &all, NULL);
  if (spec->detached) setsid();
  /* a descriptor that must land above its own number is moved out of the
   * way first, so that 1 and 2 can swap */
  for (int fd = 0; fd < n; fd++) {
    int use = pipes[fd][1];
    if (use < 0 || use >= fd) continue;
    int moved = fcntl(use, F_DUPFD_CLOEXEC, n);
    if (moved < 0) child_write_errno(err_fd);
    pipes[fd][1] = moved;
  }
  for (int fd = 0; fd < n; fd++) {
    int use = pipes[fd][1];
    if (use < 0) {
      if (fd >= 3) continue;
      int nul = open("/dev/null", fd == 0 ? O_RDONLY : O_RDWR);
      if (nul < 0) child_write_errno(err_fd);
      use = nul;
      if (use == fd) continue;
      if (dup2(use, fd) < 0) child_write_errno(err_fd);
      close(use);
      continue;
    }
    if (use == fd) {
      int fl = fcntl(fd, F_GETFD);
      if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0) child_write_errno(err_fd);
    } else if (dup2(use, fd) < 0) {
      child_write_errno(err_fd);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  }
  if (spec->cwd && chdir(spec->cwd) != 0) child_write_errno(err_fd);
  if (spec->set_gid && setgid(spec->gid) != 0) child_write_errno(err_fd);
  if (spec->set_uid && setuid(spec->uid) != 0) child_write_errno(err_fd);
  if (spec->env) environ = (char**)spec->env;
  execvp(spec->file, spec->args);
  child_write_errno(err_fd);
}

static sim_child* child_new(int nstdio) {
  sim_child* c = calloc(1, sizeof *c);
  if (c == NULL) abort();
  c->number = ++nchildren;
  c->pidfd = -1;
  c->nstdio = nstdio;
  for (int i = 0; i < SIM_CHILD_STDIO_MAX; i++) c->fd[i] = -1;
  c->next = children;
  children = c;
  return c;
}

/* The replay feed's first item for child `number` at or after `from`. */
static long feed_find(int number, size_t from) {
  for (size_t i = from; i < feed_len; i++)
    if (feed[i].child == number) return (long)i;
  return -1;
}

/* The child's environment: the given one (or ours) without uvsim: no
 * UVSIM_* variable and no libuvsim in LD_PRELOAD. A child is a plain real
 * program; run under `uvsim exec` or `uvsim node` it would otherwise be a
 * simulated process of its own (its own clock, pid 4242, a fixed world).
 * Built before fork: the child may only make async-signal-safe calls. */
static char** child_env(char* const* env, char** keep, size_t cap) {
  size_t k = 0;
  for (size_t i = 0; env[i] && k + 1 < cap; i++) {
    const char* e = env[i];
    if (strncmp(e, "UVSIM_", 6) == 0) continue;
    if (strncmp(e, "LD_PRELOAD=", 11) == 0 && strstr(e, "libuvsim")) {
      /* keep the other preloads (space or colon separated) */
      size_t cap_e = strlen(e) + 1;
      char* out = malloc(cap_e);
      if (out == NULL) abort();
      size_t o = (size_t)snprintf(out, cap_e, "LD_PRELOAD=");
      const char* p = e + 11;
      while (*p) {
        size_t w = strcspn(p, ": ");
        if (w && !(memmem(p, w, "libuvsim", 8)))
          o += (size_t)snprintf(out + o, cap_e - o, "%s%.*s", o > 11 ? ":" : "", (int)w, p);
        p += w;
        if (*p) p++;
      }
      if (o == 11) {
        free(out);
        continue;
      }
      keep[k++] = out;
      continue;
    }
    keep[k++] = strdup(e);
    if (keep[k - 1] == NULL) abort();
  }
  keep[k] = NULL;
  return keep;
}

static void env_free(char** env) {
  for (size_t i = 0; env[i]; i++) free(env[i]);
}

static int real_spawn_env(sim_child* c, const sim_child_spec* spec);

static int real_spawn(sim_child* c, const sim_child_spec* spec) {
  /* Orphans among the child's descendants (a detached grandchild whose
   * parent exited) are adopted by this process instead of init, so that
   * sim_child_signal_descendant still finds them below it. Not inherited
   * by the child (fork clears it); idempotent. An adopted orphan that dies
   * stays a zombie until this process exits: it is nobody's child the
   * simulation knows, and reaping with waitpid(-1) could take a child of
   * the program's own fork(2). */
  (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  size_t nenv = 1;
  char* const* src = spec->env ? spec->env : environ;
  while (src[nenv - 1]) nenv++;
  char** env = calloc(nenv, sizeof *env);
  if (env == NULL) abort();
  child_env(src, env, nenv);
  sim_child_spec with_env = *spec;
  with_env.env = env;
  int r = real_spawn_env(c, &with_env);
  env_free(env);
  free(env);
  return r;
}

/* A real socket for a simulated one the program hands to its child: the
 * same family, bound to the loopback address on a port the kernel picks
 * (the simulated port may be anyone's on the real machine). */
static int real_socket(int family, int listening, int* out) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t len;
  if (family == AF_INET6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  } else {
    struct sockaddr_in* a = (struct sockaddr_in*)&ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  }
  if (bind(fd, (struct sockaddr*)&ss, len) != 0 || (listening && listen(fd, SOMAXCONN) != 0)) {
    int e = -errno;
    close(fd);
    return e;
  }
  *out = fd;
  return 0;
}

static int real_spawn_env(sim_child* c, const sim_child_spec* spec) {
  int n = spec->nstdio;
  int pipes[SIM_CHILD_STDIO_MAX][2];
  int err = 0;
  for (int i = 0; i < n; i++) pipes[i][0] = pipes[i][1] = -1;
  for (int i = 0; i < n; i++) {
    switch (spec->stdio[i].kind) {
    case SIM_CHILD_INHERIT:
      pipes[i][1] = spec->stdio[i].fd;
      break;
    case SIM_CHILD_PIPE:
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pipes[i]) != 0) {
        err = -errno;
        goto fail;
      }
      break;
    case SIM_CHILD_SHARE:
      /* (the spec's check made sure `fd` is an earlier pipe) */
      pipes[i][1] = pipes[spec->stdio[i].fd][1];
      break;
    case SIM_CHILD_SOCKET:
      err = real_socket(spec->stdio[i].fd, spec->stdio[i].listen, &pipes[i][1]);
      if (err) goto fail;
      break;
    case SIM_CHILD_LEND: {
      const sim_child* from = spec->stdio[i].from;
      int k = spec->stdio[i].fd;
      /* (a replayed child has no real pipe to lend) */
      pipes[i][1] = from && k >= 0 && k < from->nstdio ? from->fd[k] : -1;
      if (pipes[i][1] < 0) {
        err = -EBADF;
        goto fail;
      }
      break;
    }
    case SIM_CHILD_IGNORE:
      break;
    }
  }
  int ep[2];
  if (pipe2(ep, O_CLOEXEC) != 0) {
    err = -errno;
    goto fail;
  }
  pid_t pid = fork();
  if (pid < 0) {
    err = -errno;
    close(ep[0]);
    close(ep[1]);
    goto fail;
  }
  if (pid == 0) {
    close(ep[0]);
    child_init(spec, pipes, n, ep[1]);
  }
  close(ep[1]);
  int exec_err = 0;
  ssize_t r;
  do r = read(ep[0], &exec_err, sizeof exec_err); while (r < 0 && errno == EINTR);
  close(ep[0]);
  for (int i = 0; i < n; i++) {
    int k = spec->stdio[i].kind;
    if (k == SIM_CHILD_PIPE || k == SIM_CHILD_SOCKET) close(pipes[i][1]);
    if (k != SIM_CHILD_INHERIT) pipes[i][1] = -1;
  }
  if (r == (ssize_t)sizeof exec_err) {
    /* exec failed: the child exited with 127; reap it now */
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    for (int i = 0; i < n; i++)
      if (pipes[i][0] >= 0) close(pipes[i][0]);
    return -exec_err;
  }
  c->pid = pid;
  c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  for (int i = 0; i < n; i++)
    if (spec->stdio[i].kind == SIM_CHILD_LEND) spec->stdio[i].from->lent_to[spec->stdio[i].fd] = c;
  for (int i = 0; i < n; i++) {
    if (pipes[i][0] < 0) continue;
    c->fd[i] = pipes[i][0];
    fcntl(c->fd[i], F_SETFL, fcntl(c->fd[i], F_GETFL) | O_NONBLOCK);
    c->out_open[i] = 1;
  }
  return 0;
fail:
  for (int i = 0; i < n; i++) {
    int k = spec->stdio[i].kind;
    if (k != SIM_CHILD_PIPE && k != SIM_CHILD_SOCKET) continue;
    if (pipes[i][0] >= 0) close(pipes[i][0]);
    if (pipes[i][1] >= 0) close(pipes[i][1]);
  }
  return err;
}

int sim_child_spawn(const sim_child_spec* spec, sim_child** out) {
  *out = NULL;
  if (spec->nstdio < 0 || spec->nstdio > SIM_CHILD_STDIO_MAX) return -EINVAL;
  for (int i = 0; i < spec->nstdio; i++) {
    int j = spec->stdio[i].fd;
    if (spec->stdio[i].kind == SIM_CHILD_SHARE &&
        (j < 0 || j >= i || spec->stdio[j].kind != SIM_CHILD_PIPE))
      return -EINVAL;
    if (spec->stdio[i].kind == SIM_CHILD_LEND && spec->stdio[i].from == NULL) return -EINVAL;
  }
  reap_orphans();
  sim_child* c = child_new(spec->nstdio);
  long at = feed_find(c->number, 0);
  script* sc = NULL;
  for (size_t i = 0; i < nscripts && sc == NULL; i++)
    if (!scripts[i].used && strcmp(scripts[i].file, spec->file) == 0) sc = &scripts[i];
  int err = 0;
  if (at >= 0 && feed[at].type == SIM_CHILD_SPAWN) {
    /* a record: this child's items after its spawn */
    c->replay = 1;
    err = feed[at].a;
    for (size_t i = (size_t)at + 1; i < feed_len; i++)
      if (feed[i].child == c->number)
        feed_add(c, feed[i].type, feed[i].fd, feed[i].a, feed[i].b, feed[i].data, feed[i].len);
  } else if (sc != NULL) {
    /* a script: the output on descriptor 1, every pipe's end, the exit,
     * all seen in the first step */
    sc->used = 1;
    c->replay = 1;
    if (sc->len && spec->nstdio > 1 && spec->stdio[1].kind == SIM_CHILD_PIPE)
      feed_add(c, SIM_CHILD_OUT, 1, 0, 0, sc->out, sc->len);
    for (int i = 0; i < spec->nstdio; i++)
      if (spec->stdio[i].kind == SIM_CHILD_PIPE) feed_add(c, SIM_CHILD_EOF, i, 0, 0, NULL, 0);
    feed_add(c, SIM_CHILD_EXIT, 0, sc->status, sc->signal, NULL, 0);
    feed_add(c, SIM_CHILD_STEP, 0, 0, 0, NULL, 0);
  } else {
    err = real_spawn(c, spec);
  }
  if (c->replay)
    for (int i = 0; i < spec->nstdio; i++)
      c->out_open[i] = spec->stdio[i].kind == SIM_CHILD_PIPE;
  log_push(c->number, SIM_CHILD_SPAWN, 0, err, 0, NULL, 0);
  if (err < 0) return err;
  *out = c;
  return 0;
}

int sim_child_number(const sim_child* c) { return c->number; }
int sim_child_replaying(const sim_child* c) { return c->replay; }
pid_t sim_child_real_pid(const sim_child* c) { return c->replay ? 0 : c->pid; }

int sim_child_done(const sim_child* c) {
  if (c->feed_end) return 1;
  if (!c->exited_seen) return 0;
  for (int i = 0; i < c->nstdio; i++)
    if (c->out_open[i]) return 0;
  return 1;
}

/* -------------------------------------------------------------- input */

static void flush_input(sim_child* c, int i) {
  inbuf* b = &c->in[i];
  while (b->len > 0 && c->fd[i] >= 0) {
    /* MSG_DONTWAIT: a child the descriptor was lent to (or given as
     * UV_INHERIT_FD) cleared O_NONBLOCK on the shared open file */
    ssize_t w = send(c->fd[i], b->data, b->len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return;
    if (w < 0) {            /* the child closed its end: the bytes are lost */
      b->len = 0;
      break;
    }
    memmove(b->data, b->data + w, b->len - (size_t)w);
    b->len -= (size_t)w;
  }
  if (b->len == 0 && b->end && c->fd[i] >= 0) {
    shutdown(c->fd[i], SHUT_WR);
    b->end = 0;
  }
}

void sim_child_input(sim_child* c, int fd, const void* data, size_t len) {
  if (c->replay || fd < 0 || fd >= c->nstdio || c->fd[fd] < 0 || len == 0) return;
  inbuf* b = &c->in[fd];
  if (b->len + len > b->cap) {
    b->cap = (b->len + len) * 2;
    b->data = realloc(b->data, b->cap);
    if (b->data == NULL) abort();
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
  flush_input(c, fd);
}

void sim_child_input_end(sim_child* c, int fd) {
  if (c->replay || fd < 0 || fd >= c->nstdio || c->fd[fd] < 0) return;
  c->in[fd].end = 1;
  flush_input(c, fd);
}

void sim_child_close_fd(sim_child* c, int fd) {
  if (fd < 0 || fd >= c->nstdio) return;
  if (c->fd[fd] >= 0) close(c->fd[fd]);
  c->fd[fd] = -1;
  c->in[fd].len = 0;
}

/* ------------------------------------------------------------- a step */

static uint64_t real_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Is fd[i] lent to a child that still runs (and reads it)? */
static int lent(const sim_child* c, int i) {
  return c->lent_to[i] != NULL && !c->lent_to[i]->reaped;
}

/* Reads what is there, without waiting; returns how many items. */
static int sweep(sim_child* c) {
  int seen = 0;
  for (int i = 0; i < c->nstdio; i++) {
    if (c->fd[i] >= 0 && c->in[i].len) flush_input(c, i);
    while (c->out_open[i] && c->fd[i] >= 0 && !lent(c, i)) {
      char buf[65536];
      ssize_t r = recv(c->fd[i], buf, sizeof buf, MSG_DONTWAIT);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && errno == EAGAIN) break;
      if (r <= 0) {             /* the end, or an error that ends it */
        c->out_open[i] = 0;
        log_push(c->number, SIM_CHILD_EOF, i, 0, 0, NULL, 0);
        seen++;
        break;
      }
      log_push(c->number, SIM_CHILD_OUT, i, 0, 0, buf, (size_t)r);
      seen++;
    }
  }
  if (!c->reaped) {
    int st;
    pid_t r;
    do r = waitpid(c->pid, &st, WNOHANG); while (r < 0 && errno == EINTR);
    if (r == c->pid || (r < 0 && errno == ECHILD)) {
      c->reaped = 1;
      int status = r == c->pid && WIFEXITED(st) ? WEXITSTATUS(st) : 0;
      int sig = r == c->pid && WIFSIGNALED(st) ? WTERMSIG(st) : 0;
      log_push(c->number, SIM_CHILD_EXIT, 0, status, sig, NULL, 0);
      c->exited_seen = 1;
      seen++;
    }
  }
  return seen;
}

/* Blocks until one of the child's descriptors or its exit has news, or
 * `until` (real ns, UINT64_MAX: no limit) passes. */
static void wait_news(sim_child* c, uint64_t until) {
  struct pollfd p[SIM_CHILD_STDIO_MAX + 1];
  int n = 0;
  for (int i = 0; i < c->nstdio; i++) {
    if (c->fd[i] < 0) continue;
    short ev = 0;
    if (c->out_open[i] && !lent(c, i)) ev |= POLLIN;
    if (c->in[i].len) ev |= POLLOUT;
    if (!ev) continue;
    p[n].fd = c->fd[i];
    p[n].events = ev;
    n++;
  }
  int slice = 0;
  if (!c->reaped) {
    if (c->pidfd >= 0) {
      p[n].fd = c->pidfd;
      p[n].events = POLLIN;
      n++;
    } else {
      slice = 1;                /* no pidfd: waitpid every millisecond */
    }
  }
  int ms = -1;
  if (until != UINT64_MAX) {
    uint64_t now = real_ns();
    ms = until > now ? (int)((until - now + 999999u) / 1000000u) : 0;
  }
  if (slice && (ms < 0 || ms > 1)) ms = 1;
  if (n == 0 && ms < 0) return;   /* nothing can ever come */
  int r;
  do r = poll(p, (nfds_t)n, ms); while (r < 0 && errno == EINTR);
}

static void step_replay(sim_child* c) {
  while (c->replay_pos < c->feed_len) {
    const sim_child_item* it = &c->feed[c->replay_pos++];
    if (it->type == SIM_CHILD_STEP) break;
    if (it->type == SIM_CHILD_EOF && it->fd >= 0 && it->fd < c->nstdio) c->out_open[it->fd] = 0;
    if (it->type == SIM_CHILD_EXIT) c->exited_seen = 1;
    log_push(c->number, it->type, it->fd, it->a, it->b, it->data, it->len);
  }
  /* the record ends here (the recorded run stopped there): nothing more
   * comes, as in the recorded run */
  if (c->replay_pos >= c->feed_len) c->feed_end = 1;
}

void sim_child_step(sim_child* c, uint64_t max_wait_ns,
                    const sim_child_item** items, size_t* n) {
  step_from = log_len;
  if (c->replay) {
    step_replay(c);
  } else if (!sim_child_done(c)) {
    uint64_t start = real_ns();
    uint64_t until = max_wait_ns == UINT64_MAX ? UINT64_MAX : start + max_wait_ns;
    int seen = sweep(c);
    while (!seen && !sim_child_done(c)) {
      if (until != UINT64_MAX && real_ns() >= until) break;
      wait_news(c, until);
      seen = sweep(c);
    }
    /* settle: what follows within a moment belongs to the same step */
    while (seen && !sim_child_done(c)) {
      uint64_t settle = real_ns() + SIM_CHILD_SETTLE_NS;
      int more = 0;
      while (!more && real_ns() < settle) {
        wait_news(c, settle);
        more = sweep(c);
      }
      if (!more) break;
    }
  }
  log_push(c->number, SIM_CHILD_STEP, 0, 0, 0, NULL, 0);
  *items = log_items + step_from;
  *n = log_len - step_from - 1;
}

/* --------------------------------------------------------------- kill */

/* The parent of real process `pid` (field 4 of /proc/PID/stat, after the
 * command name, which may hold spaces and parentheses) and its state
 * (field 3: 'Z' for a zombie), or -1. */
static pid_t parent_of(pid_t pid, char* state_out) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n;
  do n = read(fd, buf, sizeof buf - 1); while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char* p = strrchr(buf, ')');
  char state;
  int ppid;
  if (p == NULL || sscanf(p + 1, " %c %d", &state, &ppid) != 2) return -1;
  if (state_out) *state_out = state;
  return ppid;
}

#define DESCENT_MAX 64          /* levels of parents followed */

/* 1: a descendant; 0: not one, or a zombie this process would reap: an
 * adopted orphan (init would have reaped it under a plain parent) or a
 * child whose exit the simulation has yet to take (libuv reaps at once).
 * kill(2) to a zombie answers 0, but a program under plain node would
 * find it gone a moment later, and here it stays until the process exits
 * (real_spawn). */
static int descends_from_self(pid_t pid) {
  pid_t self = getpid();
  char state = '?';
  pid_t p = parent_of(pid, &state);
  if (p == self) return state != 'Z';
  for (int i = 0; i < DESCENT_MAX && p > 1; i++) {
    p = parent_of(p, NULL);
    if (p == self) return 1;
  }
  return 0;
}

int sim_child_signal_descendant(pid_t pid, int signum) {
  if (pid <= 1 || pid == getpid()) return -ESRCH;
  /* A pidfd holds the process the pid names now: if it dies and the
   * number is reused after the ancestry was read, the signal answers
   * ESRCH instead of reaching the newcomer. */
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0 && errno != ENOSYS) return -ESRCH;
  int r = -ESRCH;
  if (descends_from_self(pid)) {
    if (pfd >= 0)
      r = syscall(SYS_pidfd_send_signal, pfd, signum, NULL, 0) == 0 ? 0 : -errno;
    else
      r = kill(pid, signum) == 0 ? 0 : -errno;   /* no pidfd: a narrow race */
  }
  if (pfd >= 0) close(pfd);
  return r;
}

int sim_child_kill(sim_child* c, int signum) {
  if (c->replay || c->reaped) return 0;
  if (kill(c->pid, signum) != 0) return -errno;
  return 0;
}

void sim_child_release(sim_child* c) {
  if (c->released) return;
  c->released = 1;
  close_fds(c);
}

/* ---------------------------------------------------------- as text */

static const char* const type_names[] = {
  [SIM_CHILD_SPAWN] = "spawn", [SIM_CHILD_OUT] = "out", [SIM_CHILD_EOF] = "eof",
  [SIM_CHILD_EXIT] = "exit", [SIM_CHILD_STEP] = "step",
};

#define HEX_PER_LINE 400        /* bytes: 800 hex digits, within a line */

static void fprint_hex(FILE* out, const char* p, size_t n) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    fputc(hex[(unsigned char)p[i] >> 4], out);
    fputc(hex[(unsigned char)p[i] & 15], out);
  }
}

void sim_child_items_fprint(FILE* out, const sim_child_item* items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const sim_child_item* it = &items[i];
    switch (it->type) {
    case SIM_CHILD_SPAWN: fprintf(out, "child %d spawn %d\n", it->child, it->a); break;
    case SIM_CHILD_EOF: fprintf(out, "child %d eof %d\n", it->child, it->fd); break;
    case SIM_CHILD_EXIT: fprintf(out, "child %d exit %d %d\n", it->child, it->a, it->b); break;
    case SIM_CHILD_STEP: fprintf(out, "child %d step\n", it->child); break;
    case SIM_CHILD_OUT:
      for (size_t off = 0; off < it->len; off += HEX_PER_LINE) {
        size_t k = it->len - off < HEX_PER_LINE ? it->len - off : HEX_PER_LINE;
        if (off == 0) fprintf(out, "child %d out %d ", it->child, it->fd);
        else fprintf(out, "child %d more ", it->child);
        fprint_hex(out, it->data + off, k);
        fputc('\n', out);
      }
      break;
    default: break;
    }
  }
}

sim_child_item* sim_child_items_copy(const sim_child_item* items, size_t n) {
  sim_child_item* c = calloc(n ? n : 1, sizeof *c);
  if (c == NULL) abort();
  for (size_t i = 0; i < n; i++) {
    c[i] = items[i];
    c[i].data = items[i].len ? dup_bytes(items[i].data, items[i].len) : NULL;
  }
  return c;
}

static int parse_int(const char** p, int* v) {
  char* end;
  errno = 0;
  long x = strtol(*p, &end, 10);
  if (end == *p || errno || x < -1000000 || x > 1000000) return -1;
  *v = (int)x;
  *p = end;
  if (**p == ' ') (*p)++;
  return 0;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  return -1;
}

/* Appends the bytes of HEX to it->data. */
static int append_hex(sim_child_item* it, const char* p, char* err, size_t errlen) {
  size_t hl = strlen(p);
  if (hl == 0 || hl % 2) {
    snprintf(err, errlen, "child output needs an even number of hex digits");
    return -1;
  }
  char* d = realloc(it->data, it->len + hl / 2);
  if (d == NULL) abort();
  it->data = d;
  for (size_t i = 0; i < hl / 2; i++) {
    int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      snprintf(err, errlen, "child output is not lowercase hex");
      return -1;
    }
    it->data[it->len + i] = (char)(hi << 4 | lo);
  }
  it->len += hl / 2;
  return 0;
}

int sim_child_item_parse(const char* text, sim_child_item** items, size_t* n,
                         char* err, size_t errlen) {
  sim_child_item it;
  memset(&it, 0, sizeof it);
  const char* p = text;
  if (parse_int(&p, &it.child) || it.child < 1) {
    snprintf(err, errlen, "'child' needs 'NUMBER TYPE ...'");
    return -1;
  }
  size_t wl = strcspn(p, " ");
  if (wl == 4 && strncmp(p, "more", 4) == 0) {
    sim_child_item* last = *n ? &(*items)[*n - 1] : NULL;
    if (last == NULL || last->type != SIM_CHILD_OUT || last->child != it.child) {
      snprintf(err, errlen, "'child %d more' does not follow its 'out'", it.child);
      return -1;
    }
    p += wl;
    if (*p == ' ') p++;
    return append_hex(last, p, err, errlen);
  }
  int type = -1;
  for (int t = 0; t < (int)(sizeof type_names / sizeof *type_names); t++)
    if (strlen(type_names[t]) == wl && strncmp(p, type_names[t], wl) == 0) type = t;
  if (type < 0) {
    snprintf(err, errlen, "unknown child record '%.*s'", (int)wl, p);
    return -1;
  }
  it.type = type;
  p += wl;
  if (*p == ' ') p++;
  int ok = 1;
  switch (type) {
  case SIM_CHILD_SPAWN: ok = parse_int(&p, &it.a) == 0 && it.a <= 0; break;
  case SIM_CHILD_EOF: ok = parse_int(&p, &it.fd) == 0; break;
  case SIM_CHILD_EXIT: ok = parse_int(&p, &it.a) == 0 && parse_int(&p, &it.b) == 0; break;
  case SIM_CHILD_STEP: break;
  case SIM_CHILD_OUT:
    ok = parse_int(&p, &it.fd) == 0;
    if (ok && append_hex(&it, p, err, errlen)) {
      free(it.data);
      return -1;
    }
    if (ok) p += strlen(p);
    break;
  }
  if (!ok || *p != '\0' || it.fd < 0 || it.fd >= SIM_CHILD_STDIO_MAX) {
    free(it.data);
    snprintf(err, errlen, "malformed 'child %s' line", type_names[type]);
    return -1;
  }
  sim_child_item* grown = realloc(*items, (*n + 1) * sizeof **items);
  if (grown == NULL) abort();
  *items = grown;
  (*items)[(*n)++] = it;
  return 0;
}
