#include "ticker.h"
static uvsim_value f1(void* d) { (void)d; LOG("finally 1"); return uvsim_str("ignored"); }
static uvsim_value f2(void* d) { (void)d; LOG("finally 2"); return uvsim_undefined(); }
static uvsim_value f3(void* d) { (void)d; return uvsim_throw(uvsim_error_new(NULL, NULL, "finally threw")); }
static uvsim_value f4(void* d) {
  (void)d; return uvsim_promise_value(uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "finally rejected")));
}
static void res(void* p) { uvsim_promise_resolve(p, uvsim_undefined()); }
static uvsim_value f5(void* d) {
  (void)d; uvsim_promise* p = uvsim_promise_new(); uvsim_set_timeout(res, p, 3);
  return uvsim_promise_value(p);
}
void program(void) {
  uvsim_then(uvsim_finally(uvsim_promise_from(uvsim_str("v")), f1, NULL), log_value, NULL, "after finally");
  uvsim_catch(uvsim_finally(uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "r")), f2, NULL), log_value, "still rejected");
  uvsim_catch(uvsim_finally(uvsim_promise_from(uvsim_str("w")), f3, NULL), log_value, "replaced");
  uvsim_catch(uvsim_finally(uvsim_promise_from(uvsim_str("x")), f4, NULL), log_value, "replaced");
  uvsim_then(uvsim_finally(uvsim_promise_from(uvsim_str("y")), f5, NULL), log_value, NULL, "delayed");
  ticker_start();
}
