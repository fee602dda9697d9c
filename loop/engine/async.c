/* loop/engine/async.c — async functions as state machines (see the macros
 * in uvsim/engine.h). `await v` is V8's modern await: PromiseResolve(v)
 * (a native promise is used as is; anything else is wrapped, a thenable
 * through its NewPromiseResolveThenableJob) and PerformPromiseThen with
 * resume functions, so the body resumes in the reaction job one tick after
 * the awaited promise settles. The body's result goes through the async
 * function's promise resolving functions (returning a promise adopts it). */
#include "engine_int.h"

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

void uvsim__await(uvsim_async* f, uvsim_value v) {
  v.thrown = 0;
  uvs__promise_then_internal(uvsim_promise_from(v), await_ok, await_err, f);
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
