#include "conf.h"
static int k;
static uvsim_timer* t;
static uvsim_timer* c;
static void tf(void* d) { (void)d; LOG("t fired %d", ++k); }
static void again(void* d) { (void)d; LOG("refresh after fire"); uvsim_timer_refresh(t); }
static void refresh_c(void* d) { (void)d; LOG("refresh cleared"); uvsim_timer_refresh(c); }
void program(void) {
  t = uvsim_set_timeout(tf, NULL, 10);
  uvsim_set_timeout(again, NULL, 100);
  c = uvsim_set_timeout(log_cb, "cleared never", 10);
  uvsim_clear_timeout(c);
  uvsim_set_timeout(refresh_c, NULL, 30);
}
