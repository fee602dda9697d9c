#include <string.h>

#include "conf.h"
typedef struct { uvsim_async a; const char* name; double ms; uvsim_promise* p; } frame;
static void res(void* p) { uvsim_promise_resolve(p, uvsim_undefined()); }
static void tick_after(void* name) { LOG("tick after %s", (const char*)name); }
static void job(uvsim_async* a) {
  frame* f = (frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  LOG("start %s", f->name);
  f->p = uvsim_promise_new();
  uvsim_set_timeout(res, f->p, f->ms);
  UVSIM_AWAIT(f, uvsim_promise_value(f->p));
  uvsim_next_tick(tick_after, (void*)f->name);
  LOG("end %s", f->name);
  if (strcmp(f->name, "bad") == 0)
    UVSIM_ASYNC_THROW(f, uvsim_error_new(NULL, NULL, uvsim_strf("job %s failed", f->name).u.s));
  UVSIM_ASYNC_RETURN(f, uvsim_str(f->name));
  UVSIM_ASYNC_END(f);
}
static uvsim_value start(const char* name, double ms) {
  frame* f = uvsim_alloc(sizeof(*f));
  f->name = name; f->ms = ms;
  return uvsim_promise_value(uvsim_async_call(&f->a, job));
}
void program(void) {
  uvsim_value b[2] = {start("bad", 20), start("ok", 60)};
  uvsim_then(uvsim_promise_all_settled(b, 2), log_value, NULL, "settled");
  uvsim_value a[3] = {start("a", 70), start("b", 90), start("c", 110)};
  uvsim_then(uvsim_promise_all(a, 3), log_value, NULL, "all");
}
