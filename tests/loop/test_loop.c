/* tests/loop/test_loop.c — properties of the virtual loop that must hold
 * under EVERY seed, not just under choice 0: pool jobs can finish in any
 * order (all 24 orders of 4 jobs are reachable), equal-deadline timers keep
 * their start order, timers never fire early, a seed always gives the same
 * trace hash, the hang and step-budget oracles fire, and uvsim_world_begin
 * makes run N behave exactly like run 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

static void begin_seed(uint64_t seed) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_SEED;
  cfg.seed = seed;
  uvsim_world_begin(&cfg);
}

/* Every choice 0: an explicit empty decision list (a zeroed sim_config is
 * seed 0, not the natural order). */
static void begin_natural(void) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;
  uvsim_world_begin(&cfg);
}

static void close_all_cb(uv_handle_t* h, void* arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void finish_loop(uv_loop_t* loop) {
  uv_walk(loop, close_all_cb, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(loop), 0);
}

/* ---- pool: 4 jobs complete in all 24 orders across seeds */

static int order[4];
static int norder;

static void noop_work(uv_work_t* req) { (void)req; }
static void record_done(uv_work_t* req, int status) {
  assert_int_equal(status, 0);
  order[norder++] = (int)(intptr_t)req->data;
}

/* Queues jobs 0..3 and runs the loop until all four are done, in whatever
 * order the schedule picks (recorded in order[]). */
static void run_four_jobs(uv_loop_t* loop) {
  uv_work_t reqs[4];
  norder = 0;
  for (int i = 0; i < 4; i++) {
    reqs[i].data = (void*)(intptr_t)i;
    assert_int_equal(uv_queue_work(loop, &reqs[i], noop_work, record_done), 0);
  }
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(norder, 4);
  assert_false(uvsim_failed());
}

static int perm_index(const int* p) {
  /* Lehmer code of a permutation of 0..3 -> 0..23 */
  int idx = 0;
  for (int i = 0; i < 4; i++) {
    int smaller = 0;
    for (int j = i + 1; j < 4; j++) smaller += p[j] < p[i];
    idx = idx * (4 - i) + smaller;
  }
  return idx;
}

static void test_pool_all_orders(void** state) {
  (void)state;
  int seen[24] = {0};
  int distinct = 0;
  for (uint64_t seed = 1; seed <= 3000 && distinct < 24; seed++) {
    begin_seed(seed);
    uv_loop_t* loop = uv_default_loop();
    run_four_jobs(loop);
    int k = perm_index(order);
    if (!seen[k]++) distinct++;
    finish_loop(loop);
    uvsim_world_end();
  }
  assert_int_equal(distinct, 24);
}

/* Under choice 0 the order is FIFO (what an idle machine does). */
static void test_pool_choice0_fifo(void** state) {
  (void)state;
  begin_natural();
  uv_loop_t* loop = uv_default_loop();
  run_four_jobs(loop);
  for (int i = 0; i < 4; i++) assert_int_equal(order[i], i);
  finish_loop(loop);
  uvsim_world_end();
}

/* ---- timers: equal deadlines keep start order; never early */

#define NTIMERS 12
static int fired[NTIMERS];
static int nfired;
static uint64_t due_ms[NTIMERS];
static uint64_t due_ns[NTIMERS];
static int early;

static void order_cb(uv_timer_t* t) {
  int i = (int)(intptr_t)t->data;
  fired[nfired++] = i;
  if (uv_now(t->loop) < due_ms[i]) early++;
  if (uv_hrtime() < due_ns[i]) early++;
}

static void busy_idle_cb(uv_idle_t* h) {
  /* some extra traffic so that lag and costs have something to shift */
  if (uv_now(h->loop) > 200) uv_idle_stop(h);
}

static void test_timers_equal_deadline_order(void** state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 300; seed++) {
    begin_seed(seed);
    uvsim_set_cb_cost(1);   /* callbacks take virtual time: timers run late */
    uv_loop_t* loop = uv_default_loop();
    uv_timer_t timers[NTIMERS];
    nfired = 0;
    for (int i = 0; i < NTIMERS; i++) {
      assert_int_equal(uv_timer_init(loop, &timers[i]), 0);
      timers[i].data = (void*)(intptr_t)i;
      /* two groups of equal deadlines, started interleaved */
      uint64_t timeout = (i % 2) ? 7 : 3;
      due_ms[i] = uv_now(loop) + timeout;
      due_ns[i] = due_ms[i] * 1000000u;  /* relative to the cached loop time, as libuv */
      assert_int_equal(uv_timer_start(&timers[i], order_cb, timeout, 0), 0);
    }
    assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(nfired, NTIMERS);
    /* evens (3 ms) in start order, then odds (7 ms) in start order */
    for (int k = 0; k < NTIMERS / 2; k++) {
      assert_int_equal(fired[k], 2 * k);
      assert_int_equal(fired[NTIMERS / 2 + k], 2 * k + 1);
    }
    uvsim_set_cb_cost(0);
    finish_loop(loop);
    uvsim_world_end();
  }
}

static void never_early_cb(uv_timer_t* t) {
  int i = (int)(intptr_t)t->data;
  if (uv_now(t->loop) < due_ms[i]) early++;
  if (uv_hrtime() < due_ns[i]) early++;
  nfired++;
  if (nfired < 40) {
    uint64_t timeout = (uint64_t)(nfired * 7 % 13);
    due_ms[i] = uv_now(t->loop) + timeout;
    due_ns[i] = due_ms[i] * 1000000u;  /* relative to the cached loop time, as libuv */
    uv_timer_start(t, never_early_cb, timeout, 0);
  }
}

static void test_timers_never_early(void** state) {
  (void)state;
  early = 0;
  for (uint64_t seed = 1; seed <= 200; seed++) {
    begin_seed(seed);
    uvsim_set_cb_cost(1);
    uv_loop_t* loop = uv_default_loop();
    uv_timer_t timers[3];
    uv_idle_t idle;
    nfired = 0;
    uv_idle_init(loop, &idle);
    uv_idle_start(&idle, busy_idle_cb);
    for (int i = 0; i < 3; i++) {
      uv_timer_init(loop, &timers[i]);
      timers[i].data = (void*)(intptr_t)i;
      uint64_t timeout = (uint64_t)(5 * i + 1);
      due_ms[i] = uv_now(loop) + timeout;
      due_ns[i] = due_ms[i] * 1000000u;  /* relative to the cached loop time, as libuv */
      uv_timer_start(&timers[i], never_early_cb, timeout, 0);
    }
    assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
    assert_true(nfired >= 40);
    uvsim_set_cb_cost(0);
    finish_loop(loop);
    uvsim_world_end();
  }
  assert_int_equal(early, 0);
}

/* ---- determinism: a seed always gives the same trace hash */

static int work_left;
static void mixed_done(uv_work_t* req, int status) {
  (void)status;
  uv_timer_t* t = req->data;
  if (--work_left == 0) uv_timer_stop(t);
}
static void mixed_timer_cb(uv_timer_t* t) { (void)t; }

static uint64_t mixed_run(uint64_t seed) {
  begin_seed(seed);
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t t;
  uv_work_t reqs[6];
  uv_timer_init(loop, &t);
  uv_timer_start(&t, mixed_timer_cb, 1, 1);
  work_left = 6;
  for (int i = 0; i < 6; i++) {
    reqs[i].data = &t;
    uv_queue_work(loop, &reqs[i], noop_work, mixed_done);
  }
  uv_run(loop, UV_RUN_DEFAULT);
  uint64_t h = uvsim_trace_hash();
  finish_loop(loop);
  uvsim_world_end();
  return h;
}

static void test_same_seed_same_hash(void** state) {
  (void)state;
  uint64_t first = mixed_run(1);
  int differs = 0;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    uint64_t a = mixed_run(seed);
    uint64_t b = mixed_run(seed);
    assert_int_equal(a, b);
    if (a != first) differs++;
  }
  /* and the hash does depend on the seed (the check can fail) */
  assert_true(differs > 0);
}

/* ---- oracles */

static void never_cb(uv_async_t* a) { (void)a; }

static void test_hang_oracle(void** state) {
  (void)state;
  uvsim_world_begin(NULL);
  uv_loop_t* loop = uv_default_loop();
  uv_async_t a;
  assert_int_equal(uv_async_init(loop, &a, never_cb), 0);
  /* alive forever, nothing can ever send: a hang, reported, not blocked on */
  uv_run(loop, UV_RUN_DEFAULT);
  assert_true(uvsim_failed());
  assert_int_equal(sim_current()->failure.oracle, SIM_BUG_HANG);
  uvsim_world_end();
  /* the next run starts clean */
  uvsim_world_begin(NULL);
  assert_false(uvsim_failed());
  uvsim_world_end();
}

/* A work callback blocked forever (nothing will post its semaphore) and
 * nothing else to do: a hang after a bounded real wait, not a stuck test. */
static uv_sem_t never_posted;
static void blocked_work(uv_work_t* req) {
  (void)req;
  uv_sem_wait(&never_posted);
}
static void blocked_done(uv_work_t* req, int status) { (void)req; (void)status; }

static void test_hang_oracle_blocked_work(void** state) {
  (void)state;
  assert_int_equal(uv_sem_init(&never_posted, 0), 0);
  begin_natural();
  uv_loop_t* loop = uv_default_loop();
  uv_work_t req;
  assert_int_equal(uv_queue_work(loop, &req, blocked_work, blocked_done), 0);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_true(uvsim_failed());
  assert_int_equal(sim_current()->failure.oracle, SIM_BUG_HANG);
  uvsim_world_end();
  /* the next run gets fresh workers and works normally */
  begin_natural();
  loop = uv_default_loop();
  run_four_jobs(loop);
  finish_loop(loop);
  uvsim_world_end();
  uv_sem_post(&never_posted);   /* let the abandoned thread go */
}

static int spins;
static void spin_cb(uv_idle_t* h) { (void)h; spins++; }

static void test_step_budget_oracle(void** state) {
  (void)state;
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;
  cfg.steps_max = 1000;
  uvsim_world_begin(&cfg);
  uv_loop_t* loop = uv_default_loop();
  uv_idle_t idle;
  uv_idle_init(loop, &idle);
  uv_idle_start(&idle, spin_cb);
  spins = 0;
  uv_run(loop, UV_RUN_DEFAULT);   /* would spin forever */
  assert_true(uvsim_failed());
  assert_int_equal(sim_current()->failure.oracle, SIM_BUG_STEP_BUDGET);
  assert_true(spins >= 999 && spins <= 1001);
  uvsim_world_end();
}

/* ---- uvsim_world_begin resets state between runs */

static int walk_count;
static void count_cb(uv_handle_t* h, void* arg) { (void)h; (void)arg; walk_count++; }
static void plain_timer_cb(uv_timer_t* t) { (void)t; }

static void test_world_begin_resets(void** state) {
  (void)state;
  uint64_t hashes[2];
  for (int run = 0; run < 2; run++) {
    uvsim_world_begin(NULL);
    assert_int_equal(uvsim_now_ns(), 0);
    uv_loop_t* loop = uv_default_loop();
    /* a fresh default loop: nothing left of the previous run */
    walk_count = 0;
    uv_walk(loop, count_cb, NULL);
    assert_int_equal(walk_count, 0);
    assert_int_equal(uv_loop_alive(loop), 0);
    uv_timer_t t;
    uv_timer_init(loop, &t);
    uv_timer_start(&t, plain_timer_cb, 3600 * 1000, 0);   /* one hour */
    uv_run(loop, UV_RUN_DEFAULT);
    assert_true(uvsim_now_ns() >= 3600ull * 1000000000ull);
    hashes[run] = uvsim_trace_hash();
    /* leave the timer handle unclosed on purpose: begin must forget it */
    uvsim_world_end();
  }
  assert_int_equal(hashes[0], hashes[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pool_choice0_fifo),
    cmocka_unit_test(test_pool_all_orders),
    cmocka_unit_test(test_timers_equal_deadline_order),
    cmocka_unit_test(test_timers_never_early),
    cmocka_unit_test(test_same_seed_same_hash),
    cmocka_unit_test(test_hang_oracle),
    cmocka_unit_test(test_hang_oracle_blocked_work),
    cmocka_unit_test(test_step_budget_oracle),
    cmocka_unit_test(test_world_begin_resets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
