#include "conf.h"
static uvsim_promise* p;
static void on_unh(uvsim_value r, uvsim_promise* pr, void* d) { (void)pr; (void)d; LOG("unhandledRejection %s", show(r)); }
static void on_handled(uvsim_promise* pr, void* d) { (void)pr; (void)d; LOG("rejectionHandled"); }
static void attach(void* d) {
  (void)d; LOG("timer attaches");
  uvsim_catch(p, log_value, "caught");
  uvsim_next_tick(log_cb, "tick after attach");
}
void program(void) {
  uvsim_on_unhandled_rejection(on_unh, NULL);
  uvsim_on_rejection_handled(on_handled, NULL);
  p = uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "first"));
  uvsim_promise_rejected(uvsim_int(42));
  uvsim_next_tick(log_cb, "tick before report");
  uvsim_set_timeout(attach, NULL, 2);
}
