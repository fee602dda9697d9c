#include "conf.h"
static uvsim_timer* t;
static void refresh(void* d) { (void)d; LOG("refresh at 100"); uvsim_timer_refresh(t); }
void program(void) {
  uvsim_set_timeout(log_cb, "C at 500", 500);
  uvsim_set_timeout(log_cb, "B at 250", 250);
  uvsim_set_timeout(refresh, NULL, 100);
  t = uvsim_set_timeout(log_cb, "A refreshed: fires at 300", 200);
}
