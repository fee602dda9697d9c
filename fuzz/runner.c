/* fuzz/runner.c — executing one schedule of a scenario, in this process or
 * in a forked child.
 *
 * In process is the fast path (a reset, no fork). A child is used where a
 * crash must become a finding rather than end the caller: the child's
 * decisions, outcome and (optionally) trace travel back through a shared
 * mapping and a memfd, filled at the normal end of the run or, on a crash,
 * by a signal handler (and by the sanitizers' death callback). Its stderr is
 * captured through a pipe: an assert() message or a sanitizer report names
 * the finding.
 */
#include "fuzz/runner.h"
#include "sim/sim_fault.h"
#include "sim/sim_fs.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uvsim/loop.h"
#include "uvsim/world.h"

/* ------------------------------------------------------------- the world */

static char run_faults[SIM_REPRO_FAULTS_MAX][128];
static size_t run_nfaults;

void fz_set_faults(const char (*specs)[128], size_t n) {
  run_nfaults = n < SIM_REPRO_FAULTS_MAX ? n : SIM_REPRO_FAULTS_MAX;
  for (size_t i = 0; i < run_nfaults; i++) {
    memcpy(run_faults[i], specs[i], sizeof run_faults[i]);
    run_faults[i][sizeof run_faults[i] - 1] = 0;
  }
}

size_t fz_get_faults(char (*out)[128], size_t max) {
  size_t n = run_nfaults < max ? run_nfaults : max;
  for (size_t i = 0; i < n; i++) memcpy(out[i], run_faults[i], sizeof out[i]);
  return n;
}

void fz_get_maps(sim_repro* r) {
  sim_fs* fs = sim_fs_current();
  r->nmaps = 0;
  for (size_t i = 0; i < sim_fs_map_count(fs) && r->nmaps < SIM_REPRO_MAPS_MAX; i++)
    if (sim_fs_map_spec_of(fs, i, r->maps[r->nmaps], sizeof r->maps[0]) == 0)
      r->nmaps++;
}

int fz_apply_maps(const sim_repro* r, char* err, size_t errlen) {
  sim_fs* fs = sim_fs_current();
  sim_fs_unmap_all(fs);
  for (size_t i = 0; i < r->nmaps; i++)
    if (sim_fs_map_spec(fs, r->maps[i], err, errlen) < 0) return -1;
  return 0;
}

int fz_fault_valid(const char* spec, int aggressive, char* err, size_t errlen) {
  sim_faults* f = sim_faults_new();
  if (!f) abort();
  int rc = sim_fault_add(f, spec, aggressive, err, errlen) < 0 ? -1 : 0;
  sim_faults_free(f);
  return rc;
}

/* The run's fault rules, after the world (and its old rules) was reset.
 * They were validated when given, so a failure here is a bug. */
static void apply_faults(sim* s) {
  for (size_t i = 0; i < run_nfaults; i++) {
    char err[256];
    if (sim_fault_add(sim_faults_current(), run_faults[i], s->cfg.aggressive, err,
                      sizeof err) < 0) {
      fprintf(stderr, "uvsim: fault '%s': %s\n", run_faults[i], err);
      abort();
    }
  }
}

void fz_scenario_prepare(const uvsim_scenario* sc) {
  const char* env = getenv("UVSIM_POOL_INLINE");
  if (env && *env) return;   /* the user decided */
  uvsim_pool_set_inline(!(sc->flags & UVSIM_SCN_REAL_THREADS));
}

sim* fz_world_begin(const sim_config* cfg) {
  uvsim_world_begin(cfg);
  sim* s = sim_current();
  if (run_nfaults) apply_faults(s);
  return s;
}

void fz_world_end(void) { uvsim_world_end(); }

void fz_outcome_from_sim(fz_outcome* out, const sim* s) {
  memset(out, 0, sizeof *out);
  out->oracle = s->failure.oracle;
  out->time_ns = s->failure.time_ns;
  out->hash = s->trace_hash;
  out->ndecisions = (uint32_t)s->log_len;
  out->nonzero = s->nonzero;
  memcpy(out->where, s->failure.where, sizeof out->where);
  memcpy(out->message, s->failure.message, sizeof out->message);
  if (out->oracle == SIM_BUG_NONE && s->budget_exceeded) {
    out->oracle = SIM_BUG_STEP_BUDGET;
    snprintf(out->message, sizeof out->message,
             "more than %u decisions in one run", s->cfg.decisions_max);
  }
}

int fz_oracle_needs_fork(sim_oracle o) {
  return o == SIM_BUG_CRASH || o == SIM_BUG_ASSERT || o == SIM_BUG_SANITIZER;
}

fz_exec_mode fz_mode_for(const uvsim_scenario* sc, sim_oracle o) {
  if (sc->flags & UVSIM_SCN_FORK_EACH) return FZ_EXEC_FORK;
  return fz_oracle_needs_fork(o) ? FZ_EXEC_FORK : FZ_EXEC_INPROC;
}

/* ---------------------------------------------------------------- traces */

void fz_trace_free(fz_trace* t) {
  for (size_t i = 0; i < t->len; i++) free((char*)t->recs[i].label);
  free(t->recs);
  memset(t, 0, sizeof *t);
}

static void trace_push(fz_trace* t, const sim_trace_rec* r, const char* label) {
  if (t->len == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 64;
    t->recs = realloc(t->recs, t->cap * sizeof *t->recs);
    if (!t->recs) abort();
  }
  t->recs[t->len] = *r;
  t->recs[t->len].label = strdup(label ? label : "");
  if (!t->recs[t->len].label) abort();
  t->len++;
}

void fz_trace_copy(fz_trace* t, const sim* s) {
  fz_trace_free(t);
  for (size_t i = 0; i < s->recs_len; i++) trace_push(t, &s->recs[i], s->recs[i].label);
}

void fz_trace_fprint(const fz_trace* t, FILE* out) {
  for (size_t i = 0; i < t->len; i++) {
    const sim_trace_rec* r = &t->recs[i];
    if (r->type == SIM_TR_DECISION)
      fprintf(out, "t=%" PRIu64 " D %s %u/%u %s\n", r->time_ns,
              sim_kind_name((sim_kind)r->kind), r->choice, r->n, r->label);
    else
      fprintf(out, "t=%" PRIu64 " %c %s\n", r->time_ns,
              r->type == SIM_TR_CALLBACK ? 'C' : 'N', r->label);
  }
}

int fz_trace_parse(fz_trace* t, const char* text) {
  fz_trace_free(t);
  const char* p = text;
  while (*p) {
    const char* eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    char line[SIM_LABEL_MAX + 256];
    if (len >= sizeof line) len = sizeof line - 1;
    memcpy(line, p, len);
    line[len] = 0;
    p = eol ? eol + 1 : p + strlen(p);
    sim_trace_rec r = {0};
    char type = 0;
    int off = 0;
    if (sscanf(line, "t=%" SCNu64 " %c %n", &r.time_ns, &type, &off) < 2) continue;
    const char* rest = line + off;
    if (type == 'D') {
      char kind[40];
      int off2 = 0;
      if (sscanf(rest, "%39s %u/%u %n", kind, &r.choice, &r.n, &off2) < 3) return -1;
      int k = sim_kind_from_name(kind);
      if (k < 0) return -1;
      r.type = SIM_TR_DECISION;
      r.kind = (uint16_t)k;
      trace_push(t, &r, rest + off2);
    } else {
      r.type = type == 'C' ? SIM_TR_CALLBACK : SIM_TR_NOTE;
      trace_push(t, &r, rest);
    }
  }
  return 0;
}

/* ----------------------------------------------- crash capture (children) */

#define FZ_SHM_LOG_MAX 65536u

typedef struct fz_shm_dec {
  uint16_t kind;
  uint32_t n, choice;
  char label[SIM_LABEL_MAX + 1];
} fz_shm_dec;

/* The crash record of runner.h. */
struct fz_shm {
  volatile int filled;
  fz_outcome out;
  uint32_t nlog;
  fz_shm_dec log[FZ_SHM_LOG_MAX];
};

static fz_shm* shm;          /* this process's mapping, made once        */
static int crash_trace_fd = -1;

static fz_shm* shm_get(void) {
  if (!shm) shm = fz_shm_new();
  return shm;
}

/* Copies the current world into the shared mapping. Called at the end of a
 * child's run and from the crash handler (the world's memory is intact
 * when a scenario crashes; this is the last thing the child does). */
static void shm_fill(const sim* s) {
  if (!shm || shm->filled) return;
  fz_outcome_from_sim(&shm->out, s);
  uint32_t n = s->log_len < FZ_SHM_LOG_MAX ? (uint32_t)s->log_len : FZ_SHM_LOG_MAX;
  for (uint32_t i = 0; i < n; i++) {
    shm->log[i].kind = s->log[i].kind;
    shm->log[i].n = s->log[i].n;
    shm->log[i].choice = s->log[i].choice;
    snprintf(shm->log[i].label, sizeof shm->log[i].label, "%s",
             s->log[i].label ? s->log[i].label : "");
  }
  shm->nlog = n;
  if (crash_trace_fd >= 0) {
    FILE* f = fdopen(dup(crash_trace_fd), "w");
    if (f) {
      sim_trace_dump(s, f);
      fclose(f);
    }
  }
  shm->filled = 1;
}

static void crash_handler(int sig) {
  shm_fill(sim_current());
  signal(sig, SIG_DFL);
  raise(sig);
}

static void sanitizer_death(void) { shm_fill(sim_current()); }

extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

/* Installed in every child that runs schedules (solo or batch workers). */
void fz_crash_capture_install(fz_shm* m, int trace_fd) {
  if (m) shm = m;
  /* A crash is an expected outcome here, and a core dump per crash costs
   * milliseconds (or a crash reporter's attention): none. */
  struct rlimit no_core = { 0, 0 };
  setrlimit(RLIMIT_CORE, &no_core);
  crash_trace_fd = trace_fd;
  static const int sigs[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM };
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], crash_handler);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(sanitizer_death);
}

/* Shared records for campaign workers. */
fz_shm* fz_shm_new(void) {
  void* p = mmap(NULL, sizeof(fz_shm), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

void fz_shm_free(fz_shm* m) {
  if (m) munmap(m, sizeof *m);
}

void fz_shm_clear(fz_shm* m) {
  m->filled = 0;
  m->nlog = 0;
}

size_t fz_shm_choices(const fz_shm* m, uint32_t* out, size_t max) {
  if (!m->filled) return 0;
  size_t n = m->nlog < max ? m->nlog : max;
  for (size_t i = 0; i < n; i++) out[i] = m->log[i].choice;
  return n;
}

/* ------------------------------------------------------- classification */

static int line_with(const char* text, const char* needle, char* out, size_t outlen) {
  const char* hit = strstr(text, needle);
  if (!hit) return 0;
  const char* b = hit;
  while (b > text && b[-1] != '\n') b--;
  const char* e = strchr(hit, '\n');
  size_t len = e ? (size_t)(e - b) : strlen(b);
  if (len >= outlen) len = outlen - 1;
  memcpy(out, b, len);
  out[len] = 0;
  return 1;
}

static void last_line(const char* text, char* out, size_t outlen) {
  size_t len = strlen(text);
  while (len && (text[len - 1] == '\n' || text[len - 1] == ' ')) len--;
  size_t b = len;
  while (b && text[b - 1] != '\n') b--;
  size_t n = len - b < outlen - 1 ? len - b : outlen - 1;
  memcpy(out, text + b, n);
  out[n] = 0;
}

/* "prog: file.c:12: fn: Assertion `x' failed." without the program name,
 * which differs between the CLI, tests and fuzz targets. */
static void strip_progname(char* msg) {
  char* a = strstr(msg, "Assertion");
  char* c = strstr(msg, ": ");
  if (a && c && c < a) memmove(msg, c + 2, strlen(c + 2) + 1);
  /* "/abs/dir/file.c:12: ..." -> "file.c:12: ...": a signature must not
   * depend on where the source tree was checked out. */
  char* colon = strchr(msg, ':');
  char* slash = colon ? memrchr(msg, '/', (size_t)(colon - msg)) : NULL;
  if (slash && memchr(msg, ' ', (size_t)(slash - msg)) == NULL)
    memmove(msg, slash + 1, strlen(slash + 1) + 1);
}

static void classify(fz_outcome* out, int status, const char* err) {
  char line[256];
  int sanitizer = line_with(err, "ERROR: AddressSanitizer", line, sizeof line) ||
                  line_with(err, "ERROR: LeakSanitizer", line, sizeof line) ||
                  line_with(err, "runtime error:", line, sizeof line) ||
                  line_with(err, "ERROR: UndefinedBehaviorSanitizer", line, sizeof line);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !sanitizer) return;
  out->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  out->where[0] = 0;
  if (sanitizer) {
    out->oracle = SIM_BUG_SANITIZER;
    char* e = strstr(line, "ERROR: ");
    snprintf(out->message, sizeof out->message, "%s", e ? e + 7 : line);
  } else if (out->signal == SIGABRT) {
    out->oracle = SIM_BUG_ASSERT;
    if (!line_with(err, "Assertion", line, sizeof line)) last_line(err, line, sizeof line);
    strip_progname(line);
    snprintf(out->message, sizeof out->message, "%s", line[0] ? line : "abort()");
  } else if (out->signal == SIGALRM) {
    out->oracle = SIM_BUG_HANG;
    snprintf(out->message, sizeof out->message,
             "run exceeded the wall-clock limit (real infinite loop?)");
  } else if (out->signal) {
    out->oracle = SIM_BUG_CRASH;
    snprintf(out->message, sizeof out->message, "killed by signal %d (%s)",
             out->signal, strsignal(out->signal));
  } else {
    out->oracle = SIM_BUG_CRASH;
    snprintf(out->message, sizeof out->message, "exited with status %d",
             WEXITSTATUS(status));
  }
}

/* For campaign supervisors (runner.h). */
int fz_classify_dead(const fz_shm* m, int status, const char* err,
                       fz_outcome* out) {
  memset(out, 0, sizeof *out);
  if (!m->filled) return 0;
  *out = m->out;
  classify(out, status, err);
  return 1;
}

/* ------------------------------------------------------------- execution */

#define FZ_CHILD_WALL_S 60u
#define FZ_STDERR_KEEP 16384u

static void run_here(const uvsim_scenario* sc, const sim_config* cfg,
                     fz_outcome* out, sim_repro* log, fz_trace* trace) {
  sim* s = fz_world_begin(cfg);
  sc->run();
  fz_outcome_from_sim(out, s);
  if (log) sim_repro_take_log(log, s);
  if (trace) fz_trace_copy(trace, s);
  fz_world_end();
}

static void read_all(int fd, char* keep, size_t cap) {
  size_t len = 0;
  char buf[4096];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    /* keep the tail: the last report is the interesting one */
    if (len + (size_t)r >= cap) {
      size_t drop = len + (size_t)r - (cap - 1);
      if (drop > len) drop = len;
      memmove(keep, keep + drop, len - drop);
      len -= drop;
    }
    size_t take = (size_t)r < cap - 1 - len ? (size_t)r : cap - 1 - len;
    memcpy(keep + len, buf + (size_t)r - take, take);
    len += take;
  }
  keep[len] = 0;
}

static char* read_fd_text(int fd) {
  off_t end = lseek(fd, 0, SEEK_END);
  if (end < 0) return NULL;
  char* text = malloc((size_t)end + 1);
  if (!text) abort();
  size_t got = 0;
  while (got < (size_t)end) {
    ssize_t r = pread(fd, text + got, (size_t)end - got, (off_t)got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  text[got] = 0;
  return text;
}

static int run_forked(const uvsim_scenario* sc, const sim_config* cfg,
                      fz_outcome* out, sim_repro* log, fz_trace* trace) {
  fz_shm* m = shm_get();
  if (!m) return -1;
  m->filled = 0;
  m->nlog = 0;
  int errp[2];
  if (pipe(errp) != 0) return -1;
  int tfd = -1;
  if (trace) {
    tfd = memfd_create("uvsim-trace", 0);
    if (tfd < 0) return -1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(errp[0]);
    close(errp[1]);
    if (tfd >= 0) close(tfd);
    return -1;
  }
  if (pid == 0) {
    close(errp[0]);
    dup2(errp[1], 2);
    close(errp[1]);
    fz_crash_capture_install(NULL, tfd);
    alarm(FZ_CHILD_WALL_S);
    sim* s = fz_world_begin(cfg);
    sc->run();
    shm_fill(s);
    _exit(0);
  }
  close(errp[1]);
  char* err = malloc(FZ_STDERR_KEEP);
  if (!err) abort();
  read_all(errp[0], err, FZ_STDERR_KEEP);
  close(errp[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  memset(out, 0, sizeof *out);
  if (m->filled) *out = m->out;
  classify(out, status, err);
  free(err);
  if (log) {
    sim_repro_free(log);
    log->decisions = calloc(m->nlog ? m->nlog : 1, sizeof *log->decisions);
    if (!log->decisions) abort();
    for (uint32_t i = 0; i < m->nlog; i++) {
      log->decisions[i].kind = m->log[i].kind;
      log->decisions[i].n = m->log[i].n;
      log->decisions[i].choice = m->log[i].choice;
      log->decisions[i].label = strdup(m->log[i].label);
      if (!log->decisions[i].label) abort();
    }
    log->ndecisions = m->nlog;
    log->aggressive = cfg->aggressive;
  }
  if (trace) {
    char* text = read_fd_text(tfd);
    fz_trace_free(trace);
    if (text) fz_trace_parse(trace, text);
    free(text);
    close(tfd);
  }
  return 0;
}

int fz_exec(const uvsim_scenario* sc, const sim_config* cfg_in,
             fz_exec_mode mode, fz_outcome* out, sim_repro* log,
             fz_trace* trace) {
  fz_scenario_prepare(sc);
  sim_config cfg = *cfg_in;
  if (trace) cfg.keep_trace = 1;
  if (sc->flags & UVSIM_SCN_AGGRESSIVE) cfg.aggressive = 1;
  if (mode == FZ_EXEC_INPROC) {
    run_here(sc, &cfg, out, log, trace);
    return 0;
  }
  return run_forked(sc, &cfg, out, log, trace);
}
