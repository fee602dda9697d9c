/* cli/exec_server.c — the fork server seen from `uvsim exec`: two pipes to
 * the program (requests one way, one status line per event the other), and
 * the bookkeeping of what it printed before its first uv_run. The protocol
 * is described in loop/forkserver.c. */
#include "cli/exec_server.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double mono_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int cli_xsrv_open(exec_server* s) {
  memset(s, 0, sizeof *s);
  int a[2], b[2];
  if (pipe2(a, O_CLOEXEC) < 0) return -errno;
  if (pipe2(b, O_CLOEXEC) < 0) {
    int e = errno;
    close(a[0]), close(a[1]);
    return -e;
  }
  s->their_ctl = a[0], s->ctl = a[1];
  s->st = b[0], s->their_st = b[1];
  return 0;
}

void cli_xsrv_child_env(const exec_server* s) {
  /* Copies without close-on-exec: the only descriptors the program keeps. */
  int ctl = fcntl(s->their_ctl, F_DUPFD, 3);
  int st = fcntl(s->their_st, F_DUPFD, 3);
  char v[64];
  /* The pid: only this process may serve, not a child it forks before its
   * loop runs (that child's run is part of this one's). */
  snprintf(v, sizeof v, "%d,%d,%ld", ctl, st, (long)getpid());
  setenv("UVSIM_FORKSERVER", v, 1);
}

void cli_xsrv_started(exec_server* s, pid_t pid) {
  s->pid = pid;
  close(s->their_ctl);
  close(s->their_st);
  s->their_ctl = s->their_st = -1;
}

/* The next status line into `line` (without '\n'): 1, 0 on timeout, -1 at
 * the end of the pipe. */
static int read_line(exec_server* s, int timeout_ms, char* line, size_t len) {
  double end = mono_s() + timeout_ms / 1000.0;
  for (;;) {
    char* nl = memchr(s->buf, '\n', s->have);
    if (nl) {
      size_t n = (size_t)(nl - s->buf);
      snprintf(line, len, "%.*s", (int)n, s->buf);
      memmove(s->buf, nl + 1, s->have - n - 1);
      s->have -= n + 1;
      return 1;
    }
    if (s->have == sizeof s->buf) return -1;   /* no line that long is ours */
    int left = (int)((end - mono_s()) * 1000) + 1;
    struct pollfd p = { .fd = s->st, .events = POLLIN };
    if (timeout_ms >= 0 && left <= 0) return 0;
    int r = poll(&p, 1, timeout_ms < 0 ? -1 : left);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return 0;
    ssize_t got = read(s->st, s->buf + s->have, sizeof s->buf - s->have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return -1;
    s->have += (size_t)got;
  }
}

int cli_xsrv_hello(exec_server* s, double deadline, char* why, size_t whylen) {
  char line[512];
  double left = deadline - mono_s();
  int r = read_line(s, left > 0 ? (int)(left * 1000) : 0, line, sizeof line);
  if (r == 0) return XSRV_LATE;
  if (r < 0) return XSRV_NONE;
  if (!strncmp(line, "ready ", 6)) return XSRV_READY;
  snprintf(why, whylen, "%s", !strncmp(line, "refuse ", 7) ? line + 7 : line);
  return XSRV_REFUSED;
}

static char* slurp(FILE* f, size_t* len) {
  fflush(f);
  rewind(f);
  size_t cap = 4096;
  char* buf = malloc(cap);
  *len = 0;
  for (size_t n; buf && (n = fread(buf + *len, 1, cap - *len, f)) > 0;) {
    *len += n;
    if (*len == cap) {
      char* grown = realloc(buf, cap *= 2);
      if (!grown) break;
      buf = grown;
    }
  }
  return buf;
}

void cli_xsrv_take_prefix(exec_server* s, FILE* out, FILE* err) {
  s->out_prefix = slurp(out, &s->out_len);
  s->err_prefix = slurp(err, &s->err_len);
}

int cli_xsrv_request(exec_server* s, const char* kind, uint64_t seed,
                     const char* spec, const char* prefix) {
  char req[4300];
  int n = spec ? snprintf(req, sizeof req, "strategy %" PRIu64 " %s %s\n", seed, spec, prefix)
               : snprintf(req, sizeof req, "%s %" PRIu64 " %s\n", kind, seed, prefix);
  if (n <= 0 || (size_t)n >= sizeof req) return -1;
  /* exec ignores SIGPIPE nowhere else: a write to a dead server must fail,
   * not kill the campaign */
  void (*old)(int) = signal(SIGPIPE, SIG_IGN);
  ssize_t w = write(s->ctl, req, (size_t)n);
  signal(SIGPIPE, old);
  return w == n ? 0 : -1;
}

pid_t cli_xsrv_pid(exec_server* s) {
  char line[512];
  /* The server answers at once: it forks and says the pid. */
  if (read_line(s, 10000, line, sizeof line) != 1) return -1;
  long pid;
  if (sscanf(line, "pid %ld", &pid) != 1 || pid <= 0) return -1;
  return (pid_t)pid;
}

uint64_t cli_xsrv_runs, cli_xsrv_restored;

int cli_xsrv_status(exec_server* s, int timeout_ms, int* status) {
  char line[512];
  int r = read_line(s, timeout_ms, line, sizeof line);
  if (r <= 0) return r;
  int at = 0;
  if (sscanf(line, "status %d%n", status, &at) != 1) return -1;
  cli_xsrv_runs++;
  if (!strcmp(line + at, " restored")) cli_xsrv_restored++;
  return 1;
}

void cli_xsrv_close(exec_server* s) {
  if (s->pid > 0) {
    kill(-s->pid, SIGKILL);
    kill(s->pid, SIGKILL);
    while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {}
  }
  if (s->ctl >= 0) close(s->ctl);
  if (s->st >= 0) close(s->st);
  free(s->out_prefix);
  free(s->err_prefix);
  memset(s, 0, sizeof *s);
  s->ctl = s->st = -1;
}
