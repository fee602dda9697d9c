#include "conf.h"
static void on_unc(uvsim_value e, void* d) { (void)d; LOG("uncaughtException %s", show(e)); }
static void m1(void* d) { (void)d; LOG("m1"); uvsim_throw(uvsim_error_new(NULL, NULL, "x")); }
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
void program(void) {
  uvsim_on_uncaught_exception(on_unc, NULL);
  uvsim_queue_microtask(m1, NULL);
  uvsim_queue_microtask(log_cb, "m2");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "p3");
  uvsim_set_timeout(log_cb, "timer", 1);
}
