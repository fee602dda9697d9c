#include "ticker.h"
typedef struct { uvsim_promise* p; const char* v; int fail; } after_t;
static void fire(void* d) {
  after_t* a = d;
  if (a->fail) uvsim_promise_reject(a->p, uvsim_error_new(NULL, NULL, a->v));
  else uvsim_promise_resolve(a->p, uvsim_str(a->v));
}
static uvsim_value after(double ms, const char* v, int fail) {
  after_t* a = uvsim_alloc(sizeof(*a));
  a->p = uvsim_promise_new(); a->v = v; a->fail = fail;
  uvsim_set_timeout(fire, a, ms);
  return uvsim_promise_value(a->p);
}
static uvsim_value any_err(uvsim_value e, void* d) {
  (void)d; LOG("any err %s %s", show(e), show(uvsim_array_new(e.u.err->errors->items, e.u.err->errors->len)));
  return uvsim_undefined();
}
void program(void) {
  uvsim_value y = after(10, "y", 1);
  uvsim_value fast = after(30, "fast", 0);
  uvsim_value fails_first = after(30, "fails first", 1);
  uvsim_value a = after(30, "a", 1);
  uvsim_value b = after(50, "b", 0);
  uvsim_value c = after(70, "c", 0);
  uvsim_value slow = after(100, "slow", 0);
  uvsim_value ok = after(100, "ok", 0);
  uvsim_value r1[2] = {slow, fast};
  uvsim_then(uvsim_promise_race(r1, 2), log_value, NULL, "race");
  uvsim_value r2[2] = {uvsim_int(3), uvsim_promise_value(uvsim_promise_from(uvsim_int(4)))};
  uvsim_then(uvsim_promise_race(r2, 2), log_value, NULL, "race sync");
  uvsim_value r3[2] = {fails_first, ok};
  uvsim_catch(uvsim_promise_race(r3, 2), log_value, "race err");
  uvsim_value a1[3] = {a, b, c};
  uvsim_then(uvsim_promise_any(a1, 3), log_value, NULL, "any");
  uvsim_value a2[2] = {uvsim_promise_value(uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "x"))), y};
  uvsim_catch(uvsim_promise_any(a2, 2), any_err, NULL);
  ticker_start();
}
