#include "conf.h"
static void on_unc(uvsim_value e, void* d) { (void)d; LOG("uncaughtException %s", show(e)); }
static void i1(void* d) {
  (void)d; LOG("i1"); uvsim_next_tick(log_cb, "i1 tick");
  uvsim_throw(uvsim_error_new(NULL, NULL, "y"));
}
void program(void) {
  uvsim_on_uncaught_exception(on_unc, NULL);
  uvsim_set_immediate(i1, NULL);
  uvsim_set_immediate(log_cb, "i2");
  uvsim_set_immediate(log_cb, "i3");
}
