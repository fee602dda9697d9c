/* test_store_explore.c — the same check under many schedules inside one
 * process: uvsim_explore() (<uvsim/explore.h>), linked with libuvsim
 * instead of libuv. The correct store passes 500 schedules; the buggy one
 * (EXPECT_BUG) must fail on one, and replay from the list printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "asyncstore.h"
#include <uvsim.h>

static void body(void* arg) {
  (void)arg;
  uv_loop_t* loop = uv_default_loop();
  as_store s;
  as_store_init(&s, loop);
  as_store_set(&s, 1, NULL);
  as_store_set(&s, 2, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  UVSIM_CHECK(as_store_get(&s) == 2, "the store ends on %d, not the last value set (2)",
              as_store_get(&s));
}

static void explore_last_set_wins(void** state) {
  (void)state;
  uvsim_explore_options o = { .runs = 500, .seed = 1 };
  int rc = uvsim_explore(body, NULL, &o);
#ifdef EXPECT_BUG
  assert_int_equal(rc, 1);
  assert_true(o.failed_schedule > 0);     /* the natural order passes */
  printf("found: schedule %u, replay: UVSIM_REPLAY='%s'\n", o.failed_schedule, o.replay);
#else
  assert_int_equal(rc, 0);
  assert_int_equal(o.runs_done, 500);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = { cmocka_unit_test(explore_last_set_wins) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
