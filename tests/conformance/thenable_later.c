#include "conf.h"
static void resolve_now(void* r) { LOG("resolving"); uvsim_resolvers_resolve(r, uvsim_int(42)); }
static void then_fn(void* self, uvsim_resolvers* r) {
  (void)self; LOG("then called"); uvsim_set_timeout(resolve_now, r, 20);
}
void program(void) {
  uvsim_promise* p = uvsim_promise_new();
  uvsim_promise_resolve(p, uvsim_thenable_new(then_fn, NULL));
  uvsim_then(p, log_value, NULL, "value");
  uvsim_set_timeout(log_cb, "timer 1", 1);
}
