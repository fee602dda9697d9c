#include "conf.h"
static void m1(void* d) { (void)d; LOG("m1"); uvsim_throw(uvsim_error_new(NULL, NULL, "x")); }
void program(void) {
  uvsim_queue_microtask(m1, NULL);
  uvsim_queue_microtask(log_cb, "m2 never");
  uvsim_next_tick(log_cb, "t1");
  uvsim_set_timeout(log_cb, "timer never", 1);
}
