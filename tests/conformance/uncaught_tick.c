#include "conf.h"
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
static void t1(void* d) { (void)d; LOG("tick 1"); uvsim_throw(uvsim_error_new(NULL, NULL, "boom in tick")); }
void program(void) {
  uvsim_next_tick(t1, NULL);
  uvsim_next_tick(log_cb, "tick 2 never");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "microtask never");
  LOG("main end");
}
