/* loop/engine/timers.c — Node's setTimeout/setInterval and setImmediate on
 * one uv_timer_t, one uv_check_t and one uv_idle_t, following Node 20's
 * lib/internal/timers.js and src/env.cc:
 *   - a duration (truncated to whole ms; < 1, NaN or > 2^31-1 become 1) has
 *     one FIFO list; lists sit in a min-heap by (expiry, id); the uv timer
 *     is armed for the earliest list; processTimers runs every due list and
 *     returns the next expiry, negative when no timer is referenced;
 *   - the start time of a timer is a fresh uv_update_time()+uv_now();
 *   - the checkpoint runs between two timer callbacks and between two
 *     immediates (Node >= 11), and once after the whole batch;
 *   - immediates run from the check phase; those queued meanwhile wait for
 *     the next iteration; a referenced immediate starts the idle handle so
 *     that poll does not block. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "loop/engine/engine_int.h"
#include "sim/sim.h"

#define TIMEOUT_MAX 2147483647.0
#define NOT_QUEUED ((size_t)-1)

#define E uvs__eng

double uvs__loop_now(void) {
  uv_update_time(E.loop);
  return (double)uv_now(E.loop);
}

/* ------------------------------------------------------------ list heap */

static int list_less(const uvs__tlist* a, const uvs__tlist* b) {
  if (a->expiry != b->expiry) return a->expiry < b->expiry;
  return a->id < b->id; /* equal expiry: the list (re)queued first */
}

static void heap_swap(size_t i, size_t j) {
  uvs__tlist* t = E.heap[i];
  E.heap[i] = E.heap[j];
  E.heap[j] = t;
  E.heap[i]->heap_index = i;
  E.heap[j]->heap_index = j;
}

static void heap_up(size_t i) {
  while (i > 0 && list_less(E.heap[i], E.heap[(i - 1) / 2])) {
    heap_swap(i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void heap_down(size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < E.heap_len && list_less(E.heap[l], E.heap[m])) m = l;
    if (r < E.heap_len && list_less(E.heap[r], E.heap[m])) m = r;
    if (m == i) return;
    heap_swap(i, m);
    i = m;
  }
}

static void heap_insert(uvs__tlist* l) {
  if (E.heap_len == E.heap_cap) {
    size_t ncap = E.heap_cap ? E.heap_cap * 2 : 16;
    uvs__tlist** n = realloc(E.heap, ncap * sizeof(*n));
    if (n == NULL) abort();
    E.heap = n;
    E.heap_cap = ncap;
  }
  l->heap_index = E.heap_len;
  E.heap[E.heap_len++] = l;
  heap_up(l->heap_index);
}

static void heap_remove(uvs__tlist* l) {
  size_t i = l->heap_index;
  assert(i < E.heap_len && E.heap[i] == l);
  E.heap_len--;
  if (i != E.heap_len) {
    E.heap[i] = E.heap[E.heap_len];
    E.heap[i]->heap_index = i;
    heap_down(i);
    heap_up(i);
  }
  l->heap_index = NOT_QUEUED;
}

/* timerListMap[msecs]: lists live in the heap; few distinct durations. */
static uvs__tlist* list_find(double msecs) {
  for (size_t i = 0; i < E.heap_len; i++)
    if (E.heap[i]->msecs == msecs) return E.heap[i];
  return NULL;
}

/* ---------------------------------------------------------- uv plumbing */

static void on_uv_timer(uv_timer_t* h);

static void schedule_uv_timer(double ms) {
  uint64_t d = ms < 1 ? 1 : (uint64_t)ms;
  uv_timer_start(&E.timer_handle, on_uv_timer, d, 0);
}

static void inc_ref(void) {
  if (E.timer_refs++ == 0) uv_ref((uv_handle_t*)&E.timer_handle);
}

static void dec_ref(void) {
  assert(E.timer_refs > 0);
  if (--E.timer_refs == 0) uv_unref((uv_handle_t*)&E.timer_handle);
}

static void list_unlink(uvsim_timer* t) {
  uvs__tlist* l = t->list;
  if (t->prev) t->prev->next = t->next; else l->head = t->next;
  if (t->next) t->next->prev = t->prev; else l->tail = t->prev;
  t->prev = t->next = NULL;
  t->list = NULL;
}

/* Node's insert(): append to the duration's list, creating it (and arming
 * the uv timer if it is now the earliest) when needed. */
static void insert(uvsim_timer* t, double msecs, double start) {
  assert(t->list == NULL);
  t->start = start;
  uvs__tlist* l = list_find(msecs);
  if (l == NULL) {
    l = uvsim_alloc(sizeof(*l));
    l->msecs = msecs;
    l->expiry = start + msecs;
    l->id = ++E.next_list_id;
    heap_insert(l);
    if (E.next_expiry > l->expiry) {
      schedule_uv_timer(msecs);
      E.next_expiry = l->expiry;
    }
  }
  t->list = l;
  t->prev = l->tail;
  t->next = NULL;
  if (l->tail) l->tail->next = t; else l->head = t;
  l->tail = t;
}

static double clamp_ms(double ms) {
  if (!(ms >= 1 && ms <= TIMEOUT_MAX)) ms = 1; /* NaN lands here too */
  return trunc(ms);
}

static uvsim_timer* timer_new(uvsim_cb cb, void* data, double ms, int repeat,
                              const char* label) {
  assert(E.initialized && "uvsim_engine_init() first");
  assert(cb != NULL);
  uvsim_timer* t = uvsim_alloc(sizeof(*t));
  t->cb = cb;
  t->data = data;
  t->label = label;
  t->msecs = clamp_ms(ms);
  t->repeat = repeat ? t->msecs : 0;
  t->refed = 1;
  inc_ref();
  insert(t, t->msecs, uvs__loop_now());
  return t;
}

uvsim_timer* uvsim_set_timeout_l(uvsim_cb cb, void* data, double ms,
                                 const char* label) {
  return timer_new(cb, data, ms, 0, label ? label : "setTimeout");
}
uvsim_timer* uvsim_set_timeout(uvsim_cb cb, void* data, double ms) {
  return uvsim_set_timeout_l(cb, data, ms, NULL);
}
uvsim_timer* uvsim_set_interval_l(uvsim_cb cb, void* data, double ms,
                                  const char* label) {
  return timer_new(cb, data, ms, 1, label ? label : "setInterval");
}
uvsim_timer* uvsim_set_interval(uvsim_cb cb, void* data, double ms) {
  return uvsim_set_interval_l(cb, data, ms, NULL);
}

/* clearTimeout → unenroll: out of its list; an emptied list leaves the
 * heap (the uv timer stays armed and finds nothing, as in Node). */
void uvsim_clear_timeout(uvsim_timer* t) {
  if (t == NULL) return;
  t->cleared = 1;
  if (t->destroyed) return;
  t->destroyed = 1;
  if (t->refed) dec_ref();
  t->refed = 0;
  uvs__tlist* l = t->list;
  if (l == NULL) return; /* cleared from its own callback */
  list_unlink(t);
  if (l->head == NULL && l->heap_index != NOT_QUEUED) heap_remove(l);
}

void uvsim_clear_interval(uvsim_timer* t) { uvsim_clear_timeout(t); }

void uvsim_timer_unref(uvsim_timer* t) {
  if (t->refed && !t->destroyed) dec_ref();
  t->refed = 0;
}

void uvsim_timer_ref(uvsim_timer* t) {
  if (!t->refed && !t->destroyed) inc_ref();
  t->refed = 1;
}

int uvsim_timer_has_ref(const uvsim_timer* t) { return t->refed; }

/* Re-arms from now, even a timeout that already fired; a cleared one stays
 * cleared (Node: its _idleTimeout is -1). */
void uvsim_timer_refresh(uvsim_timer* t) {
  if (t->cleared) return;
  if (t->list != NULL) list_unlink(t);
  if (t->destroyed) {
    t->destroyed = 0;
    if (t->refed) inc_ref();
  }
  insert(t, t->msecs, uvs__loop_now());
}

/* --------------------------------------------------------- processTimers */

/* Engine-level callbacks join the world's trace (and hash) on the virtual
 * loop; jobs (ticks, microtasks) do not, they are too many and their order
 * follows from the callbacks'. */
static void trace_callback(const char* label) {
#ifndef UVSIM_ENGINE_REAL_LIBUV
  sim_trace_callback(sim_current(), label);
#else
  (void)label;
#endif
}

/* Returns 1 when the callback threw (and a listener took it). */
static int run_timer(uvsim_timer* t) {
  double start = t->repeat ? uvs__loop_now() : 0;
  trace_callback(t->label);
  int threw = uvs__call_callback(t->cb, t->data, t->label);
  if (t->repeat && !t->destroyed && t->list == NULL) {
    insert(t, t->repeat, start);
  } else if (!t->repeat && t->list == NULL && !t->destroyed) {
    t->destroyed = 1;
    if (t->refed) E.timer_refs--; /* the ref state is set after the batch */
  }
  return threw;
}

/* listOnTimeout(). Returns 0 when the run failed. */
static int list_on_timeout(uvs__tlist* l, double now) {
  int ran = 0;
  uvsim_timer* t;
  while ((t = l->head) != NULL) {
    if (now - t->start < l->msecs) {
      l->expiry = fmax(t->start + l->msecs, now + 1);
      l->id = ++E.next_list_id;
      assert(l->heap_index != NOT_QUEUED);
      heap_down(l->heap_index);
      return 1;
    }
    if (ran) {
      uvsim_checkpoint();
      if (E.failed) return 0;
      if (t->list != l) continue; /* cleared or refreshed meanwhile */
    } else {
      ran = 1;
    }
    list_unlink(t);
    /* A throw unwinds listOnTimeout; node re-enters it, so the next timer
     * runs without a checkpoint before it (measured with node 20). */
    if (run_timer(t)) ran = 0;
    if (E.failed) return 0;
  }
  if (l->heap_index != NOT_QUEUED) heap_remove(l);
  return 1;
}

/* processTimers(now): 0 = nothing left, else ±next expiry. */
static double process_timers(double now) {
  E.next_expiry = INFINITY;
  int ran = 0;
  while (E.heap_len > 0) {
    uvs__tlist* l = E.heap[0];
    if (l->expiry > now) {
      E.next_expiry = l->expiry;
      return E.timer_refs > 0 ? l->expiry : -l->expiry;
    }
    if (ran) {
      uvsim_checkpoint();
      if (E.failed) return 0;
    } else {
      ran = 1;
    }
    if (!list_on_timeout(l, now)) return 0;
  }
  return 0;
}

/* Environment::RunTimers. */
static void on_uv_timer(uv_timer_t* h) {
  assert(h == &E.timer_handle);
  E.own_callback = 1;
  if (E.failed) return;
  E.in_timers = 1;
  double ret = process_timers(uvs__loop_now());
  E.in_timers = 0;
  if (E.failed) return;
  if (ret != 0) {
    double d = fabs(ret) - (double)uv_now(E.loop);
    schedule_uv_timer(d > 0 ? d : 1);
    if (ret > 0) uv_ref((uv_handle_t*)h); else uv_unref((uv_handle_t*)h);
  } else {
    uv_unref((uv_handle_t*)h);
  }
  uvsim_checkpoint();
  E.own_callback = 1; /* set again: a callback may have run a raw loop */
}

/* ------------------------------------------------------------ immediates */

static void noop_idle(uv_idle_t* h) {
  (void)h;
  E.own_callback = 1;
}

static void toggle_immediate_ref(int on) {
  if (on && !E.idle_active) uv_idle_start(&E.idle_handle, noop_idle);
  if (!on && E.idle_active) uv_idle_stop(&E.idle_handle);
  E.idle_active = on;
}

uvsim_immediate* uvsim_set_immediate_l(uvsim_cb cb, void* data,
                                       const char* label) {
  assert(E.initialized && "uvsim_engine_init() first");
  assert(cb != NULL);
  uvsim_immediate* im = uvsim_alloc(sizeof(*im));
  im->cb = cb;
  im->data = data;
  im->label = label ? label : "setImmediate";
  im->refed = 1;
  im->prev = E.imm_tail;
  if (E.imm_tail) E.imm_tail->next = im; else E.imm_head = im;
  E.imm_tail = im;
  E.imm_count++;
  if (E.imm_refs++ == 0) toggle_immediate_ref(1);
  return im;
}

uvsim_immediate* uvsim_set_immediate(uvsim_cb cb, void* data) {
  return uvsim_set_immediate_l(cb, data, NULL);
}

/* in_run: the immediate belongs to the batch being processed (it stays
 * linked there and is skipped) rather than to the queue. */
void uvsim_clear_immediate(uvsim_immediate* im) {
  if (im == NULL || im->destroyed) return;
  im->destroyed = 1;
  E.imm_count--;
  if (im->refed && --E.imm_refs == 0) toggle_immediate_ref(0);
  im->refed = 0;
  if (im->in_batch) return; /* in the running batch: skipped there */
  if (im->prev) im->prev->next = im->next; else E.imm_head = im->next;
  if (im->next) im->next->prev = im->prev; else E.imm_tail = im->prev;
  im->prev = im->next = NULL;
}

void uvsim_immediate_unref(uvsim_immediate* im) {
  if (im->refed && !im->destroyed && --E.imm_refs == 0)
    toggle_immediate_ref(0);
  im->refed = 0;
}

void uvsim_immediate_ref(uvsim_immediate* im) {
  if (!im->refed && !im->destroyed && E.imm_refs++ == 0)
    toggle_immediate_ref(1);
  im->refed = 1;
}

/* processImmediate(): detach the queue, run it in order. Batch entries
 * stay linked; a clear from a callback only marks them. */
static void process_immediates(void) {
  uvsim_immediate* im = E.imm_head;
  E.imm_head = E.imm_tail = NULL;
  for (uvsim_immediate* p = im; p; p = p->next) p->in_batch = 1;
  int ran = 0;
  while (im != NULL && !E.failed) {
    uvsim_immediate* next = im->next;
    uvsim_cb cb = im->cb;
    if (ran) uvsim_checkpoint(); else ran = 1;
    if (E.failed) return;
    if (!im->destroyed) {
      im->destroyed = 1;
      E.imm_count--;
      if (im->refed) E.imm_refs--;
      im->refed = 0;
      trace_callback(im->label);
      /* as for timers: after a throw the next one runs without checkpoint */
      if (uvs__call_callback(cb, im->data, im->label)) ran = 0;
    }
    im = next;
  }
}

/* Environment::CheckImmediate. */
static void on_check(uv_check_t* h) {
  (void)h;
  assert(h == &E.check_handle);
  E.own_callback = 1;
  if (E.failed || E.imm_count == 0) return;
  process_immediates();
  uvsim_checkpoint();
  if (E.imm_refs == 0) toggle_immediate_ref(0);
  E.own_callback = 1;
}

/* ---------------------------------------------------------------- setup */

int uvs__timers_init(uv_loop_t* loop) {
  int rc = uv_timer_init(loop, &E.timer_handle);
  if (rc) return rc;
  uv_unref((uv_handle_t*)&E.timer_handle);
  rc = uv_check_init(loop, &E.check_handle);
  if (rc) return rc;
  uv_check_start(&E.check_handle, on_check);
  uv_unref((uv_handle_t*)&E.check_handle);
  rc = uv_idle_init(loop, &E.idle_handle);
  if (rc) return rc;
  E.next_expiry = INFINITY;
  return 0;
}

/* The main script's timers vs immediates: on real node a timer of 1 ms set
 * by the main script is due at the first timers phase only if a
 * millisecond passed since it was set (measured here: node 20 prints the
 * immediate first in most runs, node 18 the timeout first in all; see
 * docs/engine.md). Choice 0 = no time passed (immediate first); choice 1 =
 * the earliest timer list is due (the clock jumps to its expiry). */
void uvs__timers_before_loop(void) {
#ifndef UVSIM_ENGINE_REAL_LIBUV
  if (E.heap_len == 0 || E.imm_count == 0) return;
  double now = (double)uv_now(E.loop);
  uvs__tlist* l = E.heap[0];
  if (l->expiry > now + 1) return;
  if (sim_choose(sim_current(), SIM_TIMEOUT_VS_IMMEDIATE, 2,
                 "main: setTimeout vs setImmediate") == 1) {
    sim* s = sim_current();
    uint64_t due_ns = (uint64_t)l->expiry * 1000000ull;
    if (due_ns > sim_now(s)) sim_advance_to(s, due_ns);
  }
#endif
}

void uvs__timers_close(void) {
  uv_close((uv_handle_t*)&E.timer_handle, NULL);
  uv_close((uv_handle_t*)&E.check_handle, NULL);
  uv_close((uv_handle_t*)&E.idle_handle, NULL);
}
