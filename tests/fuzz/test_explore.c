/* tests/fuzz/test_explore.c — the test-suite API: uvsim_explore runs a body
 * under many schedules in process; a racy body fails with a minimised
 * UVSIM_REPLAY line that, set in the environment, reproduces the failure;
 * the fixed body passes every schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sim.h"
#include "uvsim/explore.h"
#include "uvsim/world.h"

/* Two "requests" complete in an order the pool decides; the racy cache
 * trusts the first completion to be the newest. */
static void cache_body(void* arg) {
  int fixed = *(int*)arg;
  sim* s = sim_current();
  int version = 0;
  for (int round = 0; round < 3; round++) {
    uint32_t first = sim_choose(s, SIM_POOL_FINISH, 2, "fetch v1|v2");
    int got[2] = { first == 0 ? 1 : 2, first == 0 ? 2 : 1 };
    for (int i = 0; i < 2; i++) {
      sim_trace_callback(s, got[i] == 1 ? "fetch v1 done" : "fetch v2 done");
      if (fixed) version = got[i] > version ? got[i] : version;
      else version = got[i];
    }
    UVSIM_CHECK(version == 2, "cache holds v%d after both fetches", version);
    version = 0;
  }
}

static void finds_and_replays(void** state) {
  (void)state;
  unsetenv("UVSIM_REPLAY");
  int fixed = 0;
  uvsim_explore_options o = { .runs = 200, .seed = 3 };
  assert_int_equal(uvsim_explore(cache_body, &fixed, &o), 1);
  assert_true(o.failed_schedule > 0);    /* schedule 0 is natural: passes */
  /* minimised: exactly one non-zero decision, at the end of the prefix */
  size_t len = strlen(o.replay);
  assert_true(len >= 1 && o.replay[len - 1] == '1');
  for (size_t i = 0; i + 1 < len; i++) assert_true(o.replay[i] == '0' || o.replay[i] == ',');
  setenv("UVSIM_REPLAY", o.replay, 1);
  uvsim_explore_options r = {0};
  assert_int_equal(uvsim_explore(cache_body, &fixed, &r), 1);
  assert_int_equal(r.runs_done, 1);
  setenv("UVSIM_REPLAY", "0,0,0", 1);
  assert_int_equal(uvsim_explore(cache_body, &fixed, &r), 0);
  setenv("UVSIM_REPLAY", "1,x", 1);
  assert_int_equal(uvsim_explore(cache_body, &fixed, &r), -1);
  unsetenv("UVSIM_REPLAY");
}

static void fixed_passes(void** state) {
  (void)state;
  int fixed = 1;
  const char* strategies[] = { "random", "pct", "nodefz", "dfs" };
  for (int i = 0; i < 4; i++) {
    uvsim_explore_options o = { .runs = 300, .strategy = strategies[i] };
    assert_int_equal(uvsim_explore(cache_body, &fixed, &o), 0);
    assert_true(o.runs_done >= 8);
  }
  uvsim_explore_options bad = { .strategy = "nope" };
  assert_int_equal(uvsim_explore(cache_body, &fixed, &bad), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(finds_and_replays),
    cmocka_unit_test(fixed_passes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
