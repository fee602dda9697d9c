#include "ticker.h"
static void then_fn(void* self, uvsim_resolvers* r) {
  (void)self; LOG("then called"); uvsim_resolvers_resolve(r, uvsim_str("thenable"));
}
static void f(uvsim_async* a) {
  UVSIM_ASYNC_BEGIN(a);
  UVSIM_AWAIT(a, uvsim_thenable_new(then_fn, NULL));
  LOG("f got %s", show(UVSIM_AWAITED(a)));
  UVSIM_ASYNC_END(a);
}
void program(void) {
  uvsim_async_call(uvsim_alloc(sizeof(uvsim_async)), f);
  ticker_start();
}
