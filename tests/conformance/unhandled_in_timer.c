#include "conf.h"
static uvsim_value thrower(uvsim_value v, void* d) { (void)v; (void)d; return uvsim_throw(uvsim_error_new(NULL, NULL, "thrown in then")); }
static void t1(void* d) {
  (void)d; LOG("timer 1");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), thrower, NULL, NULL);
}
void program(void) {
  uvsim_set_timeout(t1, NULL, 1);
  uvsim_set_timeout(log_cb, "timer 2 same list, never", 1);
  uvsim_set_timeout(log_cb, "timer 3 later, never", 5);
}
