/* tests/sim/test_ordcov.c — the ordering coverage map (sim/sim_ordcov.h):
 * two orderings of the same callbacks fill different maps, the same tape
 * fills the same map whatever addresses its labels live at, a reset run
 * does not remember the run before, and an unattached map costs nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/sim_ordcov.h"

/* A little program: three pool jobs whose completion order is two
 * pool_finish decisions, then a timer. Labels are interned (arena
 * addresses differ between worlds) when `intern` is set. */
static void program(sim* s, int intern) {
  const char* jobs[3] = { "work:a", "work:b", "work:c" };
  const char* done[3];
  for (int i = 0; i < 3; i++) done[i] = intern ? sim_intern(s, jobs[i]) : jobs[i];
  int left[3] = { 0, 1, 2 };
  for (uint32_t n = 3; n > 0; n--) {
    uint32_t c = sim_choose(s, SIM_POOL_FINISH, n, "pool finish");
    sim_trace_callback(s, done[left[c]]);
    left[c] = left[n - 1];
  }
  sim_trace_callback(s, intern ? sim_intern(s, "timer:on_timer") : "timer:on_timer");
}

/* Runs the program on a tape in a fresh world; returns the map's digest. */
static uint64_t run_tape(const uint8_t* tape, size_t len, int intern) {
  sim s;
  sim_config cfg = { .source = SIM_SRC_TAPE, .tape = tape, .tape_len = len };
  sim_init(&s, &cfg);
  sim_ordcov_reset();
  program(&s, intern);
  sim_free(&s);
  return sim_ordcov_digest();
}

static void same_tape_same_map(void** state) {
  (void)state;
  sim_ordcov_attach(NULL, 0);
  const uint8_t tape[] = { 2, 1 };
  uint64_t a = run_tape(tape, sizeof tape, 0);
  size_t hits = sim_ordcov_count();
  uint64_t b = run_tape(tape, sizeof tape, 1);
  assert_int_equal(a, b);
  assert_int_equal(hits, sim_ordcov_count());
  /* 4 callback pairs, 2 decisions x 2 features: 8 features (collisions in
   * 8192 counters could only lower it). */
  assert_true(hits >= 7 && hits <= 8);
  sim_ordcov_detach();
}

static void two_orderings_two_maps(void** state) {
  (void)state;
  sim_ordcov_attach(NULL, 0);
  const uint8_t abc[] = { 0, 0 }, acb[] = { 0, 1 }, cab[] = { 2, 0 };
  uint64_t m1 = run_tape(abc, sizeof abc, 0);
  uint64_t m2 = run_tape(acb, sizeof acb, 0);
  uint64_t m3 = run_tape(cab, sizeof cab, 0);
  assert_true(m1 != m2);
  assert_true(m1 != m3);
  assert_true(m2 != m3);
  sim_ordcov_detach();
}

/* The callback pairs alone tell orders apart (no decision in sight), and a
 * pair is ordered: x a b x and x b a x touch the same unordered pairs. */
static void callback_pairs_are_ordered(void** state) {
  (void)state;
  sim_ordcov_attach(NULL, 0);
  const char* one[] = { "x", "a", "b", "x" };
  const char* two[] = { "x", "b", "a", "x" };
  for (int i = 0; i < 4; i++) sim_ordcov_callback(one[i]);
  uint64_t d1 = sim_ordcov_digest();
  sim_ordcov_reset();
  for (int i = 0; i < 4; i++) sim_ordcov_callback(two[i]);
  uint64_t d2 = sim_ordcov_digest();
  assert_true(d1 != d2);
  sim_ordcov_detach();
}

/* A run after a reset fills what a first run fills: the previous callback
 * of the run before does not leak into the next one's first pair. */
static void reset_forgets_the_run_before(void** state) {
  (void)state;
  sim_ordcov_attach(NULL, 0);
  const uint8_t t1[] = { 1, 1 }, t2[] = { 0, 0 };
  uint64_t fresh = run_tape(t2, sizeof t2, 0);
  run_tape(t1, sizeof t1, 0);
  uint64_t after = run_tape(t2, sizeof t2, 0);
  assert_int_equal(fresh, after);
  sim_ordcov_detach();
}

static void off_until_attached(void** state) {
  (void)state;
  assert_false(sim_ordcov_on());
  const uint8_t tape[] = { 2, 1 };
  run_tape(tape, sizeof tape, 0);
  assert_null(sim_ordcov_map());
  assert_int_equal(sim_ordcov_count(), 0);
  /* A caller's own map: used as given, power-of-two sized. */
  static uint8_t mine[64];
  memset(mine, 0xff, sizeof mine);
  sim_ordcov_attach(mine, sizeof mine);
  assert_int_equal(sim_ordcov_count(), 0);   /* attach zeroes it */
  run_tape(tape, sizeof tape, 0);
  assert_true(sim_ordcov_count() > 0);
  assert_ptr_equal(sim_ordcov_map(), mine);
  sim_ordcov_detach();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(same_tape_same_map),
    cmocka_unit_test(two_orderings_two_maps),
    cmocka_unit_test(callback_pairs_are_ordered),
    cmocka_unit_test(reset_forgets_the_run_before),
    cmocka_unit_test(off_until_attached),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
