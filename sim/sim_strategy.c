/* sim/sim_strategy.c — where the answers of a run come from (an in-process
 * campaign's, or an unchanged program's under UVSIM_STRATEGY).
 *
 * Every strategy is a sim_chooser (SIM_SRC_CUSTOM): per run it gets a seed,
 * per decision it answers from a few integers of state. Nothing here
 * allocates per decision (dfs allocates its prefix once, at init).
 *
 *  random  Uniform choices are chaotic: a timer with 4 lag buckets lags on
 *          3 of 4 firings, so every uniform run looks alike (everything
 *          late, everything shuffled) and the bugs that need *one* odd
 *          ordering in an otherwise natural run are rare. Each run therefore
 *          draws a bias b in [0, bias_max]: a decision leaves the natural
 *          order with probability 1/2^b (then uniform over 1..n-1); b = 0 is
 *          a fully uniform run. Default bias_max 4: one run in five is
 *          uniform, one in five leaves the natural order once in 16.
 *  pct     Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS'10)
 *          over a decision stream: the natural order is the priority order
 *          (oldest first), and d-1 change points, uniform over the k
 *          decisions of a run, demote the item that would go next (the
 *          answer is then uniform over 1..n-1). A bug that needs d-1
 *          specific decisions to deviate is hit with probability at least
 *          1/(k(n-1))^(d-1) per run. k is the natural run's decision
 *          count (sim_strategy_end of the natural run sets it; a campaign
 *          worker that does not run it probes it first), never "the longest
 *          run so far": that would make run i depend on the runs its worker
 *          happened to see, and so on --jobs.
 *  nodefz  Node.fz (Davis et al., EuroSys'17): per class of decision a
 *          shuffle window ("degrees of freedom": the worker may pick any of
 *          the first dof queued items) and a deferral percentage (how often
 *          the natural head is passed over). Classes: pool (pool_finish),
 *          io (io_order), timer (timer_lag, timeout_vs_immediate,
 *          early_timer), other (the rest). Faults are uniform (so a prob=1/N
 *          rule fires about once in N calls, as documented in fault.h).
 *  dfs     Bounded exhaustive enumeration, iterative: run the current prefix
 *          (0 after it), record what each position offered, then increment
 *          the deepest position that still has an untried option within the
 *          bounds and cut the prefix there. Handles trees whose shape depends
 *          on earlier choices, since n is re-read on every run.
 */
#include "sim/sim_strategy.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim_util.h"

static const char* const names[SIM_STRAT_COUNT] = {
  [SIM_STRAT_RANDOM] = "random",
  [SIM_STRAT_PCT] = "pct",
  [SIM_STRAT_NODEFZ] = "nodefz",
  [SIM_STRAT_DFS] = "dfs",
};

const char* sim_strategy_name(sim_strategy_kind k) {
  return (unsigned)k < SIM_STRAT_COUNT ? names[k] : "?";
}

int sim_strategy_from_name(const char* name) {
  for (int k = 0; k < SIM_STRAT_COUNT; k++)
    if (strcmp(names[k], name) == 0) return k;
  return -1;
}

void sim_strategy_defaults(sim_strategy_params* p) {
  memset(p, 0, sizeof *p);
  p->random_bias_max = 4;
  p->pct_depth = 3;
  p->pct_k = 0;
  p->nodefz_pool_dof = 4;
  p->nodefz_pool_pct = 50;
  p->nodefz_io_dof = 8;
  p->nodefz_io_pct = 30;
  p->nodefz_timer_pct = 20;
  p->nodefz_other_pct = 10;
  p->dfs_depth = 64;
  p->dfs_branch = 4;
  p->dfs_nonzero = 0;
  const char* slow = getenv("UVSIM_SLOW");
  p->slow = slow && *slow && *slow != '0';
}

/* ---- choosers */

static uint32_t nonzero_below(sim_rng* rng, uint32_t n) {
  assert(n >= 2);
  return 1 + sim_rng_below(rng, n - 1);
}

/* Duration kinds: the options are delays in increasing order (0 = none). */
static int is_duration(sim_kind kind) { return sim_kind_is_duration(kind); }

/* A non-natural answer: uniform over 1..n-1, except for duration kinds,
 * where choice j has weight 2^(n-1-j): each decade of delay half as likely
 * as the one before, the slowest still reached (docs/cli.md). The slow
 * world (p.slow) keeps them uniform. */
static uint32_t pick_nonzero(sim_strategy* st, sim_kind kind, uint32_t n) {
  assert(n >= 2);
  if (!is_duration(kind) || st->p.slow) return nonzero_below(&st->rng, n);
  return sim_rng_tail(&st->rng, n);
}

static uint32_t choose_random(void* ctx, sim* s, sim_kind kind, uint32_t n,
                              const char* label) {
  sim_strategy* st = ctx;
  (void)s, (void)label;
  st->step++;
  if (st->bias == 0) {
    /* a uniform run; a duration kind's non-zero answers keep their weights */
    uint32_t c = sim_rng_below(&st->rng, n);
    return c == 0 || !is_duration(kind) ? c : pick_nonzero(st, kind, n);
  }
  /* P(non-zero) = 1/2^bias: the low `bias` bits of one draw all zero. */
  uint64_t r = sim_rng_next(&st->rng);
  if ((r & ((1ull << st->bias) - 1)) != 0) return 0;
  return pick_nonzero(st, kind, n);
}

static uint32_t choose_pct(void* ctx, sim* s, sim_kind kind, uint32_t n,
                           const char* label) {
  sim_strategy* st = ctx;
  (void)s, (void)label;
  uint32_t i = st->step++;
  for (uint32_t c = 0; c < st->ncp; c++)
    if (st->cp[c] == i) return pick_nonzero(st, kind, n);
  return 0;
}

static uint32_t percent_nonzero(sim_strategy* st, sim_kind kind, uint32_t pct,
                                uint32_t window, uint32_t n) {
  uint32_t w = window == 0 || window > n ? n : window;
  if (w < 2 || sim_rng_below(&st->rng, 100) >= pct) return 0;
  return pick_nonzero(st, kind, w);
}

static uint32_t choose_nodefz(void* ctx, sim* s, sim_kind kind, uint32_t n,
                              const char* label) {
  sim_strategy* st = ctx;
  const sim_strategy_params* p = &st->p;
  (void)s, (void)label;
  st->step++;
  switch (kind) {
  case SIM_POOL_FINISH:
    return percent_nonzero(st, kind, p->nodefz_pool_pct, p->nodefz_pool_dof, n);
  case SIM_IO_ORDER:
    return percent_nonzero(st, kind, p->nodefz_io_pct, p->nodefz_io_dof, n);
  case SIM_TIMER_LAG:
  case SIM_TIMEOUT_VS_IMMEDIATE:
  case SIM_EARLY_TIMER:
    return percent_nonzero(st, kind, p->nodefz_timer_pct, 0, n);
  case SIM_FAULT:
    return sim_rng_below(&st->rng, n);
  default:
    return percent_nonzero(st, kind, p->nodefz_other_pct, 0, n);
  }
}

static uint32_t choose_dfs(void* ctx, sim* s, sim_kind kind, uint32_t n,
                           const char* label) {
  sim_strategy* st = ctx;
  (void)s, (void)kind, (void)label;
  uint32_t i = st->step++;
  if (i >= st->p.dfs_depth || i >= st->dfs_len) return 0;
  /* An earlier choice may have changed the shape: clamp (the log then says
   * what was really answered, and backtracking continues from it). */
  return st->dfs_choice[i] < n ? st->dfs_choice[i] : n - 1;
}

static uint32_t choose_zero(void* ctx, sim* s, sim_kind kind, uint32_t n,
                            const char* label) {
  sim_strategy* st = ctx;
  (void)s, (void)kind, (void)n, (void)label;
  st->step++;
  return 0;
}

/* ---- lifecycle */

void sim_strategy_init(sim_strategy* st, sim_strategy_kind kind,
                       const sim_strategy_params* p) {
  assert((unsigned)kind < SIM_STRAT_COUNT);
  memset(st, 0, sizeof *st);
  st->kind = kind;
  if (p) st->p = *p;
  else sim_strategy_defaults(&st->p);
  if (st->p.pct_depth == 0) st->p.pct_depth = 1;
  if (st->p.pct_depth > SIM_PCT_DEPTH_MAX) st->p.pct_depth = SIM_PCT_DEPTH_MAX;
  if (st->p.random_bias_max > 30) st->p.random_bias_max = 30;
  if (kind == SIM_STRAT_DFS) {
    if (st->p.dfs_depth == 0 || st->p.dfs_depth > SIM_DFS_DEPTH_MAX)
      st->p.dfs_depth = SIM_DFS_DEPTH_MAX;
    if (st->p.dfs_branch < 2) st->p.dfs_branch = 2;
    st->dfs_choice = calloc(st->p.dfs_depth, sizeof *st->dfs_choice);
    st->dfs_n = calloc(st->p.dfs_depth, sizeof *st->dfs_n);
    if (!st->dfs_choice || !st->dfs_n) abort();
  }
}

void sim_strategy_free(sim_strategy* st) {
  free(st->dfs_choice);
  free(st->dfs_n);
  memset(st, 0, sizeof *st);
}

int sim_strategy_begin(sim_strategy* st, uint64_t run_seed, int natural,
                       sim_config* cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->source = SIM_SRC_CUSTOM;
  cfg->chooser_ctx = st;
  cfg->seed = run_seed;
  st->step = 0;
  st->natural = natural;
  sim_rng_seed(&st->rng, run_seed);
  if (st->kind == SIM_STRAT_DFS) {
    if (st->dfs_done) return 1;
    cfg->chooser = choose_dfs;
    return 0;
  }
  if (natural) {
    cfg->chooser = choose_zero;
    return 0;
  }
  switch (st->kind) {
  case SIM_STRAT_RANDOM:
    st->bias = sim_rng_below(&st->rng, st->p.random_bias_max + 1);
    cfg->chooser = choose_random;
    break;
  case SIM_STRAT_PCT: {
    uint32_t k = st->p.pct_k ? st->p.pct_k : st->k_natural;
    if (k == 0) k = 16;   /* no natural run seen (uvsim_explore's first) */
    st->ncp = st->p.pct_depth - 1;
    for (uint32_t c = 0; c < st->ncp; c++) st->cp[c] = sim_rng_below(&st->rng, k);
    cfg->chooser = choose_pct;
    break;
  }
  case SIM_STRAT_NODEFZ:
    cfg->chooser = choose_nodefz;
    break;
  default:
    assert(0 && "unreachable");
  }
  return 0;
}

/* dfs: the next prefix. Position i can advance when it offered more options
 * than were tried (within the branch bound) and the non-zero bound allows
 * one more deviation before it. */
static void dfs_advance(sim_strategy* st) {
  uint32_t seen = st->dfs_seen;
  uint32_t nz_before[SIM_DFS_DEPTH_MAX + 1];
  uint32_t nz = 0;
  for (uint32_t i = 0; i < seen; i++) {
    nz_before[i] = nz;
    if (st->dfs_choice[i] != 0) nz++;
  }
  for (uint32_t i = seen; i-- > 0;) {
    uint32_t width = st->dfs_n[i] < st->p.dfs_branch ? st->dfs_n[i] : st->p.dfs_branch;
    if (st->dfs_choice[i] + 1 >= width) continue;
    if (st->p.dfs_nonzero && st->dfs_choice[i] == 0 &&
        nz_before[i] + 1 > st->p.dfs_nonzero)
      continue;
    st->dfs_choice[i]++;
    st->dfs_len = i + 1;
    return;
  }
  st->dfs_done = 1;
}

void sim_strategy_end(sim_strategy* st, const sim_decision* log, size_t len) {
  if (st->natural && st->kind != SIM_STRAT_DFS)
    st->k_natural = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
  if (st->kind == SIM_STRAT_DFS) {
    /* The log is the truth: the chooser may have clamped, and positions
     * past the prefix answered 0. */
    uint32_t seen = len < st->p.dfs_depth ? (uint32_t)len : st->p.dfs_depth;
    for (uint32_t i = 0; i < seen; i++) {
      st->dfs_n[i] = log[i].n;
      st->dfs_choice[i] = log[i].choice;
    }
    st->dfs_seen = seen;
    st->dfs_schedules++;
    dfs_advance(st);
  }
}

/* ---- one run of an unchanged program (UVSIM_STRATEGY)
 *
 * The spec is "NAME[:KEY=VALUE,...]", the keys named after `uvsim run`'s
 * flags. It carries every parameter the run's answers depend on, pct's k
 * included (the parent learns it from the natural run), so that a child
 * needs nothing else but its seed: the same spec and seed give the same
 * schedule in a process started for the run, in a fork server's child, and
 * in an in-process campaign. */

typedef struct spec_key {
  const char* name;
  size_t at, at2;               /* offsets of the value(s); at2 = 0: one */
  sim_strategy_kind only;       /* written for this strategy alone */
} spec_key;

#define OFF(f) offsetof(sim_strategy_params, f)
static const spec_key keys[] = {
  { "bias-max", OFF(random_bias_max), 0, SIM_STRAT_RANDOM },
  { "pct-depth", OFF(pct_depth), 0, SIM_STRAT_PCT },
  { "pct-k", OFF(pct_k), 0, SIM_STRAT_PCT },
  { "nodefz-pool", OFF(nodefz_pool_dof), OFF(nodefz_pool_pct), SIM_STRAT_NODEFZ },
  { "nodefz-io", OFF(nodefz_io_dof), OFF(nodefz_io_pct), SIM_STRAT_NODEFZ },
  { "nodefz-timer", OFF(nodefz_timer_pct), 0, SIM_STRAT_NODEFZ },
  { "nodefz-other", OFF(nodefz_other_pct), 0, SIM_STRAT_NODEFZ },
  { "dfs-depth", OFF(dfs_depth), 0, SIM_STRAT_DFS },
  { "dfs-branch", OFF(dfs_branch), 0, SIM_STRAT_DFS },
  { "dfs-nonzero", OFF(dfs_nonzero), 0, SIM_STRAT_DFS },
  { "slow", OFF(slow), 0, SIM_STRAT_COUNT },   /* any, when set */
};
#undef OFF

static uint32_t* field(sim_strategy_params* p, size_t at) {
  return (uint32_t*)((char*)p + at);
}

int sim_strategy_spec_format(sim_strategy_kind kind, const sim_strategy_params* p,
                             char* out, size_t len) {
  sim_strategy_params q = *p;
  int n = snprintf(out, len, "%s", sim_strategy_name(kind));
  char sep = ':';
  for (size_t i = 0; i < sizeof keys / sizeof *keys && n >= 0 && (size_t)n < len; i++) {
    const spec_key* k = &keys[i];
    uint32_t v = *field(&q, k->at);
    if (k->only != kind && !(k->only == SIM_STRAT_COUNT && v)) continue;
    if (k->at2)
      n += snprintf(out + n, len - (size_t)n, "%c%s=%u/%u", sep, k->name, v,
                    *field(&q, k->at2));
    else
      n += snprintf(out + n, len - (size_t)n, "%c%s=%u", sep, k->name, v);
    sep = ',';
  }
  return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* One "KEY=VALUE" of a spec into p; -1 with the reason in err. */
/* A dfs prefix's value, "0.0.2.1": numbers 0-255 joined by dots, at most
 * SIM_DFS_DEPTH_MAX of them (what cli/exec.c's replay line prints). Checked
 * here so that spec_prefix, which reads it, never meets anything else: a
 * mistyped replay line must not run some shorter prefix instead. */
static int prefix_value_ok(const char* v, size_t len) {
  size_t count = 0;
  for (size_t i = 0; i < len;) {
    size_t digits = 0;
    unsigned value = 0;
    while (i < len && v[i] >= '0' && v[i] <= '9' && digits < 3)
      value = value * 10 + (unsigned)(v[i++] - '0'), digits++;
    if (digits == 0 || value > 255 || ++count > SIM_DFS_DEPTH_MAX) return 0;
    if (i < len && (v[i++] != '.' || i == len)) return 0;
  }
  return count > 0;
}

static int spec_pair(const char* item, size_t len, sim_strategy_params* p,
                     char* err, size_t errlen) {
  if (len >= 7 && !memcmp(item, "prefix=", 7)) {           /* dfs: spec_prefix */
    if (prefix_value_ok(item + 7, len - 7)) return 0;
    snprintf(err, errlen, "'%.*s': the value is not choices 0-255 joined by dots",
             (int)(len > 80 ? 80 : len), item);
    return -1;
  }
  const char* eq = memchr(item, '=', len);
  size_t klen = eq ? (size_t)(eq - item) : len;
  for (size_t i = 0; eq && i < sizeof keys / sizeof *keys; i++) {
    if (strlen(keys[i].name) != klen || memcmp(keys[i].name, item, klen)) continue;
    char v[32], *slash;
    uint64_t a, b = 0;
    snprintf(v, sizeof v, "%.*s", (int)(len - klen - 1), eq + 1);
    if ((slash = strchr(v, '/')) != NULL) *slash = '\0';
    if (sim_parse_u64(v, &a) != 0 || a > UINT32_MAX || !slash != !keys[i].at2 ||
        (slash && (sim_parse_u64(slash + 1, &b) != 0 || b > 100))) {
      snprintf(err, errlen, "'%.*s': the value is not %s", (int)len, item,
               keys[i].at2 ? "DOF/PCT (PCT at most 100)" : "a 32-bit number");
      return -1;
    }
    *field(p, keys[i].at) = (uint32_t)a;
    if (slash) *field(p, keys[i].at2) = (uint32_t)b;
    return 0;
  }
  snprintf(err, errlen, "'%.*s' is not KEY=VALUE with one of its settings' keys",
           (int)len, item);
  return -1;
}

int sim_strategy_spec_parse(const char* spec, sim_strategy_kind* kind,
                            sim_strategy_params* p, char* err, size_t errlen) {
  size_t nlen = strcspn(spec, ":");
  char name[16];
  snprintf(name, sizeof name, "%.*s", (int)(nlen < sizeof name ? nlen : 0), spec);
  int k = sim_strategy_from_name(name);
  if (k < 0) {
    snprintf(err, errlen, "unknown strategy '%.*s' (random, pct, nodefz, dfs)", (int)nlen, spec);
    return -1;
  }
  *kind = (sim_strategy_kind)k;
  sim_strategy_defaults(p);
  p->slow = 0;                  /* the spec says it, not the environment */
  for (const char* s = spec + nlen; *s;) {
    s++;                        /* the ':' or ',' */
    size_t len = strcspn(s, ",");
    if (spec_pair(s, len, p, err, errlen) != 0) return -1;
    s += len;
  }
  return 0;
}

/* A dfs spec's own prefix ("prefix=0.0.2.1", what a printed replay line
 * carries instead of a tape file) into buf; its length, or -1 when absent. */
static long spec_prefix(const char* spec, uint8_t* buf, size_t cap) {
  const char* at = strstr(spec, "prefix=");
  if (!at || at == spec || (at[-1] != ':' && at[-1] != ',')) return -1;
  size_t n = 0;
  for (const char* s = at + 7; *s && *s != ',' && n < cap; s += *s == '.') {
    char* end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s) break;
    buf[n++] = (uint8_t)(v > 255 ? 255 : v);
    s = end;
  }
  return (long)n;
}

int sim_strategy_run_source(const char* spec, uint64_t seed, const uint8_t* prefix,
                            size_t prefix_len, sim_config* cfg, char* err, size_t errlen) {
  /* One per process: an unchanged program runs one schedule. */
  static sim_strategy st;
  static uint8_t inline_prefix[SIM_DFS_DEPTH_MAX];
  sim_strategy_kind kind;
  sim_strategy_params p;
  if (sim_strategy_spec_parse(spec, &kind, &p, err, errlen) != 0) return -1;
  long n = spec_prefix(spec, inline_prefix, sizeof inline_prefix);
  if (n >= 0) prefix = inline_prefix, prefix_len = (size_t)n;
  sim_strategy_free(&st);
  sim_strategy_init(&st, kind, &p);
  if (kind == SIM_STRAT_DFS) {
    /* The prefix to run: one byte per position, as dfs_advance left it in
     * the parent (choices stay below dfs-branch, at most 255 here). */
    st.dfs_len = prefix_len < st.p.dfs_depth ? (uint32_t)prefix_len : st.p.dfs_depth;
    for (uint32_t i = 0; i < st.dfs_len; i++) st.dfs_choice[i] = prefix[i];
  }
  sim_strategy_begin(&st, seed, 0, cfg);
  return 0;
}

void sim_strategy_source_or_exit(const char* spec, uint64_t seed, const char* tape,
                                 sim_config* cfg, const char* tape_who,
                                 const char* spec_who) {
  uint8_t* bytes = NULL;
  size_t len = 0;
  char err[512];
  if (tape && *tape && sim_tape_read(tape, &bytes, &len, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: %s: %s\n", tape_who, err);
    _exit(2);
  }
  if (!spec) {
    cfg->source = SIM_SRC_TAPE;
    cfg->tape = bytes;          /* lives as long as the process */
    cfg->tape_len = len;
    return;
  }
  if (sim_strategy_run_source(spec, seed, bytes, len, cfg, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: %s'%s': %s\n", spec_who, spec, err);
    _exit(2);
  }
  free(bytes);                  /* dfs copied its prefix */
}
