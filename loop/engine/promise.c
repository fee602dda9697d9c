/* loop/engine/promise.c — promises with ECMAScript semantics as V8 runs
 * them: the resolving functions (first call wins; self-resolution is a
 * TypeError; a promise or thenable is adopted through a
 * NewPromiseResolveThenableJob, which then calls its `then` — so adoption
 * costs two jobs for a native promise, with no fast path, as in V8),
 * PerformPromiseThen, reaction jobs, finally, and the host rejection
 * tracker hooks (Node's kPromiseRejectWithNoHandler and
 * kPromiseHandlerAddedAfterReject). */
#include <string.h>

#include "loop/engine/engine_int.h"

static void trigger_reactions(uvsim_promise* p);

static uvsim_promise* promise_alloc(void) {
  uvsim_promise* p = uvsim_alloc(sizeof(*p));
  p->id = ++uvs__eng.next_promise_id;
  return p;
}

uvsim_promise* uvsim_promise_new(void) { return promise_alloc(); }

uvsim_promise_state uvsim_promise_state_of(const uvsim_promise* p) {
  return (uvsim_promise_state)p->state;
}

uvsim_value uvsim_promise_result(const uvsim_promise* p) { return p->result; }

uint64_t uvsim_promise_id(const uvsim_promise* p) { return p->id; }

/* ------------------------------------------------------ rejection tracker */

static void track_reject_unhandled(uvsim_promise* p) {
  assert(p->unhandled == UVS__UNH_NONE);
  p->unhandled = UVS__UNH_MAYBE;
  p->uid = ++uvs__eng.last_rejection_uid;
  uvs__eng.maybe_unhandled++;
  uvs__plist_push(&uvs__eng.pending_unhandled, p);
  uvs__eng.has_rejection_to_warn = 1;
}

static void track_handler_added(uvsim_promise* p) {
  if (p->unhandled != UVS__UNH_NONE) {
    int warned = p->unhandled == UVS__UNH_WARNED;
    p->unhandled = UVS__UNH_NONE;
    assert(uvs__eng.maybe_unhandled > 0);
    uvs__eng.maybe_unhandled--;
    if (warned) {
      uvs__plist_push(&uvs__eng.async_handled, p);
      uvs__eng.has_rejection_to_warn = 1;
      return;
    }
  }
  /* Node 20 writes `if (maybeUnhandledPromises.size === 0 && ...)
   * setHasRejectionToWarn(false)`, but that map is a WeakMap (no size), so
   * the flag is never cleared here; only processTicksAndRejections clears
   * it. Mirrored: nothing to do. */
}

/* ------------------------------------------------------------- settling */

static void fulfill(uvsim_promise* p, uvsim_value v) {
  assert(p->state == UVSIM_PENDING);
  p->state = UVSIM_FULFILLED;
  p->result = v;
  trigger_reactions(p);
}

static void reject(uvsim_promise* p, uvsim_value reason) {
  assert(p->state == UVSIM_PENDING);
  reason.thrown = 0;
  p->state = UVSIM_REJECTED;
  p->result = reason;
  if (!p->handled) track_reject_unhandled(p);
  trigger_reactions(p);
}

typedef struct thenable_job {
  uvsim_promise* p;
  uvsim_value thenable;
} thenable_job;

/* The body of a resolve function once its [[AlreadyResolved]] is set. */
static void resolve_with(uvsim_promise* p, uvsim_value v) {
  v.thrown = 0;
  if (v.type == UVSIM_T_PROMISE && v.u.p == p) {
    reject(p, uvsim_error_new("TypeError", NULL,
                              "Chaining cycle detected for promise #<Promise>"));
    return;
  }
  if (v.type == UVSIM_T_PROMISE || v.type == UVSIM_T_THENABLE) {
    thenable_job* tj = uvsim_alloc(sizeof(*tj));
    tj->p = p;
    tj->thenable = v;
    uvs__job j = {UVS__JOB_THENABLE, NULL, tj, "PromiseResolveThenableJob"};
    uvs__jobq_push(&uvs__eng.micro, &j);
    return;
  }
  fulfill(p, v);
}

void uvsim_promise_resolve(uvsim_promise* p, uvsim_value v) {
  assert(p != NULL);
  if (p->already_resolved) return;
  p->already_resolved = 1;
  resolve_with(p, v);
}

void uvsim_promise_reject(uvsim_promise* p, uvsim_value reason) {
  assert(p != NULL);
  if (p->already_resolved) return;
  p->already_resolved = 1;
  reject(p, reason);
}

void uvsim_resolvers_resolve(uvsim_resolvers* r, uvsim_value v) {
  if (r->already_resolved) return;
  r->already_resolved = 1;
  resolve_with(r->p, v);
}

void uvsim_resolvers_reject(uvsim_resolvers* r, uvsim_value reason) {
  if (r->already_resolved) return;
  r->already_resolved = 1;
  reject(r->p, reason);
}

static uvsim_value resolvers_ok(uvsim_value v, void* data) {
  uvsim_resolvers_resolve(data, v);
  return uvsim_undefined();
}

static uvsim_value resolvers_err(uvsim_value v, void* data) {
  uvsim_resolvers_reject(data, v);
  return uvsim_undefined();
}

/* NewPromiseResolveThenableJob: thenable.then(resolve, reject) with fresh
 * resolving functions for p. For a native promise `then` is
 * PerformPromiseThen (its derived promise is unobservable and omitted). */
void uvs__run_thenable_job(void* rec) {
  thenable_job* tj = rec;
  uvsim_resolvers* r = uvsim_alloc(sizeof(*r));
  r->p = tj->p;
  if (tj->thenable.type == UVSIM_T_PROMISE) {
    uvs__promise_then_internal(tj->thenable.u.p, resolvers_ok, resolvers_err, r);
    return;
  }
  assert(tj->thenable.type == UVSIM_T_THENABLE);
  uvsim_thenable* th = tj->thenable.u.th;
  uvsim_value e;
  uvs__job_begin();
  th->then(th->self, r);
  if (uvs__job_threw(&e)) uvsim_resolvers_reject(r, e);
}

uvsim_value uvsim_thenable_new(uvsim_then_fn then, void* self) {
  assert(then != NULL);
  uvsim_thenable* th = uvsim_alloc(sizeof(*th));
  th->then = then;
  th->self = self;
  uvsim_value v = {UVSIM_T_THENABLE, 0, {0}};
  v.u.th = th;
  return v;
}

/* ------------------------------------------------------------ reactions */

static void enqueue_reaction(uvs__reaction* r, uvsim_value arg, int rejected) {
  r->arg = arg;
  r->rejected = (uint8_t)rejected;
  uvs__job j = {UVS__JOB_REACTION, NULL, r, "PromiseReactionJob"};
  uvs__jobq_push(&uvs__eng.micro, &j);
}

static void trigger_reactions(uvsim_promise* p) {
  uvs__reaction* r = p->head;
  p->head = p->tail = NULL;
  while (r != NULL) {
    uvs__reaction* next = r->next;
    r->next = NULL;
    enqueue_reaction(r, p->result, p->state == UVSIM_REJECTED);
    r = next;
  }
}

void uvs__run_reaction(uvs__reaction* r) {
  uvsim_reaction_fn h = r->rejected ? r->on_err : r->on_ok;
  if (h == NULL) {
    if (r->derived == NULL) return;
    if (r->rejected)
      uvsim_promise_reject(r->derived, r->arg);
    else
      uvsim_promise_resolve(r->derived, r->arg);
    return;
  }
  uvsim_value e;
  uvs__job_begin();
  uvsim_value v = h(r->arg, r->data);
  if (uvs__job_threw(&e) || (v.thrown && (e = v, e.thrown = 0, 1))) {
    if (r->derived != NULL) uvsim_promise_reject(r->derived, e);
    return;
  }
  if (r->derived != NULL) uvsim_promise_resolve(r->derived, v);
}

/* PerformPromiseThen. */
static void perform_then(uvsim_promise* p, uvs__reaction* r) {
  switch ((uvsim_promise_state)p->state) {
    case UVSIM_PENDING:
      if (p->tail) p->tail->next = r; else p->head = r;
      p->tail = r;
      break;
    case UVSIM_FULFILLED: enqueue_reaction(r, p->result, 0); break;
    case UVSIM_REJECTED:
      if (!p->handled) track_handler_added(p);
      enqueue_reaction(r, p->result, 1);
      break;
  }
  p->handled = 1;
}

void uvs__promise_then_record(uvsim_promise* p, uvs__reaction* r) {
  perform_then(p, r);
}

void uvs__reaction_fulfilled(uvs__reaction* r, uvsim_value v) {
  enqueue_reaction(r, v, 0);
}

void uvs__promise_then_internal(uvsim_promise* p, uvsim_reaction_fn on_ok,
                                uvsim_reaction_fn on_err, void* data) {
  uvs__reaction* r = uvsim_alloc(sizeof(*r));
  r->on_ok = on_ok;
  r->on_err = on_err;
  r->data = data;
  perform_then(p, r);
}

/* The derived promise and its reaction share one allocation. */
typedef struct then_pair {
  uvsim_promise derived;
  uvs__reaction r;
} then_pair;

uvsim_promise* uvsim_then(uvsim_promise* p, uvsim_reaction_fn on_ok,
                          uvsim_reaction_fn on_err, void* data) {
  assert(p != NULL);
  then_pair* tp = uvsim_alloc(sizeof(*tp));
  tp->derived.id = ++uvs__eng.next_promise_id;
  tp->r.on_ok = on_ok;
  tp->r.on_err = on_err;
  tp->r.data = data;
  tp->r.derived = &tp->derived;
  perform_then(p, &tp->r);
  return &tp->derived;
}

uvsim_promise* uvsim_catch(uvsim_promise* p, uvsim_reaction_fn on_err,
                           void* data) {
  return uvsim_then(p, NULL, on_err, data);
}

/* --------------------------------------------------------------- statics */

uvsim_promise* uvsim_promise_from(uvsim_value v) {
  if (v.type == UVSIM_T_PROMISE) return v.u.p;
  uvsim_promise* p = promise_alloc();
  uvsim_promise_resolve(p, v);
  return p;
}

uvsim_promise* uvsim_promise_rejected(uvsim_value reason) {
  uvsim_promise* p = promise_alloc();
  uvsim_promise_reject(p, reason);
  return p;
}

uvsim_promise* uvsim_promise_exec(uvsim_executor_fn fn, void* data) {
  assert(fn != NULL);
  uvsim_promise* p = promise_alloc();
  uvsim_value e;
  uvs__job_begin();
  fn(p, data);
  if (uvs__job_threw(&e)) uvsim_promise_reject(p, e);
  return p;
}

/* --------------------------------------------------------------- finally */

/* p.finally(f) = p.then(thenFinally, catchFinally) where
 *   thenFinally(v)  = PromiseResolve(f()).then(() => v)
 *   catchFinally(e) = PromiseResolve(f()).then(() => { throw e; })
 * so the pass-through is a promise the derived promise adopts. */
typedef struct finally_rec {
  uvsim_finally_fn fn;
  void* data;
} finally_rec;

static uvsim_value value_thunk(uvsim_value v, void* data) {
  (void)v;
  return *(uvsim_value*)data;
}

static uvsim_value thrower_thunk(uvsim_value v, void* data) {
  (void)v;
  return uvsim_throw(*(uvsim_value*)data);
}

static uvsim_value finally_common(uvsim_value v, finally_rec* fr,
                                  uvsim_reaction_fn thunk) {
  uvsim_value e;
  uvs__job_begin();
  uvsim_value res = fr->fn(fr->data);
  if (uvs__job_threw(&e)) return uvsim_throw(e);
  uvsim_promise* rp = uvsim_promise_from(res);
  uvsim_value* saved = uvsim_alloc(sizeof(*saved));
  *saved = v;
  return uvsim_promise_value(uvsim_then(rp, thunk, NULL, saved));
}

static uvsim_value then_finally(uvsim_value v, void* data) {
  return finally_common(v, data, value_thunk);
}

static uvsim_value catch_finally(uvsim_value v, void* data) {
  return finally_common(v, data, thrower_thunk);
}

uvsim_promise* uvsim_finally(uvsim_promise* p, uvsim_finally_fn fn,
                             void* data) {
  assert(fn != NULL);
  finally_rec* fr = uvsim_alloc(sizeof(*fr));
  fr->fn = fn;
  fr->data = data;
  return uvsim_then(p, then_finally, catch_finally, fr);
}
