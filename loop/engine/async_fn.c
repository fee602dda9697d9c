/* loop/engine/async_fn.c — async functions as state machines (see the macros
 * in uvsim/engine.h). `await v` is V8's modern await: PromiseResolve(v)
 * (a native promise is used as is; anything else is wrapped, a thenable
 * through its NewPromiseResolveThenableJob) and PerformPromiseThen with
 * resume functions, so the body resumes in the reaction job one tick after
 * the awaited promise settles. The body's result goes through the async
 * function's promise resolving functions (returning a promise adopts it). */
#include <string.h>

#include "loop/engine/engine_int.h"

static void resume(uvsim_async* f, uvsim_value v, int rejected) {
  assert(f->state != 0 && f->state != -1);
  f->value = v;
  f->rejected = rejected;
  f->fn(f);
}

static uvsim_value await_ok(uvsim_value v, void* data) {
  resume(data, v, 0);
  return uvsim_undefined();
}

static uvsim_value await_err(uvsim_value v, void* data) {
  resume(data, v, 1);
  return uvsim_undefined();
}

_Static_assert(sizeof(((uvsim_async*)0)->uvs__reaction_space) >=
                   sizeof(uvs__reaction),
               "uvsim_async must hold a reaction record");

/* The frame's own reaction record: a frame awaits one thing at a time and
 * its record's job has run before the body can await again. */
void uvsim__await(uvsim_async* f, uvsim_value v) {
  v.thrown = 0;
  uvs__reaction* r = (uvs__reaction*)(void*)f->uvs__reaction_space;
  memset(r, 0, sizeof(*r));
  r->on_ok = await_ok;
  r->on_err = await_err;
  r->data = f;
  if (v.type == UVSIM_T_PROMISE)
    uvs__promise_then_record(v.u.p, r);
  else if (v.type == UVSIM_T_THENABLE)
    uvs__promise_then_record(uvsim_promise_from(v), r);
  else
    uvs__reaction_fulfilled(r, v); /* a fresh fulfilled promise, unobservable */
}

void uvsim__async_settle(uvsim_async* f, uvsim_value v, int rejected) {
  assert(f->state != -1);
  f->state = -1;
  if (rejected)
    uvsim_promise_reject(f->promise, v);
  else
    uvsim_promise_resolve(f->promise, v);
}

uvsim_promise* uvsim_async_call(uvsim_async* f, uvsim_async_fn fn) {
  assert(f != NULL && fn != NULL);
  f->state = 0;
  f->rejected = 0;
  f->value = uvsim_undefined();
  f->fn = fn;
  f->promise = uvsim_promise_new();
  fn(f);
  return f->promise;
}
