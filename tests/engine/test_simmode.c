/* tests/engine/test_simmode.c — the engine compiled as it is in libuvsim
 * (no UVSIM_ENGINE_REAL_LIBUV), run on the system libuv with a stand-in for
 * the virtual loop's hook: checks what only that build does — it registers
 * its checkpoint with uvsim_set_after_callback, asks the decision stream
 * about setTimeout-vs-setImmediate from the main script, traces timer and
 * immediate callbacks, and reports failures through sim_fail only. */
#include <stdlib.h>
#include <uv.h>

#include "engine_test.h"

/* the virtual loop's registration point, recorded */
static void (*after_cb)(void);
void uvsim_set_after_callback(void (*fn)(void));
void uvsim_set_after_callback(void (*fn)(void)) { after_cb = fn; }
static void (*world_reset_cb)(void);
void uvsim_set_world_reset(void (*fn)(void));
void uvsim_set_world_reset(void (*fn)(void)) { world_reset_cb = fn; }

static void test_registers_checkpoint(void** s) {
  (void)s;
  uv_loop_t loop;
  uv_loop_init(&loop);
  after_cb = NULL;
  world_reset_cb = NULL;
  uvsim_engine_init(&loop);
  assert_non_null(after_cb);
  /* the world begin reaches the engine's reset through this hook only */
  assert_true(world_reset_cb == uvs__engine_reset);
  uvsim_next_tick(rec_cb, "tick");
  after_cb(); /* what the loop does after a raw callback */
  assert_string_equal(rec_buf, "tick ");
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
  uvs__engine_reset();
  assert_null(after_cb); /* reset unregisters */
  assert_true(world_reset_cb == uvs__engine_reset); /* but stays for the next run */
}

static void test_race_is_a_decision_and_traced(void** s) {
  (void)s;
  sim_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.source = SIM_SRC_LIST; /* empty list: every choice 0 */
  cfg.keep_trace = 1;
  sim_reset(sim_current(), &cfg);
  uv_loop_t loop;
  uv_loop_init(&loop);
  uvsim_engine_init(&loop);
  uvsim_set_timeout_l(rec_cb, "timeout", 0, "main timeout");
  uvsim_set_immediate_l(rec_cb, "immediate", "main immediate");
  assert_int_equal(uvsim_engine_run(&loop), 0);
  sim* w = sim_current();
  assert_int_equal(w->log_len, 1);
  assert_int_equal(w->log[0].kind, SIM_TIMEOUT_VS_IMMEDIATE);
  assert_int_equal(w->log[0].n, 2);
  assert_int_equal(w->log[0].choice, 0);
  /* both callbacks are in the trace (their order is the real clock's here) */
  char* buf = NULL;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  sim_trace_dump(w, f);
  fclose(f);
  assert_non_null(strstr(buf, "main timeout"));
  assert_non_null(strstr(buf, "main immediate"));
  free(buf);
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
}

/* Choice 1 = "a millisecond passed": the virtual clock jumps to the timer
 * list's expiry before the loop starts (on this real loop only the world's
 * clock can be checked). */
static void test_choice_one_advances_clock(void** s) {
  (void)s;
  static const uint32_t ones[] = {1};
  sim_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.source = SIM_SRC_LIST;
  cfg.list = ones;
  cfg.list_len = 1;
  sim_reset(sim_current(), &cfg);
  uv_loop_t loop;
  uv_loop_init(&loop);
  uvsim_engine_init(&loop);
  uint64_t due_ns = (uv_now(&loop) + 1) * 1000000ull; /* <= the expiry */
  uvsim_set_timeout(rec_cb, "t", 0);
  uvsim_set_immediate(rec_cb, "i");
  assert_int_equal(uvsim_engine_run(&loop), 0);
  assert_int_equal(sim_current()->log[0].choice, 1);
  assert_true(sim_now(sim_current()) >= due_ns);
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_no_decision_without_race(void** s) {
  (void)s;
  uv_loop_t loop;
  uv_loop_init(&loop);
  uvsim_engine_init(&loop);
  uvsim_set_timeout(rec_cb, "t", 5); /* not due within 1 ms */
  uvsim_set_immediate(rec_cb, "i");
  assert_int_equal(uvsim_engine_run(&loop), 0);
  assert_int_equal(sim_current()->log_len, 0);
  assert_string_equal(rec_buf, "i t ");
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
}

static void thrower(void* d) { (void)d; uvsim_throw(uvsim_int(1)); }

static void test_failure_stops_loop(void** s) {
  (void)s;
  uv_loop_t loop;
  uv_loop_init(&loop);
  uvsim_engine_init(&loop);
  uvsim_set_timeout_l(thrower, NULL, 1, "bad timer");
  uvsim_set_timeout(rec_cb, "after", 1000);
  assert_int_equal(uvsim_engine_run(&loop), 1); /* returned, did not wait 1 s */
  assert_int_equal(failure_oracle(), SIM_BUG_UNCAUGHT);
  assert_string_equal(sim_current()->failure.where, "bad timer");
  assert_string_equal(rec_buf, "");
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    T(test_registers_checkpoint),
    T(test_race_is_a_decision_and_traced),
    T(test_choice_one_advances_clock),
    T(test_no_decision_without_race),
    T(test_failure_stops_loop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
