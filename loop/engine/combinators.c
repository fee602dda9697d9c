/* loop/engine/combinators.c — Promise.all / allSettled / race / any, as the
 * spec writes them: each item goes through PromiseResolve (a native promise
 * is used as is, anything else is wrapped, a thenable costing its
 * NewPromiseResolveThenableJob), then `.then` with per-element functions
 * that fire at most once; the result settles when the remaining count
 * reaches zero. */
#include "loop/engine/engine_int.h"

typedef struct combo {
  uvsim_promise* cap;     /* the result promise (its resolving functions) */
  uvsim_value* values;    /* values / settlements / errors                */
  size_t n;
  size_t remaining;
} combo;

typedef struct element {
  combo* c;
  size_t index;
  int already_called;
} element;

static combo* combo_new(size_t n) {
  combo* c = uvsim_alloc(sizeof(*c));
  c->cap = uvsim_promise_new();
  c->values = uvsim_alloc((n ? n : 1) * sizeof(uvsim_value));
  c->n = n;
  c->remaining = 1;
  return c;
}

static element* element_new(combo* c, size_t i) {
  element* e = uvsim_alloc(sizeof(*e));
  e->c = c;
  e->index = i;
  c->remaining++;
  return e;
}

static uvsim_value settled(int rejected, uvsim_value v) {
  uvsim_settled* s = uvsim_alloc(sizeof(*s));
  s->rejected = rejected;
  s->value = v;
  uvsim_value out = {UVSIM_T_SETTLED, 0, {0}};
  out.u.settled = s;
  return out;
}

static uvsim_value aggregate_error(combo* c) {
  uvsim_value err = uvsim_error_new("AggregateError", NULL,
                                    "All promises were rejected");
  err.u.err->errors = uvsim_array_new(c->values, c->n).u.arr;
  return err;
}

/* The last element (or the end of the loop over items) settles the result. */
static void finish_one(combo* c, int any) {
  assert(c->remaining > 0);
  if (--c->remaining != 0) return;
  if (any)
    uvsim_promise_reject(c->cap, aggregate_error(c));
  else
    uvsim_promise_resolve(c->cap, uvsim_array_new(c->values, c->n));
}

static uvsim_value cap_resolve(uvsim_value v, void* data) {
  uvsim_promise_resolve(((combo*)data)->cap, v);
  return uvsim_undefined();
}

static uvsim_value cap_reject(uvsim_value v, void* data) {
  uvsim_promise_reject(((combo*)data)->cap, v);
  return uvsim_undefined();
}

/* ---------------------------------------------- all, allSettled, any */

/* The element functions of all, allSettled and any share one step: the
 * spec's [[AlreadyCalled]] makes a second call a no-op, the outcome is
 * stored at the element's index, and the combinator finishes once every
 * element has reported. `any` counts rejections instead of fulfilments. */
static void element_record(element* e, uvsim_value v, int any) {
  e->already_called = 1;
  e->c->values[e->index] = v;
  finish_one(e->c, any);
}

static uvsim_value all_element(uvsim_value v, void* data) {
  element* e = data;
  if (!e->already_called) element_record(e, v, 0);
  return uvsim_undefined();
}

/* all_element rejects through the combo, so it needs its own reject. */
static uvsim_value element_reject(uvsim_value v, void* data) {
  uvsim_promise_reject(((element*)data)->c->cap, v);
  return uvsim_undefined();
}

static uvsim_value settled_ok(uvsim_value v, void* data) {
  element* e = data;
  if (!e->already_called) element_record(e, settled(0, v), 0);
  return uvsim_undefined();
}

static uvsim_value settled_err(uvsim_value v, void* data) {
  element* e = data;
  if (!e->already_called) element_record(e, settled(1, v), 0);
  return uvsim_undefined();
}

static uvsim_value any_reject_element(uvsim_value v, void* data) {
  element* e = data;
  if (!e->already_called) element_record(e, v, 1);
  return uvsim_undefined();
}

static uvsim_value any_resolve(uvsim_value v, void* data) {
  uvsim_promise_resolve(((element*)data)->c->cap, v);
  return uvsim_undefined();
}

/* PerformPromiseAll's loop, shared: Promise.resolve each item, attach the
 * element reactions, then count the initial 1 down (an empty input settles
 * right away). */
static uvsim_promise* combine(const uvsim_value* items, size_t n,
                              uvsim_reaction_fn on_ok, uvsim_reaction_fn on_err,
                              int any) {
  combo* c = combo_new(n);
  for (size_t i = 0; i < n; i++) {
    uvsim_promise* next = uvsim_promise_from(items[i]);
    uvs__promise_then_internal(next, on_ok, on_err, element_new(c, i));
  }
  finish_one(c, any);
  return c->cap;
}

uvsim_promise* uvsim_promise_all(const uvsim_value* items, size_t n) {
  return combine(items, n, all_element, element_reject, 0);
}

uvsim_promise* uvsim_promise_all_settled(const uvsim_value* items, size_t n) {
  return combine(items, n, settled_ok, settled_err, 0);
}

uvsim_promise* uvsim_promise_any(const uvsim_value* items, size_t n) {
  return combine(items, n, any_resolve, any_reject_element, 1);
}

/* ----------------------------------------------------------------- race */

uvsim_promise* uvsim_promise_race(const uvsim_value* items, size_t n) {
  combo* c = combo_new(0);
  for (size_t i = 0; i < n; i++) {
    uvsim_promise* next = uvsim_promise_from(items[i]);
    uvs__promise_then_internal(next, cap_resolve, cap_reject, c);
  }
  return c->cap;
}
