#include "conf.h"
static uvsim_timer* t;
static void refresh(void* d) { (void)d; LOG("refresh at 20"); uvsim_timer_refresh(t); }
void program(void) {
  t = uvsim_set_timeout(log_cb, "A refreshed: fires at 60", 40);
  uvsim_set_timeout(refresh, NULL, 20);
  uvsim_set_timeout(log_cb, "B at 50", 50);
  uvsim_set_timeout(log_cb, "C at 90", 90);
}
