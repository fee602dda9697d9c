#include "conf.h"
static void attach(void* p) { uvsim_catch(p, log_value, "caught in tick"); }
static uvsim_value attach_q(uvsim_value v, void* q) { (void)v; uvsim_catch(q, log_value, "caught in microtask"); return uvsim_undefined(); }
void program(void) {
  uvsim_promise* p = uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "late but in time"));
  uvsim_next_tick(attach, p);
  uvsim_promise* q = uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "in microtask"));
  uvsim_then(uvsim_promise_from(uvsim_undefined()), attach_q, NULL, q);
  uvsim_set_timeout(log_cb, "timer runs", 1);
}
