/* tests/fuzz/test_strategy.c — strategies: dfs enumerates exactly the
 * schedules of a synthetic decision tree (within its bounds); random, pct
 * and nodefz are deterministic per seed and differ across seeds; random's
 * bias keeps choice 0 common. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fuzz/fuzz.h"

/* d0 (2) d1 (2) d2 (2), and when d0 == 1 one more, d3 (3): 4 + 12 = 16
 * schedules. */
static void tree(sim* s) {
  uint32_t a = sim_choose(s, SIM_POOL_FINISH, 2, "d0");
  sim_trace_callback(s, "cb0");
  sim_choose(s, SIM_IO_ORDER, 2, "d1");
  sim_choose(s, SIM_TIMER_LAG, 2, "d2");
  if (a == 1) sim_choose(s, SIM_READ_SPLIT, 3, "d3");
}

static uint64_t dfs_count(uint32_t depth, uint32_t branch, uint32_t nonzero,
                          uint64_t* distinct) {
  sim_strategy_params p;
  sim_strategy_defaults(&p);
  p.dfs_depth = depth;
  p.dfs_branch = branch;
  p.dfs_nonzero = nonzero;
  sim_strategy st;
  sim_strategy_init(&st, SIM_STRAT_DFS, &p);
  sim w;
  sim_init(&w, NULL);
  uint64_t runs = 0, hashes[64];
  *distinct = 0;
  sim_config cfg;
  while (!sim_strategy_begin(&st, runs, runs == 0, &cfg)) {
    sim_reset(&w, &cfg);
    tree(&w);
    sim_strategy_end(&st, w.log, w.log_len);
    uint64_t h = sim_trace_hash(&w);
    int seen = 0;
    for (uint64_t i = 0; i < *distinct; i++) seen |= hashes[i] == h;
    if (!seen && *distinct < 64) hashes[(*distinct)++] = h;
    runs++;
    assert_true(runs < 1000);
  }
  assert_int_equal(st.dfs_schedules, runs);
  sim_strategy_free(&st);
  sim_free(&w);
  return runs;
}

static void dfs_enumerates_tree(void** state) {
  (void)state;
  uint64_t distinct;
  assert_int_equal(dfs_count(64, 4, 0, &distinct), 16);
  assert_int_equal(distinct, 16);
  /* branch bound 2: d3 offers 3, only 2 tried: 4 + 8 */
  assert_int_equal(dfs_count(64, 2, 0, &distinct), 12);
  assert_int_equal(distinct, 12);
  /* depth bound 2: only d0, d1 vary */
  assert_int_equal(dfs_count(2, 4, 0, &distinct), 4);
  /* at most one non-zero decision: natural, d0, d1, d2 */
  assert_int_equal(dfs_count(64, 4, 1, &distinct), 4);
  assert_int_equal(distinct, 4);
}

static void run_choices(sim_strategy_kind k, uint64_t seed, uint32_t* out, size_t n) {
  sim_strategy st;
  sim_strategy_init(&st, k, NULL);
  sim w;
  sim_init(&w, NULL);
  sim_config cfg;
  sim_strategy_begin(&st, seed, 0, &cfg);
  sim_reset(&w, &cfg);
  for (size_t i = 0; i < n; i++)
    out[i] = sim_choose(&w, (sim_kind)(i % 5), 2 + (uint32_t)(i % 4), "x");
  sim_strategy_end(&st, w.log, w.log_len);
  sim_strategy_free(&st);
  sim_free(&w);
}

static void deterministic_per_seed(void** state) {
  (void)state;
  sim_strategy_kind kinds[] = { SIM_STRAT_RANDOM, SIM_STRAT_PCT, SIM_STRAT_NODEFZ };
  for (size_t k = 0; k < 3; k++) {
    uint32_t a[200], b[200];
    int differs = 0;
    for (uint64_t seed = 1; seed < 40; seed++) {
      run_choices(kinds[k], seed, a, 200);
      run_choices(kinds[k], seed, b, 200);
      assert_memory_equal(a, b, sizeof a);
      run_choices(kinds[k], seed + 1000, b, 200);
      differs |= memcmp(a, b, sizeof a) != 0;
    }
    assert_true(differs);
  }
}

static void random_bias_keeps_zero_common(void** state) {
  (void)state;
  uint64_t zeros = 0, total = 0;
  uint32_t c[100];
  for (uint64_t seed = 0; seed < 500; seed++) {
    run_choices(SIM_STRAT_RANDOM, seed, c, 100);
    for (int i = 0; i < 100; i++) zeros += c[i] == 0, total++;
  }
  /* uniform alone would give about 36% zeros over n in 2..5 */
  assert_true(zeros * 100 / total > 55);
  assert_true(zeros * 100 / total < 95);
}

static void pct_change_points(void** state) {
  (void)state;
  /* depth 3: at most 2 non-zero answers per run */
  uint32_t c[50];
  for (uint64_t seed = 0; seed < 200; seed++) {
    run_choices(SIM_STRAT_PCT, seed, c, 50);
    int nz = 0;
    for (int i = 0; i < 50; i++) nz += c[i] != 0;
    assert_true(nz <= 2);
  }
}

static void choices_of(const sim_config* cfg, uint32_t* out, size_t n) {
  sim w;
  sim_init(&w, NULL);
  sim_reset(&w, cfg);
  for (size_t i = 0; i < n; i++)
    out[i] = sim_choose(&w, (sim_kind)(i % 5), 2 + (uint32_t)(i % 4), "x");
  sim_free(&w);
}

/* A spec (UVSIM_STRATEGY) carries a strategy's settings: parsed back they
 * are the same, and a child's run of it (sim_strategy_run_source) answers
 * exactly as an in-process run of that strategy and seed: `uvsim exec
 * --strategy` explores the schedules `uvsim run` would. */
static void spec_runs_as_in_process(void** state) {
  (void)state;
  sim_strategy_kind kinds[] = { SIM_STRAT_RANDOM, SIM_STRAT_PCT, SIM_STRAT_NODEFZ };
  for (size_t k = 0; k < 3; k++) {
    sim_strategy_params p, q;
    sim_strategy_defaults(&p);
    p.random_bias_max = 2, p.pct_k = 57, p.pct_depth = 4, p.nodefz_io_dof = 5, p.slow = 1;
    char spec[256], err[256];
    assert_int_equal(sim_strategy_spec_format(kinds[k], &p, spec, sizeof spec), 0);
    sim_strategy_kind back;
    assert_int_equal(sim_strategy_spec_parse(spec, &back, &q, err, sizeof err), 0);
    assert_int_equal(back, kinds[k]);
    assert_int_equal(q.slow, 1);
    if (kinds[k] == SIM_STRAT_PCT) assert_int_equal(q.pct_k, 57);
    for (uint64_t seed = 1; seed < 30; seed++) {
      uint32_t a[120], b[120];
      sim_strategy st;
      sim_config cfg;
      sim_strategy_init(&st, kinds[k], &p);
      sim_strategy_begin(&st, seed, 0, &cfg);
      choices_of(&cfg, a, 120);
      sim_strategy_free(&st);
      assert_int_equal(sim_strategy_run_source(spec, seed, NULL, 0, &cfg, err, sizeof err), 0);
      choices_of(&cfg, b, 120);
      assert_memory_equal(a, b, sizeof a);
    }
  }
  sim_strategy_kind kind;
  sim_strategy_params p;
  char err[256];
  assert_int_equal(sim_strategy_spec_parse("pct:bogus=1", &kind, &p, err, sizeof err), -1);
  assert_int_equal(sim_strategy_spec_parse("magic", &kind, &p, err, sizeof err), -1);
  assert_int_equal(sim_strategy_spec_parse("nodefz:nodefz-pool=4", &kind, &p, err, sizeof err), -1);
}

/* A dfs prefix in a replay line ("prefix=0.0.2.1") runs exactly those
 * choices; a mistyped one is refused rather than cut short (it was read
 * up to the first junk, so "0.1x.2" ran the prefix 0.1). */
static void dfs_prefix_strict(void** state) {
  (void)state;
  sim_strategy_kind kind;
  sim_strategy_params p;
  char err[256];
  const char* good[] = {"dfs:prefix=0", "dfs:prefix=0.0.2.1", "dfs:dfs-depth=8,prefix=255.3"};
  const char* bad[] = {"dfs:prefix=", "dfs:prefix=0.1x.2", "dfs:prefix=1..2", "dfs:prefix=3.",
                       "dfs:prefix=.3", "dfs:prefix=256", "dfs:prefix=0001", "dfs:prefix=-1"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    assert_int_equal(sim_strategy_spec_parse(good[i], &kind, &p, err, sizeof err), 0);
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    assert_int_equal(sim_strategy_spec_parse(bad[i], &kind, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "prefix="));
  }
  /* the prefix is run: its choices are the first decisions */
  sim_config cfg;
  memset(&cfg, 0, sizeof cfg);
  assert_int_equal(sim_strategy_run_source("dfs:prefix=1.0.2", 1, NULL, 0, &cfg, err, sizeof err), 0);
  uint32_t c[3];
  choices_of(&cfg, c, 3);
  assert_int_equal(c[0], 1);
  assert_int_equal(c[1], 0);
  assert_int_equal(c[2], 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(dfs_enumerates_tree),
    cmocka_unit_test(deterministic_per_seed),
    cmocka_unit_test(random_bias_keeps_zero_common),
    cmocka_unit_test(pct_change_points),
    cmocka_unit_test(spec_runs_as_in_process),
    cmocka_unit_test(dfs_prefix_strict),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
