/* loop/timer.c — timers: a binary min-heap per loop ordered by (timeout,
 * start_id). start_id breaks ties so that timers with equal deadlines fire in
 * the order they were started, whatever the seed: that is a guarantee real
 * libuv gives, so exploring around it would be unsound. */
#include "loop/internal.h"

#include <stdlib.h>

/* The heap index lives in the handle's heap_node[0] (index + 1; 0 = not in
 * the heap). Each array entry carries the keys, so sifting compares within
 * the array instead of dereferencing timer handles (the hot path of a
 * re-armed 0 ms timer is one remove and one insert). */
struct uvs__tnode {
  uint64_t timeout;
  uint64_t start_id;
  uv_timer_t* t;
};
typedef struct uvs__tnode tnode;

static size_t hidx(const uv_timer_t* t) { return (size_t)(uintptr_t)t->heap_node[0]; }
static void set_hidx(uv_timer_t* t, size_t i) { t->heap_node[0] = (void*)(uintptr_t)i; }

static int less(const tnode* a, const tnode* b) {
  if (a->timeout != b->timeout) return a->timeout < b->timeout;
  return a->start_id < b->start_id;
}

static void place(uvs__loop* L, size_t i, tnode n) {
  UVS__ASSERT(i < L->ntimers, "a timer is placed past the end of the heap");
  /* the keys copied into the array are the handle's own */
  UVS__ASSERT(n.timeout == n.t->timeout && n.start_id == n.t->start_id,
              "a timer's heap keys disagree with its handle");
  L->timers[i] = n;
  set_hidx(n.t, i + 1);
}

static void sift_up(uvs__loop* L, size_t i) {
  tnode n = L->timers[i];
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!less(&n, &L->timers[p])) break;
    place(L, i, L->timers[p]);
    i = p;
  }
  place(L, i, n);
  /* heap order where the node came to rest (sift_down checks its side) */
  UVS__ASSERT(i == 0 || !less(&L->timers[i], &L->timers[(i - 1) / 2]),
              "the timer heap is out of order after sift up");
}

static void sift_down(uvs__loop* L, size_t i) {
  tnode n = L->timers[i];
  size_t len = L->ntimers;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, b = i;
    const tnode* bn = &n;
    if (l < len && less(&L->timers[l], bn)) { b = l; bn = &L->timers[l]; }
    if (r < len && less(&L->timers[r], bn)) b = r;
    if (b == i) break;
    place(L, i, L->timers[b]);
    i = b;
  }
  place(L, i, n);
  UVS__ASSERT((2 * i + 1 >= len || !less(&L->timers[2 * i + 1], &L->timers[i])) &&
              (2 * i + 2 >= len || !less(&L->timers[2 * i + 2], &L->timers[i])),
              "the timer heap is out of order after sift down");
}

static void heap_insert(uvs__loop* L, uv_timer_t* t) {
  UVS__ASSERT(hidx(t) == 0, "a timer is inserted in the heap twice");
  if (L->ntimers == L->timers_cap) {
    L->timers_cap = L->timers_cap ? L->timers_cap * 2 : 16;
    L->timers = realloc(L->timers, L->timers_cap * sizeof *L->timers);
    if (L->timers == NULL) uvs__fatal("uv_timer_start", "out of memory");
  }
  tnode n = { t->timeout, t->start_id, t };
  L->ntimers++;
  place(L, L->ntimers - 1, n);
  sift_up(L, L->ntimers - 1);
  UVS__ASSERT(hidx(t) != 0 && L->timers[hidx(t) - 1].t == t,
              "an inserted timer does not know its heap slot");
}

static void heap_remove(uvs__loop* L, uv_timer_t* t) {
  size_t i = hidx(t);
  UVS__ASSERT(i > 0 && i <= L->ntimers && L->timers[i - 1].t == t,
              "a timer being removed is not where the heap says");
  i--;
  set_hidx(t, 0);
  L->ntimers--;
  if (i == L->ntimers) return;
  uv_timer_t* moved = L->timers[L->ntimers].t;
  place(L, i, L->timers[L->ntimers]);
  sift_down(L, i);
  sift_up(L, hidx(moved) - 1);
  UVS__ASSERT(hidx(t) == 0, "a removed timer still has a heap slot");
}

int uv_timer_init(uv_loop_t* loop, uv_timer_t* handle) {
  uvs__handle_init(loop, (uv_handle_t*)handle, UV_TIMER);
  handle->timer_cb = NULL;
  handle->timeout = 0;
  handle->repeat = 0;
  handle->start_id = 0;
  set_hidx(handle, 0);
  return 0;
}

/* A timer is in its loop's heap exactly when it is active. */
static void check_membership(const uv_timer_t* t) {
  UVS__ASSERT(uvs__is_active((const uv_handle_t*)t) == (hidx(t) != 0),
              "a timer is active but not in the heap, or in it but inactive");
}

int uv_timer_stop(uv_timer_t* handle) {
  check_membership(handle);
  if (!uvs__is_active((uv_handle_t*)handle)) return 0;
  heap_remove(uvs__L(handle->loop), handle);
  uvs__handle_stop((uv_handle_t*)handle);
  return 0;
}

int uv_timer_start(uv_timer_t* handle, uv_timer_cb cb, uint64_t timeout,
                   uint64_t repeat) {
  if (uvs__is_closing((uv_handle_t*)handle) || cb == NULL) return UV_EINVAL;
  if (uvs__is_active((uv_handle_t*)handle)) uv_timer_stop(handle);
  uint64_t clamped = handle->loop->time + timeout;
  if (clamped < timeout) clamped = UINT64_MAX;   /* overflow: never */
  handle->timer_cb = cb;
  uvs__name_handle((uv_handle_t*)handle, (const void*)cb);
  handle->timeout = clamped;
  handle->repeat = repeat;
  handle->start_id = handle->loop->timer_counter++;
  heap_insert(uvs__L(handle->loop), handle);
  uvs__handle_start((uv_handle_t*)handle);
  check_membership(handle);
  return 0;
}

int uv_timer_again(uv_timer_t* handle) {
  if (handle->timer_cb == NULL) return UV_EINVAL;
  if (handle->repeat) {
    uv_timer_stop(handle);
    uv_timer_start(handle, handle->timer_cb, handle->repeat, handle->repeat);
  }
  return 0;
}

void uv_timer_set_repeat(uv_timer_t* handle, uint64_t repeat) {
  handle->repeat = repeat;
}

uint64_t uv_timer_get_repeat(const uv_timer_t* handle) { return handle->repeat; }

uint64_t uv_timer_get_due_in(const uv_timer_t* handle) {
  if (handle->loop->time >= handle->timeout) return 0;
  return handle->timeout - handle->loop->time;
}

uv_timer_t* uvs__timer_min(const uv_loop_t* loop) {
  const uvs__loop* L = uvs__L(loop);
  return L->ntimers ? L->timers[0].t : NULL;
}

int uvs__next_timeout(const uv_loop_t* loop) {
  const uv_timer_t* t = uvs__timer_min(loop);
  if (t == NULL) return -1;
  UVS__ASSERT(t->loop == loop, "a timer is in another loop's heap");
  if (t->timeout <= loop->time) return 0;
  uint64_t diff = t->timeout - loop->time;
  return diff > INT32_MAX ? INT32_MAX : (int)diff;
}

void uvs__run_timers(uv_loop_t* loop) {
  uvs__loop* L = uvs__L(loop);
  sim* s = uvs__sim();
  /* Timers fire in strictly increasing (deadline, start) order within a
   * pass: anything (re)started by a callback is due no earlier than now and
   * gets a later start_id. */
  tnode last = { 0, 0, NULL };
  while (L->ntimers > 0 && !sim_failed(s)) {
    if (L->timers[0].timeout > loop->time) break;
    uv_timer_t* t = L->timers[0].t;
    UVS__ASSERT(last.t == NULL || less(&last, &L->timers[0]),
                "timers fire out of (deadline, start) order");
    last = L->timers[0];
    UVS__ASSERT(t->loop == loop && hidx(t) == 1, "the heap's root is not its first timer");
    UVS__ASSERT(t->timer_cb != NULL, "an active timer has no callback");
    uv_timer_stop(t);
    uv_timer_again(t);
    UVS__ASSERT(t->repeat == 0 || (uvs__is_active((uv_handle_t*)t) && t->timeout > loop->time),
                "a repeating timer was not re-armed in the future");
    uvs__trace_cb(uvs__label((uv_handle_t*)t));
    t->timer_cb(t);
    uvs__after_callback();
  }
}

void uvs__timer_close(uv_timer_t* t) { uv_timer_stop(t); }
