#include "conf.h"
static int n;
static uvsim_value tick(uvsim_value v, void* d) {
  (void)v; (void)d;
  LOG("tick %d", ++n);
  if (n < 6) uvsim_then(uvsim_promise_from(uvsim_undefined()), tick, NULL, NULL);
  return uvsim_undefined();
}
static uvsim_value ret_promise(uvsim_value v, void* d) {
  (void)d; return uvsim_promise_value(uvsim_promise_from(uvsim_int(v.u.i + 1)));
}
static uvsim_value log_inc(uvsim_value v, void* d) {
  (void)d; LOG("from promise %s", show(v)); return uvsim_int(v.u.i + 1);
}
void program(void) {
  uvsim_promise* p = uvsim_then(uvsim_promise_from(uvsim_int(1)), ret_promise, NULL, NULL);
  p = uvsim_then(p, log_inc, NULL, NULL);
  uvsim_then(p, log_value, NULL, "plain");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), tick, NULL, NULL);
}
