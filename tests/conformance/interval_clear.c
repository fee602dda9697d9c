#include "conf.h"
static int n;
static uvsim_timer* iv;
static void after(void* d) { (void)d; LOG("tick after interval %d", n); }
static void tickf(void* d) {
  (void)d; n++;
  LOG("interval %d", n);
  uvsim_next_tick(after, NULL);
  if (n == 4) uvsim_clear_interval(iv);
}
void program(void) {
  iv = uvsim_set_interval(tickf, NULL, 10);
  uvsim_set_timeout(log_cb, "timeout 300 after all intervals", 300);
}
