#include "conf.h"
void program(void) {
  uvsim_timer* t = uvsim_set_timeout(log_cb, "unrefed never fires", 500);
  uvsim_timer_unref(t);
  LOG("hasRef %s", uvsim_timer_has_ref(t) ? "true" : "false");
  uvsim_timer* u = uvsim_set_timeout(log_cb, "refed again fires", 20);
  uvsim_timer_unref(u); uvsim_timer_ref(u);
  uvsim_set_timeout(log_cb, "short", 5);
  uvsim_timer_unref(uvsim_set_interval(log_cb, "unrefed interval never", 1000));
}
