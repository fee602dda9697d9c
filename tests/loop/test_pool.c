/* tests/loop/test_pool.c — where work callbacks run (loop/threadpool.c):
 * by default on the loop thread, on a stack of their own; a work callback
 * about to block in a uv_* primitive moves to a real thread and the loop
 * goes on; a forked child gets fresh pool threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

static pthread_t loop_thread;

static void begin(uint64_t seed) {
  sim_config cfg = {0};
  cfg.source = seed ? SIM_SRC_SEED : SIM_SRC_LIST;
  cfg.seed = seed;
  uvsim_world_begin(&cfg);
  uvsim_pool_set_inline(0);   /* the default: fibers */
  loop_thread = pthread_self();
}

/* ---- the fast path: no other thread, a stack of its own */

enum { NJOBS = 64 };
static uv_work_t jobs[NJOBS];
static int on_loop_thread, done, order[NJOBS];
static size_t max_depth_ok;

static void deep(uv_work_t* r) {
  (void)r;
  /* 1 MB on the stack: a fiber's stack is as large as a pool thread's */
  volatile char big[1 << 20];
  big[0] = 1;
  big[sizeof big - 1] = 2;
  if (big[0] + big[sizeof big - 1] == 3) max_depth_ok++;
  if (pthread_equal(pthread_self(), loop_thread)) on_loop_thread++;
}

static void after(uv_work_t* r, int status) {
  assert_int_equal(status, 0);
  order[done++] = (int)(r - jobs);
}

static uint64_t run_jobs(uint64_t seed) {
  begin(seed);
  uv_loop_t* loop = uv_default_loop();
  on_loop_thread = done = 0;
  max_depth_ok = 0;
  for (int i = 0; i < NJOBS; i++) assert_int_equal(uv_queue_work(loop, &jobs[i], deep, after), 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(done, NJOBS);
  return uvsim_trace_hash();
}

static void test_work_on_loop_thread(void** state) {
  (void)state;
  run_jobs(0);
  assert_int_equal(on_loop_thread, NJOBS);
  assert_int_equal(max_depth_ok, NJOBS);
  /* the natural order is FIFO */
  for (int i = 0; i < NJOBS; i++) assert_int_equal(order[i], i);
}

static void test_same_seed_same_hash(void** state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 20; seed++) {
    uint64_t h = run_jobs(seed);
    int first[NJOBS];
    memcpy(first, order, sizeof first);
    assert_int_equal(run_jobs(seed), h);
    assert_memory_equal(first, order, sizeof first);
  }
}

/* ---- blocking: the job moves to a real thread, the loop goes on */

static uv_sem_t sem;
static uv_mutex_t mu;
static uv_timer_t timer;
static uv_work_t blocker[2];
static int blocked_moved, blocked_done, timer_ran;

static void wait_sem(uv_work_t* r) {
  (void)r;
  uv_sem_wait(&sem);   /* posted by a timer callback on the loop thread */
  if (!pthread_equal(pthread_self(), loop_thread)) blocked_moved++;
}

static void wait_mutex(uv_work_t* r) {
  (void)r;
  uv_mutex_lock(&mu);  /* held by the loop thread until the timer */
  if (!pthread_equal(pthread_self(), loop_thread)) blocked_moved++;
  uv_mutex_unlock(&mu);
}

static void blocker_done(uv_work_t* r, int status) {
  (void)r;
  assert_int_equal(status, 0);
  blocked_done++;
}

static void release(uv_timer_t* t) {
  timer_ran++;
  uv_sem_post(&sem);
  uv_mutex_unlock(&mu);
  uv_close((uv_handle_t*)t, NULL);
}

static void run_blocking(void) {
  begin(0);
  uv_loop_t* loop = uv_default_loop();
  blocked_moved = blocked_done = timer_ran = 0;
  assert_int_equal(uv_sem_init(&sem, 0), 0);
  assert_int_equal(uv_mutex_init(&mu), 0);
  uv_mutex_lock(&mu);
  assert_int_equal(uv_queue_work(loop, &blocker[0], wait_sem, blocker_done), 0);
  assert_int_equal(uv_queue_work(loop, &blocker[1], wait_mutex, blocker_done), 0);
  uv_timer_init(loop, &timer);
  uv_timer_start(&timer, release, 10, 0);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(timer_ran, 1);
  assert_int_equal(blocked_done, 2);
  assert_int_equal(blocked_moved, 2);
  uv_sem_destroy(&sem);
  uv_mutex_destroy(&mu);
}

static void test_blocking_moves_to_thread(void** state) {
  (void)state;
  run_blocking();
  /* twice: the worker threads of the first run are reused */
  run_blocking();
}

/* a child forked after the pool made threads has none of them: it makes
 * fresh ones (the fork server forks at the first uv_run) */
static void test_fork_fresh_threads(void** state) {
  (void)state;
  run_blocking();
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    run_blocking();   /* cmocka's asserts end the child on failure */
    run_jobs(0);
    _exit(on_loop_thread == NJOBS ? 0 : 3);
  }
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_work_on_loop_thread),
    cmocka_unit_test(test_same_seed_same_hash),
    cmocka_unit_test(test_blocking_moves_to_thread),
    cmocka_unit_test(test_fork_fresh_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
