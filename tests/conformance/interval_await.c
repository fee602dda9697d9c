#include "conf.h"
typedef struct { uvsim_async a; int me; uvsim_promise* p; } frame;
static int n;
static uvsim_timer* iv;
static void res(void* p) { uvsim_promise_resolve(p, uvsim_undefined()); }
static void body(uvsim_async* a) {
  frame* f = (frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  f->me = ++n;
  LOG("interval start %d", f->me);
  UVSIM_AWAIT(f, uvsim_null());
  LOG("interval after await %d", f->me);
  f->p = uvsim_promise_new();
  uvsim_set_immediate(res, f->p);
  UVSIM_AWAIT(f, uvsim_promise_value(f->p));
  LOG("interval after immediate %d", f->me);
  if (f->me == 3) uvsim_clear_interval(iv);
  UVSIM_ASYNC_END(f);
}
static void fire(void* d) { (void)d; uvsim_async_call(uvsim_alloc(sizeof(frame)), body); }
void program(void) { iv = uvsim_set_interval(fire, NULL, 10); }
