#include "ticker.h"
static void th(void* self, uvsim_resolvers* r) { (void)self; uvsim_resolvers_resolve(r, uvsim_str("th")); }
void program(void) {
  uvsim_value a[3] = {uvsim_int(1), uvsim_promise_value(uvsim_promise_from(uvsim_int(2))),
                      uvsim_thenable_new(th, NULL)};
  uvsim_then(uvsim_promise_all(a, 3), log_value, NULL, "all");
  uvsim_value b[3] = {uvsim_promise_value(uvsim_promise_from(uvsim_int(1))),
                      uvsim_promise_value(uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "nope"))),
                      uvsim_promise_value(uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "second")))};
  uvsim_then(uvsim_promise_all(b, 3), log_value, log_value, "all ok/err");
  ticker_start();
}
