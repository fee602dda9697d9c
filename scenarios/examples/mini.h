/* scenarios/examples/mini.h — a twenty-line event loop on sim/ alone, for the
 * example scenarios that exercise the fuzzing framework before (and
 * independently of) the libuv layer: pool jobs with a duration decision,
 * timers with a lag decision, and a pool_finish decision between jobs that
 * complete at the same virtual instant. Choice 0 everywhere is the natural
 * order: short jobs, no lag, FIFO. Header-only, static: each example is one
 * translation unit. */
#ifndef UVSIM_EXAMPLES_MINI_H
#define UVSIM_EXAMPLES_MINI_H

#include <stddef.h>

#include "sim/sim.h"

typedef struct mini_ev mini_ev;
struct mini_ev {
  sim_event ev;              /* first: the event is the mini_ev           */
  void (*cb)(mini_ev* m);
};

#define MINI_STEPS_MAX 10000
#define MINI_SAME_TIME_MAX 8

static const uint64_t mini_duration_ns[4] = { 100000, 1000000, 5000000, 20000000 };
static const uint64_t mini_lag_ns[3] = { 0, 1000000, 10000000 };

static void mini_nofire(sim* s, sim_event* ev) { (void)s, (void)ev; }

/* A thread-pool job: runs for a decided duration, then `cb` on the loop. */
static inline void mini_pool(mini_ev* m, const char* label, void (*cb)(mini_ev*)) {
  sim* s = sim_current();
  uint32_t c = sim_choose(s, SIM_POOL_DURATION, 4, label);
  sim_event_init(&m->ev, mini_nofire, label);
  m->cb = cb;
  sim_event_schedule(s, &m->ev, sim_now(s) + mini_duration_ns[c]);
}

/* A timer: fires after `delay_ns`, never early, possibly late (loop lag). */
static inline void mini_timer(mini_ev* m, const char* label, uint64_t delay_ns,
                              void (*cb)(mini_ev*)) {
  sim* s = sim_current();
  uint32_t c = sim_choose(s, SIM_TIMER_LAG, 3, label);
  sim_event_init(&m->ev, mini_nofire, label);
  m->cb = cb;
  sim_event_schedule(s, &m->ev, sim_now(s) + delay_ns + mini_lag_ns[c]);
}

/* Runs until nothing is left or the world has failed. */
static inline void mini_run(void) {
  sim* s = sim_current();
  for (int step = 0; step < MINI_STEPS_MAX && !sim_failed(s); step++) {
    sim_event* same[MINI_SAME_TIME_MAX];
    uint32_t n = 0;
    sim_event* first = sim_event_pop(s);
    if (!first) return;
    same[n++] = first;
    sim_event* next;
    while (n < MINI_SAME_TIME_MAX && (next = sim_event_peek(s)) &&
           next->time_ns == first->time_ns)
      same[n++] = sim_event_pop(s);
    /* Jobs done at the same instant complete in any order. */
    sim_advance_to(s, first->time_ns);
    uint32_t c = sim_choose(s, SIM_POOL_FINISH, n, first->label);
    for (uint32_t i = 0; i < n; i++)
      if (i != c) sim_event_schedule(s, same[i], same[i]->time_ns);
    sim_advance_to(s, same[c]->time_ns);
    sim_trace_callback(s, same[c]->label);
    ((mini_ev*)same[c])->cb((mini_ev*)same[c]);
  }
  if (!sim_failed(s) && sim_event_peek(s))
    sim_fail(s, SIM_BUG_STEP_BUDGET, "mini_run", "more than %d steps", MINI_STEPS_MAX);
}

#endif
