#include "conf.h"
static uvsim_value then_log(uvsim_value v, void* msg) {
  (void)v; log_cb(msg); return uvsim_undefined();
}
void program(void) {
  LOG("main start");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "then 1");
  uvsim_queue_microtask(log_cb, "microtask 1");
  uvsim_next_tick(log_cb, "tick 1");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "then 2");
  uvsim_next_tick(log_cb, "tick 2");
  LOG("main end");
}
