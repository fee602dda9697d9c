#include "conf.h"
static void failing(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  LOG("failing starts");
  UVSIM_AWAIT(a, uvsim_null());
  UVSIM_ASYNC_THROW(a, uvsim_error_new(NULL, NULL, "async failure nobody awaits"));
  UVSIM_ASYNC_END(a);
}
static uvsim_value then_log(uvsim_value v, void* msg) { (void)v; log_cb(msg); return uvsim_undefined(); }
void program(void) {
  uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), failing);
  uvsim_promise* p = uvsim_then(uvsim_promise_from(uvsim_undefined()), then_log, NULL, "microtask 1");
  p = uvsim_then(p, then_log, NULL, "microtask 2");
  uvsim_then(p, then_log, NULL, "microtask 3");
  uvsim_set_timeout(log_cb, "timer never", 0);
}
