#include "conf.h"
static void ex_r(uvsim_promise* p, void* d) { (void)p; (void)d; uvsim_throw(uvsim_error_new(NULL, NULL, "executor threw")); }
static void ex_s(uvsim_promise* p, void* d) {
  (void)d; uvsim_promise_resolve(p, uvsim_str("before throw"));
  uvsim_throw(uvsim_error_new(NULL, NULL, "ignored"));
}
void program(void) {
  uvsim_promise* p = uvsim_promise_new();
  uvsim_promise_resolve(p, uvsim_str("first"));
  uvsim_promise_reject(p, uvsim_error_new(NULL, NULL, "x"));
  uvsim_promise_resolve(p, uvsim_str("second"));
  uvsim_then(p, log_value, NULL, "p");
  uvsim_promise* q = uvsim_promise_new();
  uvsim_promise_reject(q, uvsim_error_new(NULL, NULL, "boom"));
  uvsim_promise_resolve(q, uvsim_str("late"));
  uvsim_then(q, NULL, log_value, "q err");
  uvsim_catch(uvsim_promise_exec(ex_r, NULL), log_value, "r err");
  uvsim_then(uvsim_promise_exec(ex_s, NULL), log_value, NULL, "s");
}
