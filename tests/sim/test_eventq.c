/* tests/sim/test_eventq.c — the event queue orders by (time, insertion) and
 * survives cancellation anywhere in the heap. Checked against a simple
 * reference model: a stable sort of the same events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "sim/sim.h"

typedef struct fired_log { int order[4096]; int n; } fired_log;
static fired_log fired;

typedef struct item { sim_event ev; int id; } item;

static void on_fire(sim* s, sim_event* ev) {
  (void)s;
  fired.order[fired.n++] = ((item*)ev)->id;
}

static void equal_times_fire_in_schedule_order(void** state) {
  (void)state;
  sim s;
  sim_init(&s, NULL);
  item it[10];
  fired.n = 0;
  for (int i = 0; i < 10; i++) {
    it[i].id = i;
    sim_event_init(&it[i].ev, on_fire, "e");
    sim_event_schedule(&s, &it[i].ev, 100);   /* all equal */
  }
  sim_advance_to(&s, 100);
  while (sim_event_fire_due(&s)) {}
  assert_int_equal(fired.n, 10);
  for (int i = 0; i < 10; i++) assert_int_equal(fired.order[i], i);
  sim_free(&s);
}

static void not_due_does_not_fire(void** state) {
  (void)state;
  sim s;
  sim_init(&s, NULL);
  item a = { .id = 1 };
  sim_event_init(&a.ev, on_fire, "a");
  sim_event_schedule(&s, &a.ev, 50);
  fired.n = 0;
  assert_int_equal(sim_event_fire_due(&s), 0);
  sim_advance_to(&s, 49);
  assert_int_equal(sim_event_fire_due(&s), 0);
  sim_advance_to(&s, 50);
  assert_int_equal(sim_event_fire_due(&s), 1);
  assert_false(sim_event_queued(&a.ev));
  sim_free(&s);
}

static int cmp_ref(const void* x, const void* y) {
  const item* a = *(item* const*)x;
  const item* b = *(item* const*)y;
  if (a->ev.time_ns != b->ev.time_ns) return a->ev.time_ns < b->ev.time_ns ? -1 : 1;
  return a->ev.seq < b->ev.seq ? -1 : 1;
}

static void random_schedule_cancel_matches_reference(void** state) {
  (void)state;
  enum { N = 2000 };
  item* it = calloc(N, sizeof *it);
  item* ref[N];
  sim s;
  sim_init(&s, NULL);
  sim_rng rng;
  for (int round = 0; round < 20; round++) {
    sim_rng_seed(&rng, (uint64_t)round);
    sim_reset(&s, NULL);
    for (int i = 0; i < N; i++) {
      it[i].id = i;
      sim_event_init(&it[i].ev, on_fire, "r");
      sim_event_schedule(&s, &it[i].ev, sim_rng_below(&rng, 50)); /* many ties */
    }
    int nref = 0;
    for (int i = 0; i < N; i++) {
      if (sim_rng_below(&rng, 3) == 0) sim_event_cancel(&s, &it[i].ev);
      else ref[nref++] = &it[i];
    }
    qsort(ref, (size_t)nref, sizeof ref[0], cmp_ref);
    fired.n = 0;
    sim_advance_to(&s, 1000);
    while (sim_event_fire_due(&s)) {}
    assert_int_equal(fired.n, nref);
    for (int i = 0; i < nref; i++) assert_int_equal(fired.order[i], ref[i]->id);
  }
  free(it);
  sim_free(&s);
}

static void peek_pop_and_reset_unlink(void** state) {
  (void)state;
  sim s;
  sim_init(&s, NULL);
  item a = { .id = 1 }, b = { .id = 2 };
  sim_event_init(&a.ev, on_fire, "a");
  sim_event_init(&b.ev, on_fire, "b");
  sim_event_schedule(&s, &a.ev, 20);
  sim_event_schedule(&s, &b.ev, 10);
  assert_ptr_equal(sim_event_peek(&s), &b.ev);
  assert_ptr_equal(sim_event_pop(&s), &b.ev);
  assert_false(sim_event_queued(&b.ev));
  sim_reset(&s, NULL);                  /* a run ends: nothing stays queued */
  assert_false(sim_event_queued(&a.ev));
  assert_null(sim_event_peek(&s));
  sim_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(equal_times_fire_in_schedule_order),
    cmocka_unit_test(not_due_does_not_fire),
    cmocka_unit_test(random_schedule_cancel_matches_reference),
    cmocka_unit_test(peek_pop_and_reset_unlink),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
