#include "ticker.h"
static void f(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  LOG("f start");
  UVSIM_AWAIT(a, uvsim_int(7));
  LOG("f got %s", show(UVSIM_AWAITED(a)));
  UVSIM_AWAIT(a, uvsim_int(8));
  LOG("f got %s", show(UVSIM_AWAITED(a)));
  UVSIM_ASYNC_RETURN(a, uvsim_str("done"));
  UVSIM_ASYNC_END(a);
}
void program(void) {
  uvsim_async* a = uvsim_alloc(sizeof(*a));
  uvsim_then(uvsim_async_call(a, f), log_value, NULL, "f result");
  ticker_start();
  LOG("sync end");
}
