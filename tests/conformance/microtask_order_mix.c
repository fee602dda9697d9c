#include "conf.h"
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
static uvsim_value q2(uvsim_value v, void* d) {
  (void)v; (void)d; LOG("q then 2"); uvsim_next_tick(log_cb, "tick from q then 2"); return uvsim_undefined();
}
void program(void) {
  uvsim_promise* p = uvsim_promise_new();
  uvsim_then(p, then_log, NULL, "p then 1");
  uvsim_promise* q = uvsim_promise_from(uvsim_undefined());
  uvsim_then(q, then_log, NULL, "q then 1");
  uvsim_promise_resolve(p, uvsim_undefined());
  uvsim_then(p, then_log, NULL, "p then 2");
  uvsim_then(q, q2, NULL, NULL);
  uvsim_queue_microtask(log_cb, "queueMicrotask");
  uvsim_then(uvsim_then(p, then_log, NULL, "p then 3"), then_log, NULL, "p then 3 chained");
}
