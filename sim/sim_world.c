/* sim/sim_world.c — a simulated world: its clock, its decision stream and the
 * label arena. One world is "current" per process; the loop layer asks it
 * for every open choice. Campaigns reset the same world thousands of times a
 * second, so reset keeps every allocation. */
#include "sim/sim.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim_child.h"
#include "sim/sim_replay.h"
#include "sim/sim_strategy.h"
#include "sim/sim_util.h"

static const char* const kind_names[SIM_KIND_COUNT] = {
  [SIM_POOL_FINISH] = "pool_finish",
  [SIM_POOL_DURATION] = "pool_duration",
  [SIM_IO_ORDER] = "io_order",
  [SIM_READ_SPLIT] = "read_split",
  [SIM_TIMER_LAG] = "timer_lag",
  [SIM_CB_COST] = "cb_cost",
  [SIM_NET_LATENCY] = "net_latency",
  [SIM_TIMEOUT_VS_IMMEDIATE] = "timeout_vs_immediate",
  [SIM_FAULT] = "fault",
  [SIM_USER] = "user",
  [SIM_EARLY_TIMER] = "early_timer",
  [SIM_DGRAM_LATENCY] = "dgram_latency",
  [SIM_FS_EVENT_LATENCY] = "fs_event_latency",
  [SIM_FS_EVENT_COALESCE] = "fs_event_coalesce",
  [SIM_CHILD_EVENT] = "child_event",
};

static const char* const oracle_names[SIM_BUG_ORACLE_COUNT] = {
  [SIM_BUG_NONE] = "none",
  [SIM_BUG_CRASH] = "crash",
  [SIM_BUG_ASSERT] = "assert",
  [SIM_BUG_SANITIZER] = "sanitizer",
  [SIM_BUG_INVARIANT] = "invariant",
  [SIM_BUG_UNHANDLED_REJECTION] = "unhandled-rejection",
  [SIM_BUG_UNCAUGHT] = "uncaught-exception",
  [SIM_BUG_HANG] = "hang",
  [SIM_BUG_STEP_BUDGET] = "step-budget",
  [SIM_BUG_STARVATION] = "starvation",
  [SIM_BUG_LEAK] = "leak",
};

const char* sim_oracle_name(sim_oracle o) {
  if ((unsigned)o >= SIM_BUG_ORACLE_COUNT) return "?";
  return oracle_names[o];
}

void sim_fail(sim* s, sim_oracle oracle, const char* where, const char* fmt, ...) {
  assert(oracle != SIM_BUG_NONE);
  if (sim_failed(s)) return;
  s->failure.oracle = oracle;
  s->failure.time_ns = s->now_ns;
  snprintf(s->failure.where, sizeof s->failure.where, "%s", where ? where : "");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->failure.message, sizeof s->failure.message, fmt, ap);
  va_end(ap);
  sim_trace_note(s, oracle_names[oracle]);
}

const char* sim_kind_name(sim_kind kind) {
  if ((unsigned)kind >= SIM_KIND_COUNT) return "?";
  return kind_names[kind];
}

int sim_kind_is_duration(sim_kind kind) {
  if (kind == SIM_CHILD_EVENT) return 1;   /* a delay bucket, slowest last */
  return kind == SIM_POOL_DURATION || kind == SIM_TIMER_LAG || kind == SIM_NET_LATENCY ||
         kind == SIM_DGRAM_LATENCY || kind == SIM_FS_EVENT_LATENCY;
}

int sim_kind_from_name(const char* name) {
  for (int k = 0; k < SIM_KIND_COUNT; k++)
    if (strcmp(kind_names[k], name) == 0) return k;
  return -1;
}


/* ---- label arena: a chain of blocks so that interned pointers stay valid. */

struct sim_arena_block {
  struct sim_arena_block* next;
  char* mem;
};

static void arena_reset(sim* s) {
  while (s->arena_old) {
    struct sim_arena_block* b = s->arena_old;
    s->arena_old = b->next;
    free(b->mem);
    free(b);
  }
  s->arena_len = 0;
}

const char* sim_intern(sim* s, const char* label) {
  size_t n = strlen(label) + 1;
  if (s->arena_len + n > s->arena_cap) {
    if (s->arena) {
      struct sim_arena_block* b = sim_xmalloc(sizeof *b);
      b->mem = s->arena;
      b->next = s->arena_old;
      s->arena_old = b;
    }
    s->arena_cap = s->arena_cap * 2 > n + 4096 ? s->arena_cap * 2 : n + 4096;
    s->arena = sim_xmalloc(s->arena_cap);
    s->arena_len = 0;
  }
  char* dst = s->arena + s->arena_len;
  memcpy(dst, label, n);
  s->arena_len += n;
  return dst;
}

const char* sim_internf(sim* s, const char* fmt, ...) {
  char buf[SIM_LABEL_MAX + 1];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return sim_intern(s, buf);
}

/* ---- lifecycle */

void sim_init(sim* s, const sim_config* cfg) {
  memset(s, 0, sizeof *s);
  sim_reset(s, cfg);
}

void sim_reset(sim* s, const sim_config* cfg) {
  static const sim_config zero_cfg;
  s->cfg = cfg ? *cfg : zero_cfg;
  if (s->cfg.decisions_max == 0) s->cfg.decisions_max = SIM_DECISIONS_MAX_DEFAULT;
  if (s->cfg.steps_max == 0) s->cfg.steps_max = SIM_STEPS_MAX_DEFAULT;
  s->steps = 0;
  memset(&s->failure, 0, sizeof s->failure);
  assert(s->cfg.source != SIM_SRC_CUSTOM || s->cfg.chooser != NULL);
  s->now_ns = 0;
  sim_rng_seed(&s->rng, s->cfg.seed);
  s->tape_pos = 0;
  s->list_pos = 0;
  s->log_len = 0;
  s->nonzero = 0;
  s->budget_exceeded = 0;
  for (size_t i = 0; i < s->heap_len; i++) s->heap[i]->heap_index = (size_t)-1;
  s->heap_len = 0;
  s->next_seq = 0;
  s->trace_hash = 0xcbf29ce484222325ull;
  s->trace_len = 0;
  s->recs_len = 0;
  s->obs_len = 0;
  s->obs_pos = 0;
  arena_reset(s);
}

void sim_free(sim* s) {
  arena_reset(s);
  free(s->arena);
  free(s->log);
  free(s->heap);
  free(s->recs);
  free(s->obs);
  memset(s, 0, sizeof *s);
}

static sim default_world;
static sim* current_world;

/* UVSIM_REPORT_PATH=FILE (or UVSIM_REPORT_FD=N): when the process exits,
 * one line about the default world's run, for `uvsim exec` (cli/exec.c),
 * which learns from it that the program really ran on uvsim and which
 * schedule it took. A path is opened only then, so a program that closes
 * every descriptor it inherited still reports; only the process that set
 * the report up writes it (a forked child exits through the same atexit). */
static int report_fd = -1;
static char report_path[4096];
static pid_t report_pid;
static int reported;

/* Formatting by hand: this also runs inside a signal handler, where
 * snprintf is not safe. */
static char* put_str(char* p, const char* s) {
  while (*s) *p++ = *s++;
  return p;
}

static char* put_u64(char* p, uint64_t v, unsigned base, int width) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n < width) tmp[n++] = '0';
  while (n) *p++ = tmp[--n];
  return p;
}

/* Then one line per decision, "d KIND CHOICE/N LABEL", from which the
 * harness writes a reproducer (a label is cut at 200 bytes). */
static void report_decisions(int fd) {
  char line[320];
  for (size_t i = 0; i < default_world.log_len; i++) {
    const sim_decision* d = &default_world.log[i];
    char* p = put_str(line, "d ");
    p = put_str(p, sim_kind_name((sim_kind)d->kind));
    *p++ = ' ';
    p = put_u64(p, d->choice, 10, 0);
    *p++ = '/';
    p = put_u64(p, d->n, 10, 0);
    *p++ = ' ';
    const char* l = d->label ? d->label : "-";
    for (size_t k = 0; l[k] && k < 200; k++) *p++ = l[k] == '\n' ? ' ' : l[k];
    *p++ = '\n';
    if (write(fd, line, (size_t)(p - line)) < 0) return;
  }
}

/* Then the run's child transcript (sim_child_log), in the reproducer's
 * own "child ..." lines (sim_child_items_fprint's format; an output chunk
 * longer than CHILD_HEX_PER_LINE bytes goes on in "more" lines, so that
 * every line stays within SIM_REPRO_LINE_MAX): the harness copies them
 * into the reproducer, so that a replay hands the child's output and exit
 * back instead of running it again. By hand, with write(2) only, as above. */
#define CHILD_HEX_PER_LINE 400

static char* put_int(char* p, int v) {
  if (v < 0) *p++ = '-';
  return put_u64(p, v < 0 ? 0u - (unsigned)v : (unsigned)v, 10, 0);
}

static void report_children(int fd) {
  static const char* const names[] = {
    [SIM_CHILD_SPAWN] = "spawn", [SIM_CHILD_OUT] = "out", [SIM_CHILD_EOF] = "eof",
    [SIM_CHILD_EXIT] = "exit", [SIM_CHILD_STEP] = "step",
  };
  char line[64 + 2 * CHILD_HEX_PER_LINE];
  size_t n;
  const sim_child_item* items = sim_child_log(&n);
  for (size_t i = 0; i < n; i++) {
    const sim_child_item* it = &items[i];
    if (it->type < SIM_CHILD_SPAWN || it->type > SIM_CHILD_STEP) continue;
    if (it->type == SIM_CHILD_OUT && it->len == 0) continue;   /* fprint writes none */
    size_t off = 0;
    do {
      char* p = put_str(line, "child ");
      p = put_int(p, it->child);
      *p++ = ' ';
      p = put_str(p, it->type == SIM_CHILD_OUT && off > 0 ? "more" : names[it->type]);
      if (it->type == SIM_CHILD_SPAWN || it->type == SIM_CHILD_EXIT) *p++ = ' ', p = put_int(p, it->a);
      if (it->type == SIM_CHILD_EXIT) *p++ = ' ', p = put_int(p, it->b);
      if (it->type == SIM_CHILD_EOF || (it->type == SIM_CHILD_OUT && off == 0))
        *p++ = ' ', p = put_int(p, it->fd);
      if (it->type == SIM_CHILD_OUT) {
        size_t k = it->len - off < CHILD_HEX_PER_LINE ? it->len - off : CHILD_HEX_PER_LINE;
        *p++ = ' ';
        for (size_t j = 0; j < k; j++) {
          unsigned char b = (unsigned char)it->data[off + j];
          *p++ = "0123456789abcdef"[b >> 4];
          *p++ = "0123456789abcdef"[b & 15];
        }
        off += k;
      }
      *p++ = '\n';
      assert((size_t)(p - line) <= sizeof line);
      if (write(fd, line, (size_t)(p - line)) < 0) return;
    } while (it->type == SIM_CHILD_OUT && off < it->len);
  }
}

void sim_report_now(void) {
  if ((report_fd < 0 && !report_path[0]) || reported || getpid() != report_pid) return;
  reported = 1;
  int fd = report_fd;
  if (report_path[0]) {
    fd = open(report_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;
  }
  char line[160], *p = line;
  p = put_str(p, "uvsim-run decisions=");
  p = put_u64(p, default_world.log_len, 10, 0);
  p = put_str(p, " nonzero=");
  p = put_u64(p, default_world.nonzero, 10, 0);
  p = put_str(p, " hash=");
  p = put_u64(p, sim_trace_hash(&default_world), 16, 16);
  *p++ = '\n';
  if (write(fd, line, (size_t)(p - line)) < 0) {
    /* nothing to do: the reader will say the report is missing */
  }
  report_decisions(fd);
  sim_observe_report(&default_world, fd);
  report_children(fd);
  if (report_path[0]) close(fd);
}

/* A crash reports too (the schedule that crashed is the interesting one),
 * then goes on as it would have: the previous handler, or the default. */
static const int crash_signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
static struct sigaction crash_old[sizeof crash_signals / sizeof *crash_signals];

/* A fault (SEGV, BUS, FPE, ILL) is not raised again: returning re-runs the
 * faulting instruction, which delivers it to the restored handler with its
 * real siginfo. That matters: V8 catches SIGSEGV on purpose (WebAssembly
 * bounds checks) and must see the genuine fault. Only an abort is raised. */
static void report_on_crash(int sig) {
  for (size_t i = 0; i < sizeof crash_signals / sizeof *crash_signals; i++) {
    if (crash_signals[i] != sig) continue;
    /* A fault nobody else handles kills the process: report it now (the
     * crashed schedule is the one to replay). One the program handles may
     * be survived; its exit reports then. */
    int fatal = sig == SIGABRT || (!(crash_old[i].sa_flags & SA_SIGINFO) &&
                                   crash_old[i].sa_handler == SIG_DFL);
    if (fatal) sim_report_now();
    sigaction(sig, &crash_old[i], NULL);
  }
  if (sig == SIGABRT) raise(sig);
}

/* A sanitizer that catches the crash itself (ASan's SEGV handler) ends
 * the process through its death callback, not through our handlers. */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void report_setup(int fd, const char* path) {
  report_fd = fd;
  if (path) snprintf(report_path, sizeof report_path, "%s", path);
  report_pid = getpid();
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(sim_report_now);
  atexit(sim_report_now);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = report_on_crash;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_NODEFER;
  for (size_t i = 0; i < sizeof crash_signals / sizeof *crash_signals; i++)
    sigaction(crash_signals[i], &sa, &crash_old[i]);
}

void sim_report_retarget(const char* path) {
  if (!report_pid) report_setup(-1, path);
  snprintf(report_path, sizeof report_path, "%s", path);
  report_fd = -1;
  report_pid = getpid();
  reported = 0;
}

int sim_tape_read(const char* path, uint8_t** bytes, size_t* len, char* err,
                  size_t errlen) {
  FILE* f = fopen(path, "rb");
  size_t cap = 4096, n = 0;
  uint8_t* buf = f ? sim_xmalloc(cap) : NULL;
  for (size_t got = 1; f && got > 0; n += got) {
    if (n == cap) buf = sim_xrealloc(buf, cap *= 2);
    got = fread(buf + n, 1, cap - n, f);
  }
  if (!f || ferror(f)) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    if (f) fclose(f);
    free(buf);
    return -1;
  }
  fclose(f);
  *bytes = buf;
  *len = n;
  return 0;
}

/* UVSIM_TAPE=FILE: the run's answers are the file's bytes (as a fuzzer's
 * tape: one byte per decision, wide ones more; past the end, 0). The tape
 * lives as long as the process. */
/* UVSIM_REPLAY=FILE: the decisions of a reproducer (what `uvsim replay`
 * hands to an unchanged program), matched by kind, label and occurrence
 * (sim/sim_replay.h; UVSIM_REPLAY_STRICT=1: by position), so that a program
 * edited since still gets its recorded choices. A file that cannot be read
 * stops the program: running some other schedule instead would report a
 * replay that never happened. The reproducer and its matcher live as long
 * as the process. */
static void replay_config(sim_config* cfg, const char* path) {
  static sim_repro r;
  static sim_replay m;
  char err[512];
  sim_repro_init(&r);
  if (sim_repro_read(&r, path, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: UVSIM_REPLAY: %s\n", err);
    exit(2);
  }
  const char* strict = getenv("UVSIM_REPLAY_STRICT");
  sim_replay_init(&m, r.decisions, r.ndecisions, strict && strcmp(strict, "1") == 0);
  cfg->source = SIM_SRC_CUSTOM;
  cfg->chooser = sim_replay_chooser;
  cfg->chooser_ctx = &m;
  /* Decisions come from the file; the seed still names the run's other
   * seeded streams (uv_random's bytes: loop/random.c). */
  cfg->seed = r.seed;
  cfg->aggressive = r.aggressive;
  /* What the recorded run saw of descriptors it does not own is handed
   * back as it was; the replay never looks at them (sim_observe). */
  cfg->replay_observed = 1;
  cfg->observed = r.observed;
  cfg->nobserved = r.nobserved;
  /* So are the children's transcripts: a recorded child is not run again,
   * its steps return what the recorded run saw (sim_child.h), as in an
   * in-process replay (fuzz/replay.c). */
  sim_child_replay_set(r.child, r.nchild);
}

/* Natural order unless UVSIM_SEED asks for a seeded run (decimal; a value
 * that does not parse stops the program, see sim_env_u64). Reading the
 * environment once at start-up is configuration, not nondeterminism. */
static void default_world_init(void) {
  sim_config cfg = {0};
  const char* env = getenv("UVSIM_SEED");
  const char* replay = getenv("UVSIM_REPLAY");
  const char* tape = getenv("UVSIM_TAPE");
  const char* strategy = getenv("UVSIM_STRATEGY");
  if (replay && *replay) {
    replay_config(&cfg, replay);
  } else if (strategy && *strategy) {
    /* UVSIM_STRATEGY=SPEC seeded UVSIM_SEED; a dfs run's prefix is UVSIM_TAPE */
    sim_strategy_source_or_exit(strategy, sim_env_u64("UVSIM_SEED", 0, UINT64_MAX), tape,
                                &cfg, "UVSIM_TAPE", "UVSIM_STRATEGY=");
  } else if (tape && *tape) {
    /* UVSIM_TAPE=FILE: its bytes are the decisions */
    sim_strategy_source_or_exit(NULL, 0, tape, &cfg, "UVSIM_TAPE", NULL);
  } else if (env && *env) {
    cfg.source = SIM_SRC_SEED;
    cfg.seed = sim_env_u64("UVSIM_SEED", 0, UINT64_MAX);
  } else {
    cfg.source = SIM_SRC_LIST;
  }
  sim_init(&default_world, &cfg);
  const char* path = getenv("UVSIM_REPORT_PATH");
  uint64_t fd = sim_env_u64("UVSIM_REPORT_FD", UINT64_MAX, INT_MAX);
  if (path && *path) report_setup(-1, path);
  else if (fd != UINT64_MAX) report_setup((int)fd, NULL);
}

sim* sim_current(void) {
  if (current_world) return current_world;
  /* Once, even when the first callers are several threads at once (a
   * program's own threads may read the clock before its loop runs; real
   * Node's do). */
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, default_world_init);
  if (current_world == NULL) current_world = &default_world;
  return current_world;
}

void sim_set_current(sim* s) { current_world = s; }

void sim_set_source(sim* s, const sim_config* src) {
  assert(s->log_len == 0 && "the source changes before the first decision");
  s->cfg.source = src->source;
  s->cfg.seed = src->seed;
  s->cfg.tape = src->tape;
  s->cfg.tape_len = src->tape_len;
  s->cfg.list = src->list;
  s->cfg.list_len = src->list_len;
  s->cfg.chooser = src->chooser;
  s->cfg.chooser_ctx = src->chooser_ctx;
  sim_rng_seed(&s->rng, s->cfg.seed);
  s->tape_pos = 0;
  s->list_pos = 0;
}

void sim_advance_to(sim* s, uint64_t t_ns) {
  assert(t_ns >= s->now_ns && "virtual time never goes backwards");
  s->now_ns = t_ns;
}

/* ---- the decision stream */

/* UVSIM_SLOW=1: read once (configuration, not nondeterminism). */
static int slow_world(void) {
  static int slow = -1;
  if (slow < 0) slow = (int)sim_env_u64("UVSIM_SLOW", 0, 1);
  return slow;
}

static uint32_t answer(sim* s, sim_kind kind, uint32_t n, const char* label) {
  switch (s->cfg.source) {
  case SIM_SRC_SEED: {
    /* A seeded run (UVSIM_SEED: `uvsim exec`, `uvsim node`) leaves the
     * natural order as often as before, but reaches a duration's slow tail
     * as rarely as the strategies do: uniform, a 1 s or 10 s delay came up
     * in 2 of 7 answers and every test runner's own timeout fired. The
     * slow world (UVSIM_SLOW=1) keeps it uniform. */
    uint32_t c = sim_rng_below(&s->rng, n);
    if (c != 0 && sim_kind_is_duration(kind) && !slow_world()) c = sim_rng_tail(&s->rng, n);
    return c;
  }
  case SIM_SRC_TAPE: {
    if (s->tape_pos >= s->cfg.tape_len) return 0;
    uint32_t v = s->cfg.tape[s->tape_pos++];
    /* Wide decisions take up to 3 more bytes, little-endian. */
    for (int i = 1; n > 256 && i < 4 && s->tape_pos < s->cfg.tape_len; i++)
      v |= (uint32_t)s->cfg.tape[s->tape_pos++] << (8 * i);
    return v % n;
  }
  case SIM_SRC_LIST: {
    if (s->list_pos >= s->cfg.list_len) return 0;
    uint32_t v = s->cfg.list[s->list_pos++];
    /* A replayed list from an edited program may ask for a choice that no
     * longer exists; clamp rather than crash, the trace hash will tell. */
    return v < n ? v : n - 1;
  }
  case SIM_SRC_CUSTOM: {
    uint32_t v = s->cfg.chooser(s->cfg.chooser_ctx, s, kind, n, label);
    assert(v < n && "strategy answered out of range");
    return v;
  }
  }
  return 0;
}

static void log_push(sim* s, sim_kind kind, uint32_t n, uint32_t choice,
                     const char* label) {
  if (s->log_len == s->log_cap) {
    s->log_cap = s->log_cap ? s->log_cap * 2 : 256;
    s->log = sim_xrealloc(s->log, s->log_cap * sizeof *s->log);
  }
  s->log[s->log_len++] = (sim_decision){ (uint16_t)kind, n, choice, label };
}

uint32_t sim_choose(sim* s, sim_kind kind, uint32_t n, const char* label) {
  assert(n > 0 && "a decision needs at least one option");
  assert((unsigned)kind < SIM_KIND_COUNT);
  if (n == 1) return 0;
  if (kind == SIM_EARLY_TIMER && !s->cfg.aggressive) return 0;
  if (s->log_len >= s->cfg.decisions_max) {
    s->budget_exceeded = 1;
    return 0;
  }
  uint32_t c = answer(s, kind, n, label);
  log_push(s, kind, n, c, label);
  if (c != 0) s->nonzero++;
  sim_trace_decision(s, kind, n, c, label);
  return c;
}
