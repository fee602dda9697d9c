#include "conf.h"
static void on_unh(uvsim_value r, uvsim_promise* pr, void* d) { (void)pr; (void)d; LOG("unhandled %s", show(r)); }
static uvsim_value fin(void* d) { (void)d; LOG("finally ran"); return uvsim_undefined(); }
void program(void) {
  uvsim_on_unhandled_rejection(on_unh, NULL);
  uvsim_promise* p = uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "root"));
  uvsim_catch(p, log_value, "root handled");
  uvsim_then(p, log_value, NULL, "never");
  uvsim_finally(uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "also")), fin, NULL);
}
