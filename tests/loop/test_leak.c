/* tests/loop/test_leak.c — the leak oracle (uvsim_set_leak_check): off by
 * default, so uv_loop_close finding an open handle only answers UV_EBUSY;
 * on, the same close is a "leak" finding that names what was left (handles
 * never closed, requests in flight), while a loop whose handles were all
 * closed, or are closing, is not a leak. Each world begin sets the switch
 * back to UVSIM_LEAK_CHECK. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

static void begin(void) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;   /* every choice 0 */
  uvsim_world_begin(&cfg);
  uvsim_pool_set_inline(1);
}

static void noop_timer(uv_timer_t* t) { (void)t; }

static void test_off_by_default(void** state) {
  (void)state;
  begin();
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  uv_timer_t t;
  uv_timer_init(&loop, &t);
  uv_timer_start(&t, noop_timer, 1000, 0);
  assert_int_equal(uv_loop_close(&loop), UV_EBUSY);
  assert_false(uvsim_failed());
  uv_close((uv_handle_t*)&t, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_open_handle_is_a_leak(void** state) {
  (void)state;
  begin();
  uvsim_set_leak_check(1);
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  uv_timer_t t;
  uv_idle_t idle;
  uv_timer_init(&loop, &t);
  uv_timer_start(&t, noop_timer, 1000, 0);
  uv_idle_init(&loop, &idle);          /* never started: still never closed */
  assert_int_equal(uv_loop_close(&loop), UV_EBUSY);   /* as libuv answers */
  sim* s = sim_current();
  assert_int_equal(s->failure.oracle, SIM_BUG_LEAK);
  assert_string_equal(s->failure.where, "uv_loop_close");
  assert_non_null(strstr(s->failure.message, "2 handles never closed"));
  assert_non_null(strstr(s->failure.message, "1 idle"));
  assert_non_null(strstr(s->failure.message, "1 timer"));
  assert_string_equal(sim_oracle_name(s->failure.oracle), "leak");
  begin();   /* a failed run stops its loop: the next begin forgets it */
}

static void noop_work(uv_work_t* req) { (void)req; }
static void after_work(uv_work_t* req, int status) {
  (void)req;
  (void)status;
}

static void test_request_in_flight_is_a_leak(void** state) {
  (void)state;
  begin();
  uvsim_set_leak_check(1);
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  uv_work_t w;
  assert_int_equal(uv_queue_work(&loop, &w, noop_work, after_work), 0);
  assert_int_equal(uv_loop_close(&loop), UV_EBUSY);
  sim* s = sim_current();
  assert_int_equal(s->failure.oracle, SIM_BUG_LEAK);
  assert_non_null(strstr(s->failure.message, "0 handles never closed, 1 request in flight"));
  begin();
}

/* Closed, and closed-but-not-yet-called-back, handles are not leaks. */
static void test_closed_and_closing_are_not_leaks(void** state) {
  (void)state;
  begin();
  uvsim_set_leak_check(1);
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  uv_timer_t t;
  uv_timer_init(&loop, &t);
  uv_timer_start(&t, noop_timer, 1000, 0);
  uv_close((uv_handle_t*)&t, NULL);
  assert_int_equal(uv_loop_close(&loop), UV_EBUSY);   /* close_cb pending */
  assert_false(uvsim_failed());
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
  assert_false(uvsim_failed());
}

/* The switch lasts one run; the environment gives its default. */
static void test_reset_per_run_and_env(void** state) {
  (void)state;
  begin();
  uvsim_set_leak_check(1);
  begin();                              /* back to the default: off */
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  uv_timer_t t;
  uv_timer_init(&loop, &t);
  assert_int_equal(uv_loop_close(&loop), UV_EBUSY);
  assert_false(uvsim_failed());

  setenv("UVSIM_LEAK_CHECK", "1", 1);
  begin();                              /* a campaign with the variable */
  unsetenv("UVSIM_LEAK_CHECK");
  assert_int_equal(uv_loop_init(&loop), 0);
  uv_timer_init(&loop, &t);
  assert_int_equal(uv_loop_close(&loop), UV_EBUSY);
  assert_int_equal(sim_current()->failure.oracle, SIM_BUG_LEAK);
  begin();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_off_by_default),
    cmocka_unit_test(test_open_handle_is_a_leak),
    cmocka_unit_test(test_request_in_flight_is_a_leak),
    cmocka_unit_test(test_closed_and_closing_are_not_leaks),
    cmocka_unit_test(test_reset_per_run_and_env),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
