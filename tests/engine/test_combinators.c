/* tests/engine/test_combinators.c — Promise.all / allSettled / race / any,
 * including empty inputs, out-of-order settlement, first-rejection and
 * AggregateError. */
#include "engine_test.h"

static uvsim_value pv(uvsim_promise* p) { return uvsim_promise_value(p); }

static void test_all_keeps_input_order(void** s) {
  (void)s;
  uvsim_promise* a = uvsim_promise_new();
  uvsim_promise* b = uvsim_promise_new();
  uvsim_value items[3] = {pv(a), uvsim_int(2), pv(b)};
  uvsim_promise* all = uvsim_promise_all(items, 3);
  uvsim_promise_resolve(b, uvsim_int(3));
  uvsim_checkpoint();
  assert_int_equal(uvsim_promise_state_of(all), UVSIM_PENDING);
  uvsim_promise_resolve(a, uvsim_int(1));
  uvsim_then(all, rec_value, NULL, "all");
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "all=[1,2,3] ");
}

static void test_all_rejects_with_first(void** s) {
  (void)s;
  uvsim_promise* a = uvsim_promise_new();
  uvsim_promise* b = uvsim_promise_new();
  uvsim_value items[2] = {pv(a), pv(b)};
  uvsim_promise* all = uvsim_promise_all(items, 2);
  uvsim_catch(all, rec_value, "err");
  uvsim_promise_reject(b, uvsim_str("b"));
  uvsim_promise_reject(a, uvsim_str("a"));
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "err=b ");
  assert_int_equal(failure_oracle(), SIM_BUG_NONE); /* inputs are handled */
}

static void test_empty_inputs(void** s) {
  (void)s;
  uvsim_promise* all = uvsim_promise_all(NULL, 0);
  uvsim_promise* settled = uvsim_promise_all_settled(NULL, 0);
  uvsim_promise* any = uvsim_promise_any(NULL, 0);
  uvsim_promise* race = uvsim_promise_race(NULL, 0);
  /* settled synchronously, as the spec's "remaining = 0" step does */
  assert_int_equal(uvsim_promise_state_of(all), UVSIM_FULFILLED);
  assert_int_equal(uvsim_promise_result(all).u.arr->len, 0);
  assert_int_equal(uvsim_promise_state_of(settled), UVSIM_FULFILLED);
  assert_int_equal(uvsim_promise_state_of(any), UVSIM_REJECTED);
  assert_string_equal(uvsim_promise_result(any).u.err->name, "AggregateError");
  uvsim_catch(any, rec_value, "any");
  uvsim_checkpoint();
  assert_int_equal(uvsim_promise_state_of(race), UVSIM_PENDING);
  assert_string_equal(rec_buf, "any=AggregateError: All promises were rejected ");
}

static void test_all_settled(void** s) {
  (void)s;
  uvsim_value items[2] = {uvsim_int(1),
                          pv(uvsim_promise_rejected(uvsim_str("x")))};
  uvsim_then(uvsim_promise_all_settled(items, 2), rec_value, NULL, "s");
  uvsim_checkpoint();
  assert_string_equal(rec_buf,
      "s=[{\"status\":\"fulfilled\",\"value\":1},"
      "{\"status\":\"rejected\",\"reason\":\"x\"}] ");
  assert_int_equal(failure_oracle(), SIM_BUG_NONE);
}

static void test_race_first_settlement_wins(void** s) {
  (void)s;
  uvsim_promise* a = uvsim_promise_new();
  uvsim_promise* b = uvsim_promise_new();
  uvsim_value items[2] = {pv(a), pv(b)};
  uvsim_promise* r = uvsim_promise_race(items, 2);
  uvsim_promise_reject(b, uvsim_str("b lost?"));
  uvsim_promise_resolve(a, uvsim_str("a"));
  uvsim_checkpoint();
  /* b settled first (its reaction job ran first) */
  assert_int_equal(uvsim_promise_state_of(r), UVSIM_REJECTED);
  assert_string_equal(uvsim_promise_result(r).u.s, "b lost?");
  uvsim_catch(r, rec_value, "r");
  uvsim_checkpoint();
}

static void test_any(void** s) {
  (void)s;
  uvsim_promise* a = uvsim_promise_new();
  uvsim_promise* b = uvsim_promise_new();
  uvsim_value items[2] = {pv(a), pv(b)};
  uvsim_promise* first = uvsim_promise_any(items, 2);
  uvsim_promise_reject(a, uvsim_str("ea"));
  uvsim_promise_resolve(b, uvsim_str("b"));
  uvsim_then(first, rec_value, NULL, "any");
  uvsim_checkpoint();
  assert_string_equal(rec_buf, "any=b ");

  uvsim_promise* c = uvsim_promise_new();
  uvsim_promise* d = uvsim_promise_new();
  uvsim_value items2[2] = {pv(c), pv(d)};
  uvsim_promise* none = uvsim_promise_any(items2, 2);
  uvsim_promise_reject(d, uvsim_str("ed"));
  uvsim_promise_reject(c, uvsim_str("ec"));
  uvsim_catch(none, rec_value, "agg");
  uvsim_checkpoint();
  uvsim_value e = uvsim_promise_result(none);
  assert_int_equal(e.type, UVSIM_T_ERROR);
  assert_string_equal(e.u.err->name, "AggregateError");
  assert_int_equal(e.u.err->errors->len, 2);
  /* errors in input order, not settlement order */
  assert_string_equal(e.u.err->errors->items[0].u.s, "ec");
  assert_string_equal(e.u.err->errors->items[1].u.s, "ed");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    T(test_all_keeps_input_order),
    T(test_all_rejects_with_first),
    T(test_empty_inputs),
    T(test_all_settled),
    T(test_race_first_settlement_wins),
    T(test_any),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
