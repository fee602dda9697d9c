/* test_store.c — asyncstore's own cmocka test, an ordinary program built
 * against the real libuv. Run directly it passes (the pool finishes the
 * saves in order); registered with uvsim_add_test it runs under
 * `uvsim exec`, where the buggy build fails on some schedule and the test's
 * output has the line that replays it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "asyncstore.h"

static int saved;

static void on_saved(as_store* s, int value, int status) {
  (void)s;
  (void)value;
  assert_int_equal(status, 0);
  saved++;
}

static void last_set_wins(void** state) {
  (void)state;
  uv_loop_t loop;
  assert_int_equal(uv_loop_init(&loop), 0);
  as_store s;
  as_store_init(&s, &loop);
  saved = 0;
  assert_int_equal(as_store_set(&s, 1, on_saved), 0);
  assert_int_equal(as_store_set(&s, 2, on_saved), 0);
  assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(saved, 2);
  assert_int_equal(as_store_get(&s), 2);
  assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = { cmocka_unit_test(last_set_wins) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
