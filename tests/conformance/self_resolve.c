#include "conf.h"
static uvsim_promise* q;
static uvsim_value ret_q(uvsim_value v, void* d) { (void)v; (void)d; return uvsim_promise_value(q); }
static uvsim_value ok(uvsim_value v, void* l) { (void)l; LOG("ok %s", show(v)); return uvsim_undefined(); }
void program(void) {
  uvsim_promise* p = uvsim_promise_new();
  uvsim_then(p, ok, log_value, "rejected");
  uvsim_promise_resolve(p, uvsim_promise_value(p));
  q = uvsim_then(uvsim_promise_from(uvsim_int(1)), ret_q, NULL, NULL);
  uvsim_catch(q, log_value, "q rejected");
}
