#include "conf.h"
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
static void outer(void* d) {
  (void)d; LOG("outer");
  uvsim_set_timeout(log_cb, "inner 0 (a later timers phase)", 0);
  uvsim_set_immediate(log_cb, "immediate from timer (check phase first)");
  uvsim_next_tick(log_cb, "tick from timer");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "then from timer");
}
void program(void) { uvsim_set_timeout(outer, NULL, 2); }
