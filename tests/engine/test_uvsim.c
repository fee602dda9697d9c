/* tests/engine/test_uvsim.c — the engine on libuvsim's virtual loop: the
 * setTimeout-vs-setImmediate decision changes the order, virtual time makes
 * an hour of timers instant, failures are oracles, and repeated in-process
 * runs (uvsim_world_begin) give the same trace hash. */
#include <uv.h>

#include "engine_test.h"
#include "uvsim/loop.h"

static void begin(const uint32_t* choices, size_t n) {
  sim_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.source = SIM_SRC_LIST;
  cfg.list = choices;
  cfg.list_len = n;
  uvsim_world_begin(&cfg);
  rec_buf[0] = '\0';
}

static int run_program(void (*program)(void)) {
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  assert_int_equal(uvsim_engine_init(&loop), 0);
  program();
  int rc = uvsim_engine_run(&loop);
  uvsim_engine_close(&loop);
  if (rc != 0) {
    /* the virtual loop runs nothing once the run failed: lift the failure
     * for one iteration to finish the closes, then put it back */
    sim_failure f = sim_current()->failure;
    sim_current()->failure.oracle = SIM_BUG_NONE;
    uv_run(&loop, UV_RUN_NOWAIT);
    sim_current()->failure = f;
  }
  assert_int_equal(uv_loop_close(&loop), 0);
  return rc;
}

static void race(void) {
  uvsim_set_timeout(rec_cb, "timeout", 0);
  uvsim_set_immediate(rec_cb, "immediate");
}

static void test_race_choice_changes_order(void** s) {
  (void)s;
  static const uint32_t zero[] = {0}, one[] = {1};
  begin(zero, 1);
  assert_int_equal(run_program(race), 0);
  assert_string_equal(rec_buf, "immediate timeout ");
  uint64_t h0 = sim_trace_hash(sim_current());
  begin(one, 1);
  assert_int_equal(run_program(race), 0);
  assert_string_equal(rec_buf, "timeout immediate ");
  assert_true(sim_trace_hash(sim_current()) != h0);
  begin(zero, 1); /* and back: same hash as the first run */
  assert_int_equal(run_program(race), 0);
  assert_int_equal(sim_trace_hash(sim_current()), h0);
}

static void hour(void) {
  uvsim_set_timeout(rec_cb, "hour", 3600.0 * 1000);
  uvsim_set_timeout(rec_cb, "second", 1000);
}

static void test_virtual_time(void** s) {
  (void)s;
  begin(NULL, 0);
  uint64_t t0 = sim_now(sim_current());
  assert_int_equal(run_program(hour), 0);
  assert_string_equal(rec_buf, "second hour ");
  assert_true(sim_now(sim_current()) - t0 >= 3600ull * 1000000000ull);
}

static void unhandled(void) {
  uvsim_set_timeout(rec_cb, "never", 5);
  uvsim_promise_rejected(uvsim_str("lost"));
}

static void test_unhandled_is_an_oracle(void** s) {
  (void)s;
  begin(NULL, 0);
  assert_int_equal(run_program(unhandled), 1);
  assert_int_equal(failure_oracle(), SIM_BUG_UNHANDLED_REJECTION);
  assert_string_equal(rec_buf, "");
}

static void spin(void* d) { uvsim_queue_microtask_l(spin, d, "spinner"); }
static void starve(void) {
  uvsim_set_timeout(rec_cb, "never", 1);
  uvsim_set_immediate(spin, NULL);
}

static void test_starvation_on_virtual_loop(void** s) {
  (void)s;
  begin(NULL, 0);
  assert_int_equal(run_program(starve), 1);
  assert_int_equal(failure_oracle(), SIM_BUG_STARVATION);
  assert_string_equal(sim_current()->failure.where, "spinner");
}

static uvsim_value add(uvsim_value v, void* d) { (void)d; return uvsim_int(v.u.i + 1); }
static void test_repeated_runs_same_hash(void** s) {
  (void)s;
  static const uint32_t none[] = {0};
  uint64_t first = 0;
  char out[256] = "";
  for (int r = 0; r < 200; r++) {
    begin(none, 0);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(uvsim_engine_init(&loop), 0);
    uvsim_promise* p = uvsim_delay(3, uvsim_int(0));
    for (int i = 0; i < 50; i++) p = uvsim_then(p, add, NULL, NULL);
    uvsim_then(p, rec_value, NULL, "sum");
    uvsim_timer_unref(uvsim_set_interval(rec_cb, "unref", 2));
    uvsim_clear_interval(uvsim_set_interval(rec_cb, "cleared", 2));
    assert_int_equal(uvsim_engine_run(&loop), 0);
    uvsim_engine_close(&loop);
    assert_int_equal(uv_loop_close(&loop), 0);
    if (r == 0) {
      first = sim_trace_hash(sim_current());
      snprintf(out, sizeof out, "%s", rec_buf);
    } else {
      assert_int_equal(sim_trace_hash(sim_current()), first);
      assert_string_equal(rec_buf, out);
    }
  }
  assert_string_equal(out, "unref sum=50 ");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_race_choice_changes_order),
    cmocka_unit_test(test_virtual_time),
    cmocka_unit_test(test_unhandled_is_an_oracle),
    cmocka_unit_test(test_starvation_on_virtual_loop),
    cmocka_unit_test(test_repeated_runs_same_hash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
