/* tests/engine/test_campaign.c — many in-process runs, as campaigns do:
 * each run gives the same result after uvs__engine_reset(), and the
 * engine's storage stays bounded (arena blocks and queues are reused, not
 * grown per run). White-box: reads the engine's internal state. */
#include <uv.h>

#include "engine_test.h"
#include "loop/engine/engine_int.h"

#define RUNS 500

static uvsim_value add(uvsim_value v, void* d) { (void)d; return uvsim_int(v.u.i + 1); }
static void imm(void* d) { (void)d; rec("imm"); }

static void one_run(char* out, size_t len) {
  uv_loop_t loop;
  rec_buf[0] = '\0';
  assert_int_equal(uv_loop_init(&loop), 0);
  assert_int_equal(uvsim_engine_init(&loop), 0);
  uvsim_promise* p = uvsim_promise_from(uvsim_int(0));
  for (int i = 0; i < 200; i++) p = uvsim_then(p, add, NULL, NULL);
  uvsim_then(p, rec_value, NULL, "sum");
  uvsim_next_tick(rec_cb, "tick");
  uvsim_set_immediate(imm, NULL);
  uvsim_catch(uvsim_promise_rejected(uvsim_str("handled")), rec_value, "c");
  assert_int_equal(uvsim_engine_run(&loop), 0);
  uvsim_engine_close(&loop);
  assert_int_equal(uv_loop_close(&loop), 0);
  uvs__engine_reset();
  snprintf(out, len, "%s", rec_buf);
}

static void test_runs_repeat_and_storage_is_bounded(void** s) {
  (void)s;
  char first[256], again[256];
  one_run(first, sizeof first);
  assert_string_equal(first, "tick c=handled sum=200 imm ");
  size_t spare_after_first = uvs__eng.arena.nspare;
  size_t ticks_cap = uvs__eng.ticks.cap, micro_cap = uvs__eng.micro.cap;
  for (int i = 0; i < RUNS; i++) {
    one_run(again, sizeof again);
    assert_string_equal(again, first);
  }
  assert_int_equal(uvs__eng.arena.nspare, spare_after_first);
  assert_int_equal(uvs__eng.ticks.cap, ticks_cap);
  assert_int_equal(uvs__eng.micro.cap, micro_cap);
  assert_null(uvs__eng.arena.head); /* everything handed back */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    T(test_runs_repeat_and_storage_is_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
