#include "conf.h"
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
static void on_io(void* d) {
  (void)d; LOG("io callback");
  uvsim_set_timeout(log_cb, "timeout 0", 0);
  uvsim_set_immediate(log_cb, "immediate (always first after I/O)");
  uvsim_next_tick(log_cb, "tick in io");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "then in io");
}
void program(void) { conf_io(on_io, NULL); }
