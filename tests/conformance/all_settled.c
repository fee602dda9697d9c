#include "ticker.h"
static void res_late(void* p) { uvsim_promise_resolve(p, uvsim_str("late")); }
static void th(void* self, uvsim_resolvers* r) { (void)self; uvsim_resolvers_reject(r, uvsim_str("thenable no")); }
void program(void) {
  uvsim_promise* later = uvsim_promise_new();
  uvsim_set_timeout(res_late, later, 2);
  uvsim_value a[4] = {uvsim_int(1), uvsim_promise_value(uvsim_promise_rejected(uvsim_error_new(NULL, NULL, "bad"))),
                      uvsim_promise_value(later), uvsim_thenable_new(th, NULL)};
  uvsim_then(uvsim_promise_all_settled(a, 4), log_value, NULL, "settled");
  ticker_start();
}
