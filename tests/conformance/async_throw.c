#include "ticker.h"
static void inner(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  UVSIM_AWAIT(a, uvsim_null());
  UVSIM_ASYNC_THROW(a, uvsim_error_new(NULL, NULL, "inner failed"));
  UVSIM_ASYNC_END(a);
}
static uvsim_value call_inner(void) {
  return uvsim_promise_value(uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), inner));
}
static void outer(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  LOG("outer start");
  UVSIM_AWAIT(a, call_inner());
  LOG("not reached");
  UVSIM_ASYNC_END(a);
}
static void guarded(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  UVSIM_AWAIT_TRY(a, call_inner());
  if (UVSIM_AWAIT_REJECTED(a)) {
    LOG("guarded caught %s", show(UVSIM_AWAITED(a)));
    UVSIM_ASYNC_RETURN(a, uvsim_str("recovered"));
  }
  UVSIM_ASYNC_END(a);
}
void program(void) {
  uvsim_catch(uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), outer), log_value, "outer rejected");
  uvsim_then(uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), guarded), log_value, NULL, "guarded");
  ticker_start();
}
