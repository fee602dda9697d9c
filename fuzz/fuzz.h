/* fuzz/fuzz.h — internal interface of the exploration layer: strategies,
 * running one schedule (in process or in a forked child), bug signatures,
 * minimisation and explanation, campaigns. Public entry points are the
 * `uvsim` command (cli/main.c), uvsim/explore.h and uvsim/scenario.h.
 *
 * Sections: strategies · world and runs · signatures · analysis · campaign.
 */
#ifndef UVSIM_FUZZ_FUZZ_H
#define UVSIM_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sim.h"
#include "sim/sim_replay.h"
#include "sim/sim_strategy.h"
#include "uvsim/scenario.h"

/* ----------------------------------------------------------- strategies */

/* The strategies themselves live in sim/sim_strategy.h (libuvsim runs them
 * for unchanged programs too); a campaign adds the seed of each run. */

/* The seed of run `i` of a campaign seeded `seed` (splitmix64). */
uint64_t fz_run_seed(uint64_t seed, uint64_t i);

/* ------------------------------------------------------- world and runs */

/* Resets the loop, the engine and the world for one run (uvsim_world_begin)
 * and applies the run's fault rules. */
sim* fz_world_begin(const sim_config* cfg);
void fz_world_end(void);

/* Per-scenario process settings before its runs (the pool's inline mode,
 * see UVSIM_SCN_REAL_THREADS; UVSIM_POOL_INLINE in the environment wins). */
void fz_scenario_prepare(const uvsim_scenario* sc);

/* Fault rules (sim/sim_fault.h spec lines) applied at the start of every run
 * fz_world_begin starts, until changed: a campaign's --fault options, a
 * reproducer's `fault` lines. Copied. */
void fz_set_faults(const char (*specs)[128], size_t n);
size_t fz_get_faults(char (*out)[128], size_t max);
/* Whether a spec parses (err names the problem). */
int fz_fault_valid(const char* spec, int aggressive, char* err, size_t errlen);

/* Mapped host directories (sim_fs_map; docs/world.md). They belong to the
 * process, not to a run: fz_get_maps copies the current ones into a
 * reproducer; fz_apply_maps makes a reproducer's the only ones (-1 and a
 * one-line reason when one cannot be mapped, e.g. its host dir is gone). */
void fz_get_maps(sim_repro* r);
int fz_apply_maps(const sim_repro* r, char* err, size_t errlen);

typedef struct fz_outcome {
  sim_oracle oracle;
  int signal;                 /* fork mode: the signal that ended it     */
  uint64_t time_ns;
  uint64_t hash;
  uint32_t ndecisions, nonzero;
  char where[96];
  char message[256];
} fz_outcome;

/* A stored trace record (labels owned). */
typedef struct fz_trace {
  size_t len, cap;
  sim_trace_rec* recs;
} fz_trace;
void fz_trace_free(fz_trace* t);
void fz_trace_copy(fz_trace* t, const sim* s);
void fz_trace_fprint(const fz_trace* t, FILE* out);   /* sim_trace_dump format */
int fz_trace_parse(fz_trace* t, const char* text);  /* sim_trace_dump text */

/* How a single schedule is executed. */
typedef enum fz_exec_mode {
  FZ_EXEC_INPROC,            /* in this process (fast; a crash kills us) */
  FZ_EXEC_FORK               /* in a fresh child; crashes become findings */
} fz_exec_mode;

/* Runs `sc` under `cfg`. Fills `out`; when `log` is not NULL the decisions
 * are copied into it; when `trace` is not NULL cfg->keep_trace is forced
 * and the records are copied. Returns 0, or -1 when the run could not be
 * executed at all (fork failed). */
int fz_exec(const uvsim_scenario* sc, const sim_config* cfg,
             fz_exec_mode mode, fz_outcome* out, sim_repro* log,
             fz_trace* trace);
/* Crash-class oracles cannot be reproduced in process. */
int fz_oracle_needs_fork(sim_oracle o);
fz_exec_mode fz_mode_for(const uvsim_scenario* sc, sim_oracle o);

/* Fills `out` from the current world after a run. */
void fz_outcome_from_sim(fz_outcome* out, const sim* s);

/* ----------------------------------------------------------- signatures */

/* Digits (decimal and hex) become N, addresses and runs of blanks collapse:
 * "balance 90 != 100 at 0x7ff3" -> "balance N != N at N". */
void fz_normalise(const char* in, char* out, size_t outlen);
/* "oracle: where: normalised message". */
void fz_signature(const fz_outcome* o, char* out, size_t outlen);
uint64_t fz_sig_hash(const char* signature);
/* Parses the oracle name at the front of a signature (SIM_BUG_NONE if not). */
sim_oracle fz_signature_oracle(const char* signature);

/* -------------------------------------------------------------- analysis */

/* A decision that, set back to 0 alone, makes the bug disappear. */
typedef struct fz_decisive {
  size_t index;               /* position in the decision list          */
  uint16_t kind;
  uint32_t n, choice;
  char label[SIM_LABEL_MAX + 1];
  char failing[256];          /* callbacks after it, failing schedule   */
  char natural[256];          /* the same window with the decision at 0 */
} fz_decisive;

#define FZ_DECISIVE_MAX 32
#define FZ_MINIMIZE_ATTEMPTS_MAX 4000u

typedef struct fz_analysis {
  sim_repro min;              /* minimised reproducer (signature, hash)  */
  fz_outcome outcome;        /* of the minimised schedule               */
  size_t orig_nonzero, orig_len;
  uint32_t attempts;
  size_t ndecisive;
  fz_decisive decisive[FZ_DECISIVE_MAX];
  fz_trace trace;            /* of the minimised failing schedule        */
} fz_analysis;

void fz_analysis_init(fz_analysis* a);
void fz_analysis_free(fz_analysis* a);

/* Minimises `in` (which must fail with signature `in->signature`), then
 * explains it. Runs in this process; schedules are executed per
 * fz_mode_for(). Returns 0, or -1 (message in err) when `in` does not
 * reproduce its signature. */
int fz_analyse(const uvsim_scenario* sc, const sim_repro* in,
                fz_analysis* a, char* err, size_t errlen);
/* The same in a forked child, so that nothing the schedules do can take the
 * caller down. */
int fz_analyse_isolated(const uvsim_scenario* sc, const sim_repro* in,
                         fz_analysis* a, char* err, size_t errlen);
/* Writes the explanation (decisive decisions) for people. */
void fz_analysis_print(const fz_analysis* a, FILE* out);

/* Replays a reproducer (fuzz/replay.c): returns the outcome, the hash in
 * out->hash. Decisions are matched by kind, label and occurrence
 * (sim/sim_replay.h), so that a program edited since the file was written
 * still gets the recorded choices where it asks the same questions. */
int fz_replay(const uvsim_scenario* sc, const sim_repro* r, fz_outcome* out,
               fz_trace* trace);
/* The same, by position instead when `strict` (the exact replay of an
 * unchanged program), and with the account of how the run matched the file
 * in `acct` (initialised here; the caller frees it with sim_replay_free). */
int fz_replay_matched(const uvsim_scenario* sc, const sim_repro* r, int strict,
                      fz_outcome* out, fz_trace* trace, sim_replay* acct);

/* -------------------------------------------------------------- campaign */

typedef struct fz_campaign_opts {
  const uvsim_scenario* sc;
  sim_strategy_kind strategy;
  sim_strategy_params params;
  uint64_t seed;
  uint64_t runs;              /* 0 = until time_s                        */
  double time_s;              /* 0 = until runs                          */
  unsigned jobs;              /* worker processes                        */
  int isolate;                /* 1 = runs in forked workers (default)    */
  int progress;               /* progress line on stderr                 */
  int analyse;                /* minimise + explain each bug             */
  const char* corpus_dir;     /* NULL = do not write reproducers         */
  int stop_on_bug;            /* end at the first failing run (benches)  */
  /* --shard I/N: only the runs i < runs with i % shard_count ==
   * shard_index (0-based); shard_count 0 = every run. Not for dfs (each of
   * its schedules follows from the previous one) nor with time_s. */
  uint32_t shard_index, shard_count;
} fz_campaign_opts;

typedef struct fz_bug {
  char signature[256];
  uint64_t sig_hash;
  fz_outcome outcome;
  uint64_t first_run;         /* 0-based run index of its first hit      */
  uint64_t hits;              /* failing runs with this signature        */
  sim_repro repro;            /* the schedule as found                   */
  char path[512];             /* corpus file ("" when not written)       */
  int analysed;
  fz_analysis an;
} fz_bug;

typedef struct fz_campaign {
  const uvsim_scenario* sc;
  sim_strategy_kind strategy;
  uint64_t seed;
  uint64_t runs;              /* schedules executed                      */
  uint64_t failing_runs;
  uint64_t distinct;          /* distinct trace hashes                   */
  uint64_t first_bug_run;     /* 1-based; 0 = no bug                     */
  uint64_t worker_crashes;
  double elapsed_s;
  int dfs_exhausted;
  size_t nbugs, bugs_cap;
  fz_bug* bugs;
  /* The distinct trace hashes (`distinct` of them, ascending), so that
   * shards' counts can be unioned (uvsim merge). NULL when not kept. */
  uint64_t* traces;
  /* A shard (shard_count > 0): which one, and what identifies the campaign
   * it is part of: the run budget and fz_campaign_config(). */
  uint32_t shard_index, shard_count;
  uint64_t runs_budget;
  uint64_t config;
} fz_campaign;

int fz_campaign_run(const fz_campaign_opts* o, fz_campaign* c);
/* A hash of everything besides scenario, strategy, seed and budget that
 * decides a campaign's schedules and reproducers: the strategy parameters,
 * the fault rules and mapped directories in force, whether bugs are
 * minimised. Shards of one campaign have the same (fuzz/shard.c). */
uint64_t fz_campaign_config(const fz_campaign_opts* o);
/* The runs of shard `index` (0-based) of `count` in a budget of `runs`. */
uint64_t fz_shard_runs(uint64_t runs, uint32_t index, uint32_t count);
void fz_campaign_free(fz_campaign* c);
/* Does the result match the scenario's expectation? */
int fz_campaign_as_expected(const fz_campaign* c);

/* Wall clock for campaigns and benchmarks only (never on a simulated path). */
double fz_wall_s(void);

#endif /* UVSIM_FUZZ_FUZZ_H */
