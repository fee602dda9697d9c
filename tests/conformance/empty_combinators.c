#include "ticker.h"
static uvsim_value any_err(uvsim_value e, void* d) {
  (void)d; LOG("any %s %s", show(e), show(uvsim_array_new(e.u.err->errors->items, e.u.err->errors->len)));
  return uvsim_undefined();
}
void program(void) {
  uvsim_then(uvsim_promise_all(NULL, 0), log_value, NULL, "all");
  uvsim_then(uvsim_promise_all_settled(NULL, 0), log_value, NULL, "allSettled");
  uvsim_catch(uvsim_promise_any(NULL, 0), any_err, NULL);
  uvsim_then(uvsim_promise_race(NULL, 0), log_value, NULL, "race never");
  ticker_start();
}
