#include "conf.h"
static int n;
static uvsim_value tick(uvsim_value v, void* d);
static uvsim_value tick(uvsim_value v, void* d) {
  (void)v; (void)d;
  LOG("tick %d", ++n);
  if (n < 6)
    uvsim_then(uvsim_promise_from(uvsim_undefined()), tick, NULL, NULL);
  return uvsim_undefined();
}
void program(void) {
  uvsim_promise* p = uvsim_promise_new();
  uvsim_promise_resolve(p, uvsim_promise_value(uvsim_promise_from(uvsim_str("inner"))));
  uvsim_then(p, log_value, NULL, "adopted");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), tick, NULL, NULL);
}
