#include "ticker.h"
static uvsim_value skipped(uvsim_value v, void* d) { (void)v; log_cb(d); return uvsim_undefined(); }
static uvsim_value twice(uvsim_value e, void* d) { (void)d; LOG("caught twice %s", show(e)); return uvsim_str("fixed"); }
void program(void) {
  uvsim_promise* p = uvsim_then(uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "e1")), skipped, NULL, "skipped");
  p = uvsim_catch(p, log_rethrow, "caught once");
  p = uvsim_then(p, skipped, twice, "skipped 2");
  uvsim_then(p, log_value, NULL, "value");
  uvsim_then(uvsim_then(uvsim_promise_from(uvsim_int(5)), NULL, skipped, "no"), log_value, NULL, "passed");
  ticker_start();
}
