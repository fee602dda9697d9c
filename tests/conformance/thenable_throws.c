#include "conf.h"
static void bad_then(void* self, uvsim_resolvers* r) {
  (void)self; (void)r; uvsim_throw(uvsim_error_new(NULL, NULL, "then threw"));
}
static void late_then(void* self, uvsim_resolvers* r) {
  (void)self; uvsim_resolvers_resolve(r, uvsim_str("ok"));
  uvsim_throw(uvsim_error_new(NULL, NULL, "ignored"));
}
static uvsim_value ok(uvsim_value v, void* l) { LOG("%s ok %s", (char*)l, show(v)); return uvsim_undefined(); }
static uvsim_value err(uvsim_value v, void* l) { LOG("%s err %s", (char*)l, show(v)); return uvsim_undefined(); }
void program(void) {
  uvsim_then(uvsim_promise_from(uvsim_thenable_new(bad_then, NULL)), ok, err, "bad");
  uvsim_then(uvsim_promise_from(uvsim_thenable_new(late_then, NULL)), ok, err, "late");
}
