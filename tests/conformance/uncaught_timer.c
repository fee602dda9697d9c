#include "conf.h"
static void t1(void* d) {
  (void)d; LOG("timer 1"); uvsim_next_tick(log_cb, "tick never");
  uvsim_throw(uvsim_error_new(NULL, NULL, "boom in timer"));
}
void program(void) {
  uvsim_set_timeout(log_cb, "timer 0", 1);
  uvsim_set_timeout(t1, NULL, 1);
  uvsim_set_timeout(log_cb, "timer 2 never", 1);
}
