#define TICKS 8
#include "ticker.h"
typedef struct { uvsim_async a; int64_t v; } frame;
static void leaf(uvsim_async* a) {
  frame* f = (frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  UVSIM_AWAIT(f, uvsim_null());
  LOG("leaf %lld", (long long)f->v);
  UVSIM_ASYNC_RETURN(f, uvsim_int(f->v * 2));
  UVSIM_ASYNC_END(f);
}
static uvsim_value call(uvsim_async_fn fn, int64_t v) {
  frame* f = uvsim_alloc(sizeof(*f));
  f->v = v;
  return uvsim_promise_value(uvsim_async_call(&f->a, fn));
}
static void mid(uvsim_async* a) {
  frame* f = (frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  UVSIM_AWAIT(f, call(leaf, f->v));
  LOG("mid got %s", show(UVSIM_AWAITED(f)));
  UVSIM_ASYNC_RETURN(f, uvsim_int(UVSIM_AWAITED(f).u.i + 1));
  UVSIM_ASYNC_END(f);
}
static void top(uvsim_async* a) {
  frame* f = (frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  UVSIM_AWAIT(f, call(mid, 5));
  LOG("top got %s", show(UVSIM_AWAITED(f)));
  UVSIM_ASYNC_END(f);
}
static uvsim_value done(uvsim_value v, void* d) { (void)v; (void)d; LOG("top done"); return uvsim_undefined(); }
void program(void) {
  uvsim_then(uvsim_promise_from(call(top, 0)), done, NULL, NULL);
  ticker_start();
}
