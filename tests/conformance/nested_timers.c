#include "conf.h"
static void outer(void* d) {
  (void)d; LOG("outer");
  uvsim_set_timeout(log_cb, "inner 0 (runs next round)", 0);
  uvsim_set_immediate(log_cb, "immediate from timer");
  uvsim_next_tick(log_cb, "tick from timer");
}
void program(void) {
  uvsim_set_timeout(outer, NULL, 2);
  uvsim_set_timeout(log_cb, "sibling 2", 2);
}
