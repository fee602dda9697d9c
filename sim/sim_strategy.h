/* sim/sim_strategy.h — where a run's answers come from: the seeded
 * strategies random (biased), pct, nodefz and dfs, each a sim_chooser
 * (SIM_SRC_CUSTOM). They depend on the decision stream alone, so that both
 * an in-process campaign (fuzz/campaign.c) and libuvsim under an unchanged
 * program (UVSIM_STRATEGY, sim/sim_world.c) run the same code: one seed and
 * one strategy give one schedule wherever the program runs. */
#ifndef UVSIM_SIM_SIM_STRATEGY_H
#define UVSIM_SIM_SIM_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

typedef enum sim_strategy_kind {
  SIM_STRAT_RANDOM,
  SIM_STRAT_PCT,
  SIM_STRAT_NODEFZ,
  SIM_STRAT_DFS,
  SIM_STRAT_COUNT
} sim_strategy_kind;

const char* sim_strategy_name(sim_strategy_kind k);
int sim_strategy_from_name(const char* name);   /* -1 when unknown */

/* Bounds on dfs and pct; beyond them every decision answers 0. */
#define SIM_DFS_DEPTH_MAX 4096u
#define SIM_PCT_DEPTH_MAX 16u

typedef struct sim_strategy_params {
  /* random: per run, P(leave natural order) = 1 / 2^b, b uniform in
   * [0, random_bias_max]; b = 0 is a fully uniform run. 0 = always uniform. */
  uint32_t random_bias_max;
  /* pct: depth d (d-1 change points) over k decisions (0 = k is the
   * natural run's decision count, sim_strategy_end of that run). */
  uint32_t pct_depth;
  uint32_t pct_k;
  /* nodefz: per class, a shuffle window ("degrees of freedom": how many of
   * the queued items may be picked; 0 = all) and the percentage of
   * decisions that defer the natural head. */
  uint32_t nodefz_pool_dof, nodefz_pool_pct;
  uint32_t nodefz_io_dof, nodefz_io_pct;
  uint32_t nodefz_timer_pct;
  uint32_t nodefz_other_pct;
  /* dfs: decisions explored per schedule, options tried per decision,
   * non-zero decisions per schedule (0 = no bound). */
  uint32_t dfs_depth, dfs_branch, dfs_nonzero;
  /* Duration kinds (pool_duration, timer_lag, net_latency): a non-natural
   * answer of random, pct and nodefz is choice j in 1..n-1 with weight
   * 2^(n-1-j) (choice 1 half the time, the slowest tail 1 in 2^(n-1)-1).
   * slow = 1 ("slow world": `uvsim run --slow`, UVSIM_SLOW=1) makes it
   * uniform over 1..n-1, so the tail is as likely as any other delay. */
  uint32_t slow;
} sim_strategy_params;

void sim_strategy_defaults(sim_strategy_params* p);

typedef struct sim_strategy {
  sim_strategy_kind kind;
  sim_strategy_params p;
  sim_rng rng;
  uint32_t step;              /* decisions answered this run            */
  int natural;                /* this run answers 0 everywhere          */
  /* random */
  uint32_t bias;
  /* pct */
  uint32_t k_natural;         /* decisions of the natural run: PCT's k. A
                                 function of the scenario alone, so that
                                 run i's change points do not depend on
                                 which runs a worker saw before it */
  uint32_t ncp;
  uint32_t cp[SIM_PCT_DEPTH_MAX];
  /* dfs: the current prefix, and what each position offered last run */
  uint32_t* dfs_choice;
  uint32_t* dfs_n;
  uint32_t dfs_len;
  uint32_t dfs_seen;
  int dfs_done;
  uint64_t dfs_schedules;
} sim_strategy;

void sim_strategy_init(sim_strategy* st, sim_strategy_kind kind,
                       const sim_strategy_params* p);
void sim_strategy_free(sim_strategy* st);
/* Prepares one run: fills cfg with the chooser. `natural` forces the
 * all-zero schedule. Returns 1 when the strategy has nothing left to run
 * (dfs exhausted), else 0. */
int sim_strategy_begin(sim_strategy* st, uint64_t run_seed, int natural,
                       sim_config* cfg);
/* After the run, given its decision log: pct learns k, dfs records what
 * each position offered and moves to the next schedule. */
void sim_strategy_end(sim_strategy* st, const sim_decision* log, size_t len);

/* ---- one run of an unchanged program (UVSIM_STRATEGY, the fork server)
 *
 * A spec is "NAME[:KEY=VALUE,...]" with `uvsim run`'s flag names as keys
 * (bias-max, pct-depth, pct-k, nodefz-pool=DOF/PCT, nodefz-io=DOF/PCT,
 * nodefz-timer, nodefz-other, dfs-depth, dfs-branch, dfs-nonzero, slow;
 * dfs also prefix=C.C.C..., the run's prefix, for a replay line to carry);
 * what it leaves out keeps its default, except slow (0 unless given: the
 * environment's UVSIM_SLOW is the parent's to put in the spec). */

/* The spec of (kind, p): the name and the settings that kind reads, slow
 * when set. 0, or -1 when it does not fit in len. */
int sim_strategy_spec_format(sim_strategy_kind kind, const sim_strategy_params* p,
                             char* out, size_t len);
/* 0, or -1 with a one-line reason in err. */
int sim_strategy_spec_parse(const char* spec, sim_strategy_kind* kind,
                            sim_strategy_params* p, char* err, size_t errlen);
/* Fills cfg (as sim_strategy_begin does) for this process's one run of
 * `spec` seeded `seed`; dfs runs the given prefix (one byte per decision:
 * the parent drives the search across runs). The strategy lives as long
 * as the process. 0, or -1 with the reason in err. */
int sim_strategy_run_source(const char* spec, uint64_t seed, const uint8_t* prefix,
                            size_t prefix_len, sim_config* cfg, char* err, size_t errlen);
/* The source of a run that libuvsim is handed from outside (UVSIM_STRATEGY
 * and UVSIM_TAPE, or a fork server's request): `spec` seeded `seed`, a dfs
 * spec's prefix read from the file `tape`; with no spec, the decisions of
 * the file `tape` (one byte each). The bytes live as long as the process.
 * A file that cannot be read or a spec that does not parse ends the process
 * (status 2) with one line, "uvsim: TAPE_WHO: reason" or
 * "uvsim: SPEC_WHO'spec': reason": running another schedule instead would
 * report a run that never happened. */
void sim_strategy_source_or_exit(const char* spec, uint64_t seed, const char* tape,
                                 sim_config* cfg, const char* tape_who,
                                 const char* spec_who);

#endif
