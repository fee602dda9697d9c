#include "conf.h"
static void on_unc(uvsim_value e, void* d) { (void)d; LOG("uncaughtException %s", show(e)); }
static void t1(void* d) { (void)d; uvsim_throw(uvsim_error_new(NULL, NULL, "from tick")); }
void program(void) {
  uvsim_on_uncaught_exception(on_unc, NULL);
  uvsim_next_tick(t1, NULL);
  uvsim_next_tick(log_cb, "tick 2 still runs");
  uvsim_set_timeout(log_cb, "timer runs", 1);
}
