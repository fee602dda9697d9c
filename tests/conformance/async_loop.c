#include "conf.h"
typedef struct { uvsim_async a; const char* name; double ms; int i; } worker_frame;
typedef struct { uvsim_promise* p; int v; } sleeper;
static void wake(void* d) { sleeper* s = d; uvsim_promise_resolve(s->p, uvsim_int(s->v)); }
static uvsim_value sleep_ms(double ms, int v) {
  sleeper* s = uvsim_alloc(sizeof(*s));
  s->p = uvsim_promise_new(); s->v = v;
  uvsim_set_timeout(wake, s, ms);
  return uvsim_promise_value(s->p);
}
static void worker(uvsim_async* a) {
  worker_frame* f = (worker_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  for (f->i = 0; f->i < 3; f->i++) {
    UVSIM_AWAIT(f, sleep_ms(f->ms, f->i));
    LOG("%s %s", f->name, show(UVSIM_AWAITED(f)));
  }
  UVSIM_ASYNC_RETURN(f, uvsim_strf("%s done", f->name));
  UVSIM_ASYNC_END(f);
}
static uvsim_value start(const char* name, double ms) {
  worker_frame* f = uvsim_alloc(sizeof(*f));
  f->name = name; f->ms = ms;
  return uvsim_promise_value(uvsim_async_call(&f->a, worker));
}
static uvsim_value join(uvsim_value v, void* d) {
  (void)d;
  LOG("all %s+%s", v.u.arr->items[0].u.s, v.u.arr->items[1].u.s);
  return uvsim_undefined();
}
void program(void) {
  uvsim_value items[2] = {start("a", 5), start("b", 200)};
  uvsim_then(uvsim_promise_all(items, 2), join, NULL, NULL);
}
