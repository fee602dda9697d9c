/* tests/sim/test_decide.c — the decision stream: determinism across seeds,
 * tape exhaustion, and replay of a recorded log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

/* A little synthetic "program": a fixed workload of decisions whose sizes
 * depend on earlier answers, plus callbacks and clock moves, so that the hash
 * depends on every answer. */
static void workload(sim* s) {
  static const char* labels[] = { "pool a", "pool b", "tcp#1 read", "timer t" };
  uint32_t carry = 0;
  for (int i = 0; i < 40; i++) {
    uint32_t n = 2 + (carry + (uint32_t)i) % 7;
    sim_kind k = (sim_kind)(i % SIM_EARLY_TIMER);
    carry = sim_choose(s, k, n, labels[i % 4]);
    sim_advance_to(s, sim_now(s) + 1000u * (carry + 1));
    sim_trace_callback(s, labels[(i + carry) % 4]);
  }
}

static uint64_t run_seed(sim* s, uint64_t seed) {
  sim_config cfg = { .source = SIM_SRC_SEED, .seed = seed };
  sim_reset(s, &cfg);
  workload(s);
  return sim_trace_hash(s);
}

static void same_seed_same_hash_10000_seeds(void** state) {
  (void)state;
  sim a, b;
  sim_init(&a, NULL);
  sim_init(&b, NULL);
  size_t distinct_first = 0;
  uint64_t prev = 0;
  for (uint64_t seed = 0; seed < 10000; seed++) {
    uint64_t ha = run_seed(&a, seed);
    uint64_t hb = run_seed(&b, seed);
    assert_int_equal(ha, hb);
    assert_int_equal(a.log_len, b.log_len);
    assert_memory_equal(a.log, b.log, a.log_len * sizeof a.log[0]);
    if (ha != prev) distinct_first++;
    prev = ha;
  }
  /* Different seeds must actually explore: nearly every hash differs. */
  assert_true(distinct_first > 9900);
  sim_free(&a);
  sim_free(&b);
}

static void choice_zero_is_natural_order(void** state) {
  (void)state;
  sim s;
  sim_config cfg = { .source = SIM_SRC_LIST };
  sim_init(&s, &cfg);
  workload(&s);
  for (size_t i = 0; i < s.log_len; i++) assert_int_equal(s.log[i].choice, 0);
  assert_int_equal(s.nonzero, 0);
  sim_free(&s);
}

static void single_option_is_not_a_decision(void** state) {
  (void)state;
  sim s;
  sim_init(&s, NULL);
  assert_int_equal(sim_choose(&s, SIM_POOL_FINISH, 1, "only"), 0);
  assert_int_equal(s.log_len, 0);
  sim_free(&s);
}

static void tape_is_read_then_exhausted_to_zero(void** state) {
  (void)state;
  const uint8_t tape[] = { 3, 7, 200, 0x10, 0x27, 0x00, 0x00 };
  sim s;
  sim_config cfg = { .source = SIM_SRC_TAPE, .tape = tape, .tape_len = 3 };
  sim_init(&s, &cfg);
  assert_int_equal(sim_choose(&s, SIM_IO_ORDER, 4, "x"), 3);
  assert_int_equal(sim_choose(&s, SIM_IO_ORDER, 4, "x"), 3);   /* 7 % 4 */
  assert_int_equal(sim_choose(&s, SIM_IO_ORDER, 10, "x"), 0);  /* 200 % 10 */
  for (int i = 0; i < 100; i++)
    assert_int_equal(sim_choose(&s, SIM_POOL_FINISH, 5, "x"), 0);
  assert_int_equal(s.log_len, 103);
  /* A wide decision (n > 256) takes up to four bytes, little-endian. */
  cfg.tape = tape + 3;
  cfg.tape_len = 4;
  sim_reset(&s, &cfg);
  assert_int_equal(sim_choose(&s, SIM_READ_SPLIT, 100000, "w"), 0x2710);
  assert_int_equal(sim_choose(&s, SIM_READ_SPLIT, 100000, "w"), 0);
  sim_free(&s);
}

static void replay_list_reproduces_seed_run(void** state) {
  (void)state;
  sim s, r;
  sim_init(&s, NULL);
  sim_init(&r, NULL);
  for (uint64_t seed = 1; seed < 500; seed++) {
    uint64_t h = run_seed(&s, seed);
    uint32_t* list = malloc(s.log_len * sizeof *list);
    for (size_t i = 0; i < s.log_len; i++) list[i] = s.log[i].choice;
    sim_config cfg = { .source = SIM_SRC_LIST, .list = list, .list_len = s.log_len };
    sim_reset(&r, &cfg);
    workload(&r);
    assert_int_equal(sim_trace_hash(&r), h);
    free(list);
  }
  sim_free(&s);
  sim_free(&r);
}

static uint32_t always_last(void* ctx, sim* s, sim_kind k, uint32_t n,
                            const char* label) {
  (void)s; (void)k; (void)label;
  (*(int*)ctx)++;
  return n - 1;
}

static void custom_chooser_and_budget(void** state) {
  (void)state;
  int calls = 0;
  sim s;
  sim_config cfg = { .source = SIM_SRC_CUSTOM, .chooser = always_last,
                     .chooser_ctx = &calls, .decisions_max = 10 };
  sim_init(&s, &cfg);
  for (int i = 0; i < 20; i++) sim_choose(&s, SIM_USER, 3, "u");
  assert_int_equal(calls, 10);
  assert_int_equal(s.log_len, 10);
  assert_true(s.budget_exceeded);
  sim_free(&s);
}

static void early_timer_needs_aggressive_mode(void** state) {
  (void)state;
  sim s;
  sim_config cfg = { .source = SIM_SRC_SEED, .seed = 9 };
  sim_init(&s, &cfg);
  for (int i = 0; i < 50; i++) assert_int_equal(sim_choose(&s, SIM_EARLY_TIMER, 4, "t"), 0);
  assert_int_equal(s.log_len, 0);
  cfg.aggressive = 1;
  sim_reset(&s, &cfg);
  int nonzero = 0;
  for (int i = 0; i < 50; i++) nonzero += sim_choose(&s, SIM_EARLY_TIMER, 4, "t") != 0;
  assert_true(nonzero > 0);
  sim_free(&s);
}

static void rng_is_uniform_enough(void** state) {
  (void)state;
  sim_rng rng;
  sim_rng_seed(&rng, 0);
  int counts[24] = { 0 };
  for (int i = 0; i < 240000; i++) counts[sim_rng_below(&rng, 24)]++;
  for (int i = 0; i < 24; i++) {
    assert_true(counts[i] > 9000);
    assert_true(counts[i] < 11000);
  }
}

static void hash_ignores_keep_trace_and_label_addresses(void** state) {
  (void)state;
  sim a, b;
  sim_config cfg = { .source = SIM_SRC_SEED, .seed = 77 };
  sim_init(&a, &cfg);
  cfg.keep_trace = 1;
  sim_init(&b, &cfg);
  char l1[] = "pool a", l2[] = "pool a";
  sim_choose(&a, SIM_POOL_FINISH, 3, l1);
  sim_choose(&b, SIM_POOL_FINISH, 3, l2);
  sim_trace_callback(&a, sim_intern(&a, "cb"));
  sim_trace_callback(&b, "cb");
  assert_int_equal(sim_trace_hash(&a), sim_trace_hash(&b));
  assert_int_equal(b.recs_len, 2);
  assert_int_equal(a.recs_len, 0);
  sim_free(&a);
  sim_free(&b);
}

static void first_failure_wins_and_is_hashed(void** state) {
  (void)state;
  sim s;
  sim_init(&s, NULL);
  uint64_t before = sim_trace_hash(&s);
  assert_false(sim_failed(&s));
  sim_fail(&s, SIM_BUG_INVARIANT, "withdraw b", "balance is %d, expected %d", 50, 0);
  sim_fail(&s, SIM_BUG_HANG, "loop", "later");
  assert_true(sim_failed(&s));
  assert_int_equal(s.failure.oracle, SIM_BUG_INVARIANT);
  assert_string_equal(s.failure.message, "balance is 50, expected 0");
  assert_string_equal(sim_oracle_name(s.failure.oracle), "invariant");
  assert_true(sim_trace_hash(&s) != before);
  sim_reset(&s, NULL);
  assert_false(sim_failed(&s));
  sim_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(same_seed_same_hash_10000_seeds),
    cmocka_unit_test(choice_zero_is_natural_order),
    cmocka_unit_test(single_option_is_not_a_decision),
    cmocka_unit_test(tape_is_read_then_exhausted_to_zero),
    cmocka_unit_test(replay_list_reproduces_seed_run),
    cmocka_unit_test(custom_chooser_and_budget),
    cmocka_unit_test(early_timer_needs_aggressive_mode),
    cmocka_unit_test(rng_is_uniform_enough),
    cmocka_unit_test(hash_ignores_keep_trace_and_label_addresses),
    cmocka_unit_test(first_failure_wins_and_is_hashed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
