#include "conf.h"
static void nothing(void* d) { (void)d; }
static void body(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  uvsim_set_timeout(log_cb, "timeout 300", 300);
  UVSIM_AWAIT(a, uvsim_promise_value(uvsim_work_promise(conf_loop(), nothing, NULL, "stat")));
  LOG("after await io");
  uvsim_next_tick(log_cb, "tick after io");
  uvsim_set_immediate(log_cb, "immediate after io");
  uvsim_set_timeout(log_cb, "timeout 0 after io", 0);
  UVSIM_AWAIT(a, uvsim_null());
  LOG("after second await");
  UVSIM_ASYNC_END(a);
}
static uvsim_value done(uvsim_value v, void* d) { (void)v; (void)d; LOG("main done"); return uvsim_undefined(); }
void program(void) {
  uvsim_then(uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), body), done, NULL, NULL);
  LOG("sync end");
}
