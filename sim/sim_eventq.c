/* sim/sim_eventq.c — the world's event queue: a binary min-heap of intrusive
 * events ordered by (time, seq). seq is insertion order, so two events due at
 * the same virtual time fire in the order they were scheduled — never by
 * address. Cancel is O(log n) through the stored heap index. */
#include "sim/sim.h"

#include <assert.h>
#include <stdlib.h>

void sim_event_init(sim_event* ev, sim_event_fn fire, const char* label) {
  ev->time_ns = 0;
  ev->seq = 0;
  ev->fire = fire;
  ev->label = label;
  ev->heap_index = (size_t)-1;
}

static int earlier(const sim_event* a, const sim_event* b) {
  if (a->time_ns != b->time_ns) return a->time_ns < b->time_ns;
  return a->seq < b->seq; /* ties: scheduling order */
}

static void place(sim* s, size_t i, sim_event* ev) {
  s->heap[i] = ev;
  ev->heap_index = i;
}

static void sift_up(sim* s, size_t i) {
  sim_event* ev = s->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!earlier(ev, s->heap[parent])) break;
    place(s, i, s->heap[parent]);
    i = parent;
  }
  place(s, i, ev);
}

static void sift_down(sim* s, size_t i) {
  sim_event* ev = s->heap[i];
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, best = i;
    const sim_event* bv = ev;
    if (l < s->heap_len && earlier(s->heap[l], bv)) { best = l; bv = s->heap[l]; }
    if (r < s->heap_len && earlier(s->heap[r], bv)) { best = r; }
    if (best == i) break;
    place(s, i, s->heap[best]);
    i = best;
  }
  place(s, i, ev);
}

void sim_event_schedule(sim* s, sim_event* ev, uint64_t time_ns) {
  assert(!sim_event_queued(ev) && "event already queued");
  assert(time_ns >= s->now_ns && "events are never scheduled in the past");
  if (s->heap_len == s->heap_cap) {
    s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 64;
    s->heap = realloc(s->heap, s->heap_cap * sizeof *s->heap);
    if (s->heap == NULL) abort();
  }
  ev->time_ns = time_ns;
  ev->seq = s->next_seq++;
  place(s, s->heap_len++, ev);
  sift_up(s, ev->heap_index);
}

void sim_event_cancel(sim* s, sim_event* ev) {
  if (!sim_event_queued(ev)) return;
  size_t i = ev->heap_index;
  assert(i < s->heap_len && s->heap[i] == ev);
  ev->heap_index = (size_t)-1;
  s->heap_len--;
  if (i == s->heap_len) return;
  place(s, i, s->heap[s->heap_len]);
  sift_down(s, i);
  sift_up(s, s->heap[i]->heap_index);
}

sim_event* sim_event_peek(const sim* s) {
  return s->heap_len ? s->heap[0] : NULL;
}

sim_event* sim_event_pop(sim* s) {
  sim_event* ev = sim_event_peek(s);
  if (ev) sim_event_cancel(s, ev);
  return ev;
}

int sim_event_fire_due(sim* s) {
  sim_event* ev = sim_event_peek(s);
  if (ev == NULL || ev->time_ns > s->now_ns) return 0;
  sim_event_cancel(s, ev);
  ev->fire(s, ev);
  return 1;
}
