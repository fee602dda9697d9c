#include "conf.h"
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
void program(void) {
  LOG("main");
  uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "nobody catches this"));
  uvsim_next_tick(log_cb, "tick runs first");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "microtask runs first");
  uvsim_set_timeout(log_cb, "timer never runs", 0);
  uvsim_set_immediate(log_cb, "immediate never runs");
}
