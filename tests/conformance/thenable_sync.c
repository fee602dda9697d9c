#include "conf.h"
static int n;
static uvsim_value tick(uvsim_value v, void* d) {
  (void)v; (void)d;
  LOG("tick %d", ++n);
  if (n < 5) uvsim_then(uvsim_promise_from(uvsim_undefined()), tick, NULL, NULL);
  return uvsim_undefined();
}
static void then_fn(void* self, uvsim_resolvers* r) {
  (void)self;
  LOG("then called");
  uvsim_resolvers_resolve(r, uvsim_str("from thenable"));
  uvsim_resolvers_resolve(r, uvsim_str("again"));
}
void program(void) {
  uvsim_then(uvsim_promise_from(uvsim_thenable_new(then_fn, NULL)), log_value, NULL, "adopted");
  uvsim_then(uvsim_promise_from(uvsim_undefined()), tick, NULL, NULL);
  LOG("sync end");
}
