/* fuzz/strategy.c — where the answers of a campaign come from.
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
 *          count (fz_strategy_end of the natural run sets it; a campaign
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
#include "fuzz/fuzz.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char* const names[FZ_STRAT_COUNT] = {
  [FZ_STRAT_RANDOM] = "random",
  [FZ_STRAT_PCT] = "pct",
  [FZ_STRAT_NODEFZ] = "nodefz",
  [FZ_STRAT_DFS] = "dfs",
};

const char* fz_strategy_name(fz_strategy_kind k) {
  return (unsigned)k < FZ_STRAT_COUNT ? names[k] : "?";
}

int fz_strategy_from_name(const char* name) {
  for (int k = 0; k < FZ_STRAT_COUNT; k++)
    if (strcmp(names[k], name) == 0) return k;
  return -1;
}

void fz_strategy_defaults(fz_strategy_params* p) {
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

uint64_t fz_run_seed(uint64_t seed, uint64_t i) {
  uint64_t x = seed ^ (i * 0x9e3779b97f4a7c15ull);
  return sim_splitmix64(&x);
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
static uint32_t pick_nonzero(fz_strategy* st, sim_kind kind, uint32_t n) {
  assert(n >= 2);
  if (!is_duration(kind) || st->p.slow) return nonzero_below(&st->rng, n);
  return sim_rng_tail(&st->rng, n);
}

static uint32_t choose_random(void* ctx, sim* s, sim_kind kind, uint32_t n,
                              const char* label) {
  fz_strategy* st = ctx;
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
  fz_strategy* st = ctx;
  (void)s, (void)label;
  uint32_t i = st->step++;
  for (uint32_t c = 0; c < st->ncp; c++)
    if (st->cp[c] == i) return pick_nonzero(st, kind, n);
  return 0;
}

static uint32_t percent_nonzero(fz_strategy* st, sim_kind kind, uint32_t pct,
                                uint32_t window, uint32_t n) {
  uint32_t w = window == 0 || window > n ? n : window;
  if (w < 2 || sim_rng_below(&st->rng, 100) >= pct) return 0;
  return pick_nonzero(st, kind, w);
}

static uint32_t choose_nodefz(void* ctx, sim* s, sim_kind kind, uint32_t n,
                              const char* label) {
  fz_strategy* st = ctx;
  const fz_strategy_params* p = &st->p;
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
  fz_strategy* st = ctx;
  (void)s, (void)kind, (void)label;
  uint32_t i = st->step++;
  if (i >= st->p.dfs_depth || i >= st->dfs_len) return 0;
  /* An earlier choice may have changed the shape: clamp (the log then says
   * what was really answered, and backtracking continues from it). */
  return st->dfs_choice[i] < n ? st->dfs_choice[i] : n - 1;
}

static uint32_t choose_zero(void* ctx, sim* s, sim_kind kind, uint32_t n,
                            const char* label) {
  fz_strategy* st = ctx;
  (void)s, (void)kind, (void)n, (void)label;
  st->step++;
  return 0;
}

/* ---- lifecycle */

void fz_strategy_init(fz_strategy* st, fz_strategy_kind kind,
                       const fz_strategy_params* p) {
  assert((unsigned)kind < FZ_STRAT_COUNT);
  memset(st, 0, sizeof *st);
  st->kind = kind;
  if (p) st->p = *p;
  else fz_strategy_defaults(&st->p);
  if (st->p.pct_depth == 0) st->p.pct_depth = 1;
  if (st->p.pct_depth > FZ_PCT_DEPTH_MAX) st->p.pct_depth = FZ_PCT_DEPTH_MAX;
  if (st->p.random_bias_max > 30) st->p.random_bias_max = 30;
  if (kind == FZ_STRAT_DFS) {
    if (st->p.dfs_depth == 0 || st->p.dfs_depth > FZ_DFS_DEPTH_MAX)
      st->p.dfs_depth = FZ_DFS_DEPTH_MAX;
    if (st->p.dfs_branch < 2) st->p.dfs_branch = 2;
    st->dfs_choice = calloc(st->p.dfs_depth, sizeof *st->dfs_choice);
    st->dfs_n = calloc(st->p.dfs_depth, sizeof *st->dfs_n);
    if (!st->dfs_choice || !st->dfs_n) abort();
  }
}

void fz_strategy_free(fz_strategy* st) {
  free(st->dfs_choice);
  free(st->dfs_n);
  memset(st, 0, sizeof *st);
}

int fz_strategy_begin(fz_strategy* st, uint64_t run_seed, int natural,
                       sim_config* cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->source = SIM_SRC_CUSTOM;
  cfg->chooser_ctx = st;
  cfg->seed = run_seed;
  st->step = 0;
  st->natural = natural;
  sim_rng_seed(&st->rng, run_seed);
  if (st->kind == FZ_STRAT_DFS) {
    if (st->dfs_done) return 1;
    cfg->chooser = choose_dfs;
    return 0;
  }
  if (natural) {
    cfg->chooser = choose_zero;
    return 0;
  }
  switch (st->kind) {
  case FZ_STRAT_RANDOM:
    st->bias = sim_rng_below(&st->rng, st->p.random_bias_max + 1);
    cfg->chooser = choose_random;
    break;
  case FZ_STRAT_PCT: {
    uint32_t k = st->p.pct_k ? st->p.pct_k : st->k_natural;
    if (k == 0) k = 16;   /* no natural run seen (uvsim_explore's first) */
    st->ncp = st->p.pct_depth - 1;
    for (uint32_t c = 0; c < st->ncp; c++) st->cp[c] = sim_rng_below(&st->rng, k);
    cfg->chooser = choose_pct;
    break;
  }
  case FZ_STRAT_NODEFZ:
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
static void dfs_advance(fz_strategy* st) {
  uint32_t seen = st->dfs_seen;
  uint32_t nz_before[FZ_DFS_DEPTH_MAX + 1];
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

void fz_strategy_end(fz_strategy* st, const sim_decision* log, size_t len) {
  if (st->natural && st->kind != FZ_STRAT_DFS)
    st->k_natural = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
  if (st->kind == FZ_STRAT_DFS) {
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
