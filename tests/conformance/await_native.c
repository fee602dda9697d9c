#include "ticker.h"
typedef struct { uvsim_async a; uvsim_promise* p; } frame;
static void res_later(void* p) { uvsim_promise_resolve(p, uvsim_str("later")); }
static void f(uvsim_async* a) {
  frame* fr = (frame*)a;
  UVSIM_ASYNC_BEGIN(fr);
  UVSIM_AWAIT(fr, uvsim_promise_value(uvsim_promise_from(uvsim_str("native"))));
  LOG("f got %s", show(UVSIM_AWAITED(fr)));
  fr->p = uvsim_promise_new();
  uvsim_set_timeout(res_later, fr->p, 2);
  UVSIM_AWAIT(fr, uvsim_promise_value(fr->p));
  LOG("f got %s", show(UVSIM_AWAITED(fr)));
  UVSIM_ASYNC_END(fr);
}
void program(void) {
  frame* fr = uvsim_alloc(sizeof(*fr));
  uvsim_async_call(&fr->a, f);
  ticker_start();
}
