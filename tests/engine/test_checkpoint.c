/* tests/engine/test_checkpoint.c — Node's checkpoint: tick/microtask order,
 * re-entrancy, starvation detection, uncaught exceptions, unhandled
 * rejections in each mode and rejectionHandled; and the timers/immediates
 * on a real loop, which must close cleanly. */
#include <uv.h>

#include "engine_test.h"

static void tick_then_micro(void* d) {
  (void)d;
  rec("T1");
  uvsim_queue_microtask(rec_cb, "M2");
  uvsim_next_tick(rec_cb, "T2");
  uvsim_checkpoint(); /* nested: must be a no-op */
}

static void test_order_and_reentrancy(void** s) {
  (void)s;
  uvsim_queue_microtask(rec_cb, "M1");
  uvsim_next_tick(tick_then_micro, NULL);
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "T1 T2 M1 M2 ");
}

static int spins;
static void spin_micro(void* d) { (void)d; spins++; uvsim_queue_microtask_l(spin_micro, NULL, "spin"); }
static void spin_tick(void* d) { (void)d; spins++; uvsim_next_tick_l(spin_tick, NULL, "tickspin"); }

static void test_microtask_starvation(void** s) {
  (void)s;
  spins = 0;
  uvsim_queue_microtask_l(spin_micro, NULL, "spin");
  uvsim_checkpoint(); /* returns instead of hanging */
  assert_int_equal(failure_oracle(), SIM_BUG_STARVATION);
  assert_string_equal(sim_current()->failure.where, "spin");
  assert_int_equal(spins, UVSIM_CHECKPOINT_JOBS_MAX);
  assert_true(uvsim_engine_failed());
}

static void test_tick_starvation(void** s) {
  (void)s;
  spins = 0;
  uvsim_next_tick_l(spin_tick, NULL, "tickspin");
  uvsim_checkpoint();
  assert_int_equal(failure_oracle(), SIM_BUG_STARVATION);
  assert_string_equal(sim_current()->failure.where, "tickspin");
}

static void throwing_tick(void* d) { (void)d; uvsim_throw(uvsim_str("x")); }

static void test_uncaught_in_tick(void** s) {
  (void)s;
  uvsim_next_tick_l(throwing_tick, NULL, "bad tick");
  uvsim_next_tick(rec_cb, "never");
  uvsim_checkpoint();
  assert_int_equal(failure_oracle(), SIM_BUG_UNCAUGHT);
  assert_string_equal(sim_current()->failure.where, "bad tick");
  assert_string_equal(rec_buf, "");
}

static void test_unhandled_rejection_fails(void** s) {
  (void)s;
  uvsim_promise_rejected(uvsim_str("nobody"));
  uvsim_next_tick(rec_cb, "tick");
  assert_int_equal(failure_oracle(), SIM_BUG_NONE); /* not at reject time */
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "tick ");               /* queues drain first */
  assert_int_equal(failure_oracle(), SIM_BUG_UNHANDLED_REJECTION);
  assert_non_null(strstr(sim_current()->failure.message, "nobody"));
}

static void attach(void* p) { uvsim_catch(p, rec_value, "caught"); }

static void test_handled_in_tick_is_fine(void** s) {
  (void)s;
  uvsim_promise* p = uvsim_promise_rejected(uvsim_str("late"));
  uvsim_next_tick(attach, p);
  uvsim_checkpoint();
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
  assert_string_equal(rec_buf, "caught=late ");
}

static void on_unhandled(uvsim_value r, uvsim_promise* p, void* d) {
  (void)p; (void)d;
  char b[64];
  rec("unhandled:%s", uvsim_value_fmt(r, b, sizeof b));
}
static void on_handled(uvsim_promise* p, void* d) {
  (void)d;
  rec("handled:%d", (int)uvsim_promise_id(p));
}

static void test_rejection_handled_later(void** s) {
  (void)s;
  uvsim_on_unhandled_rejection(on_unhandled, NULL);
  uvsim_on_rejection_handled(on_handled, NULL);
  uvsim_promise* p = uvsim_promise_rejected(uvsim_str("r"));
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "unhandled:r ");
  assert_int_equal(failure_oracle(), SIM_BUG_NONE); /* listener handled it */
  uvsim_catch(p, rec_value, "caught"); /* "a later macrotask" */
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "unhandled:r caught=r handled:1 ");
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "unhandled:r caught=r handled:1 "); /* once */
}

static void test_modes(void** s) {
  (void)s;
  uvsim_set_rejection_mode(UVSIM_REJECTIONS_WARN);
  uvsim_promise_rejected(uvsim_str("w"));
  uvsim_checkpoint();
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
  uvsim_set_rejection_mode(UVSIM_REJECTIONS_NONE);
  uvsim_promise_rejected(uvsim_str("n"));
  uvsim_checkpoint();
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
  /* strict fails even with a listener */
  uvsim_set_rejection_mode(UVSIM_REJECTIONS_STRICT);
  uvsim_on_unhandled_rejection(on_unhandled, NULL);
  uvsim_promise_rejected(uvsim_str("s"));
  uvsim_checkpoint();
  assert_int_equal(failure_oracle(), SIM_BUG_UNHANDLED_REJECTION);
}

static void test_throw_mode_listener_handles(void** s) {
  (void)s;
  uvsim_on_unhandled_rejection(on_unhandled, NULL);
  uvsim_promise_rejected(uvsim_int(1));
  uvsim_checkpoint();
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
  assert_string_equal(rec_buf, "unhandled:1 ");
}

/* ----------------------------------------------------- on a real loop */

static uvsim_timer* iv;
static int iv_count;
static void iv_cb(void* d) {
  (void)d;
  rec("iv%d", ++iv_count);
  if (iv_count == 3) uvsim_clear_interval(iv);
}
static void imm(void* d) { rec("%s", (const char*)d); uvsim_next_tick(rec_cb, "imm-tick"); }

static void test_loop_timers_and_close(void** s) {
  (void)s;
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  assert_int_equal(uvsim_engine_init(&loop), 0);
  iv_count = 0;
  iv = uvsim_set_interval(iv_cb, NULL, 5);
  uvsim_set_timeout(rec_cb, "t100", 100);
  uvsim_timer_unref(uvsim_set_timeout(rec_cb, "unrefed", 10000));
  uvsim_set_immediate(imm, "imm");
  uvsim_clear_immediate(uvsim_set_immediate(rec_cb, "cleared"));
  assert_int_equal(uvsim_engine_run(&loop), 0);
  assert_string_equal(rec_buf, "imm imm-tick iv1 iv2 iv3 t100 ");
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
}

/* Node 20, measured: with an 'uncaughtException' listener, a timer that
 * throws unwinds listOnTimeout; node re-enters it and the next timer of the
 * same list runs before the thrower's ticks (no checkpoint between them).
 * Node prints: t1 unc t2 t1-tick t3 (a JS twin would race on ms
 * boundaries between its setTimeout calls, so this lives here). */
static void on_unc(uvsim_value e, void* d) { (void)e; (void)d; rec("unc"); }
static void throwing_timer(void* d) {
  (void)d;
  rec("t1");
  uvsim_next_tick(rec_cb, "t1-tick");
  uvsim_throw(uvsim_str("x"));
}

static void test_timer_throw_with_listener(void** s) {
  (void)s;
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  assert_int_equal(uvsim_engine_init(&loop), 0);
  uvsim_on_uncaught_exception(on_unc, NULL);
  uvsim_set_timeout(throwing_timer, NULL, 1);
  uvsim_set_timeout(rec_cb, "t2", 1);
  uvsim_set_timeout(rec_cb, "t3", 1);
  assert_int_equal(uvsim_engine_run(&loop), 0);
  assert_string_equal(rec_buf, "t1 unc t2 t1-tick t3 ");
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
}

static void pool_job(void* d) { *(int*)d = 42; } /* on a pool thread */

static void test_delay_and_work_promise(void** s) {
  (void)s;
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  assert_int_equal(uvsim_engine_init(&loop), 0);
  static int cell;
  cell = 0;
  uvsim_then(uvsim_delay(100, uvsim_str("slept")), rec_value, NULL, "delay");
  uvsim_promise* w = uvsim_work_promise(&loop, pool_job, &cell, "job");
  uvsim_then(w, rec_value, NULL, "work");
  assert_int_equal(uvsim_engine_run(&loop), 0);
  assert_int_equal(cell, 42);
  assert_int_equal(uvsim_promise_state_of(w), UVSIM_FULFILLED);
  assert_ptr_equal(uvsim_promise_result(w).u.ptr, &cell);
  assert_string_equal(rec_buf, "work={} delay=slept ");
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    T(test_order_and_reentrancy),
    T(test_microtask_starvation),
    T(test_tick_starvation),
    T(test_uncaught_in_tick),
    T(test_unhandled_rejection_fails),
    T(test_handled_in_tick_is_fine),
    T(test_rejection_handled_later),
    T(test_modes),
    T(test_throw_mode_listener_handles),
    T(test_loop_timers_and_close),
    T(test_timer_throw_with_listener),
    T(test_delay_and_work_promise),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
