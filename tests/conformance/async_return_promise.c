#include "ticker.h"
static void direct(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  UVSIM_ASYNC_RETURN(a, uvsim_promise_value(uvsim_promise_from(uvsim_str("direct"))));
  UVSIM_ASYNC_END(a);
}
static void awaited(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  UVSIM_AWAIT(a, uvsim_promise_value(uvsim_promise_from(uvsim_str("awaited"))));
  UVSIM_ASYNC_RETURN(a, UVSIM_AWAITED(a));
  UVSIM_ASYNC_END(a);
}
static void plain(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  UVSIM_ASYNC_RETURN(a, uvsim_str("plain"));
  UVSIM_ASYNC_END(a);
}
void program(void) {
  uvsim_then(uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), direct), log_value, NULL, "result");
  uvsim_then(uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), awaited), log_value, NULL, "result");
  uvsim_then(uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), plain), log_value, NULL, "result");
  ticker_start();
}
