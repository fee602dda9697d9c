/* fuzz/explore.c — uvsim_explore(): the campaign loop for unit tests, in
 * process, stopping at the first failing schedule and printing the line
 * that replays it (UVSIM_REPLAY='c0,c1,...', a choice list). */
#include "fuzz/fuzz.h"
#include "uvsim/explore.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_util.h"

static void (*cur_fn)(void*);
static void* cur_arg;

static void body(void) { cur_fn(cur_arg); }

static const uvsim_scenario explore_scn = {
  .name = "explore", .variant = "test", .description = "uvsim_explore body",
  .invariant = "the test's own checks", .expect = UVSIM_EXPECT_CLEAN, .run = body,
};

#define REPLAY_MAX 65536

static int parse_list(const char* s, uint32_t* out, size_t* n) {
  *n = 0;
  while (*s) {
    char* end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || errno || v > UINT32_MAX || *n >= REPLAY_MAX) return -1;
    out[(*n)++] = (uint32_t)v;
    s = end;
    if (*s == ',') s++;
    else if (*s) return -1;
  }
  return 0;
}

static void format_list(const sim_repro* r, char* out, size_t outlen) {
  size_t o = 0;
  out[0] = 0;
  for (size_t i = 0; i < r->ndecisions; i++) {
    int w = snprintf(out + o, outlen - o, "%s%u", i ? "," : "", r->decisions[i].choice);
    if (w < 0 || (size_t)w >= outlen - o) break;
    o += (size_t)w;
  }
}

static int replay_env(const char* list, uvsim_explore_options* o, FILE* out) {
  uint32_t* c = malloc(REPLAY_MAX * sizeof *c);
  size_t n;
  if (!c) abort();
  if (parse_list(list, c, &n) != 0) {
    fprintf(out, "uvsim: UVSIM_REPLAY='%s' is not a comma-separated choice list\n", list);
    free(c);
    return -1;
  }
  const char* tr = getenv("UVSIM_TRACE");
  int want_trace = tr && *tr && strcmp(tr, "0") != 0;
  sim_config cfg = { .source = SIM_SRC_LIST, .list = c, .list_len = n };
  fz_outcome res;
  fz_trace t = {0};
  fz_exec(&explore_scn, &cfg, FZ_EXEC_INPROC, &res, NULL, want_trace ? &t : NULL);
  if (want_trace) fz_trace_fprint(&t, out);
  fz_trace_free(&t);
  free(c);
  o->runs_done = 1;
  if (res.oracle == SIM_BUG_NONE) {
    fprintf(out, "uvsim: replayed schedule passed (hash %016" PRIx64 ")\n", res.hash);
    return 0;
  }
  fprintf(out, "uvsim: replayed schedule failed: %s: %s: %s (hash %016" PRIx64 ")\n",
          sim_oracle_name(res.oracle), res.where, res.message, res.hash);
  return 1;
}

int uvsim_explore(void (*test_fn)(void* arg), void* arg, uvsim_explore_options* opts) {
  uvsim_explore_options local = {0};
  uvsim_explore_options* o = opts ? opts : &local;
  FILE* out = o->out ? o->out : stderr;
  cur_fn = test_fn;
  cur_arg = arg;
  o->runs_done = 0;
  o->replay[0] = 0;
  const char* rl = getenv("UVSIM_REPLAY");
  if (rl && *rl) return replay_env(rl, o, out);
  int k = sim_strategy_from_name(o->strategy ? o->strategy : "random");
  if (k < 0) {
    fprintf(out, "uvsim: unknown strategy '%s'\n", o->strategy);
    return -1;
  }
  uint64_t seed = o->seed ? o->seed : 1;
  uint64_t runs = o->runs ? o->runs : 1000;
  runs = sim_env_u64("UVSIM_RUNS", runs, UINT64_MAX);
  seed = sim_env_u64("UVSIM_EXPLORE_SEED", seed, UINT64_MAX);
  sim_strategy st;
  sim_strategy_init(&st, (sim_strategy_kind)k, NULL);
  int rc = 0;
  for (uint64_t i = 0; i < runs; i++) {
    sim_config cfg;
    if (sim_strategy_begin(&st, fz_run_seed(seed, i), i == 0, &cfg)) break;
    sim* s = fz_world_begin(&cfg);
    test_fn(arg);
    fz_outcome res;
    fz_outcome_from_sim(&res, s);
    sim_strategy_end(&st, s->log, s->log_len);
    o->runs_done++;
    if (res.oracle == SIM_BUG_NONE) {
      fz_world_end();
      continue;
    }
    sim_repro r;
    sim_repro_init(&r);
    sim_repro_take_log(&r, s);
    fz_world_end();
    snprintf(r.scenario, sizeof r.scenario, "explore/test");
    fz_signature(&res, r.signature, sizeof r.signature);
    o->failed_schedule = (uint32_t)i;
    fz_analysis a;
    fz_analysis_init(&a);
    char err[256];
    int minimised = !o->no_minimize && fz_analyse(&explore_scn, &r, &a, err, sizeof err) == 0;
    format_list(minimised ? &a.min : &r, o->replay, sizeof o->replay);
    fprintf(out, "uvsim: schedule %" PRIu64 " failed: %s: %s: %s - replay: UVSIM_REPLAY='%s'\n",
            i, sim_oracle_name(res.oracle), res.where, res.message, o->replay);
    if (minimised) fz_analysis_print(&a, out);
    fz_analysis_free(&a);
    sim_repro_free(&r);
    rc = 1;
    break;
  }
  sim_strategy_free(&st);
  return rc;
}
