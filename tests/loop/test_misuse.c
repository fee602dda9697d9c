/* tests/loop/test_misuse.c — uv_cancel's answers in each state of a pool
 * job, an unsimulated function answering UV_ENOSYS, and misuse that libuv
 * asserts on (uv_close twice) aborting with a message that names the
 * function, checked in a forked child. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

static void begin_natural(int inline_pool) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;
  uvsim_world_begin(&cfg);
  uvsim_pool_set_inline(inline_pool);
}

/* ---- uv_cancel */

enum { NJOBS = 8 };   /* more than the 4 virtual workers: some stay queued */
static uv_work_t jobs[NJOBS];
static int ran[NJOBS], status_of[NJOBS], done_count, busy_in_after;

static void work(uv_work_t* r) {
  int i = (int)(r - jobs);
  ran[i]++;
  /* the first jobs hold their virtual workers for a second */
  if (i < 4) uvsim_pool_cost_ns(1000000000ull);
}

static void after(uv_work_t* r, int status) {
  int i = (int)(r - jobs);
  status_of[i] = status;
  done_count++;
  /* finished (delivered) job: too late to cancel */
  if (status == 0 && uv_cancel((uv_req_t*)r) == UV_EBUSY) busy_in_after++;
}

static void run_cancel_case(int inline_pool) {
  begin_natural(inline_pool);
  uv_loop_t* loop = uv_default_loop();
  memset(ran, 0, sizeof ran);
  memset(status_of, 0x7f, sizeof status_of);
  done_count = busy_in_after = 0;
  unsigned workers = uvsim_pool_size();
  assert_true(workers < NJOBS);
  for (int i = 0; i < NJOBS; i++)
    assert_int_equal(uv_queue_work(loop, &jobs[i], work, after), 0);
  assert_int_equal(workers, 4);
  /* One poll without waiting starts the first 4 jobs, which then hold
   * their workers for a virtual second; the rest stay queued. */
  assert_int_equal(uv_run(loop, UV_RUN_NOWAIT), 1);
  for (int i = 0; i < NJOBS; i++) assert_int_equal(ran[i], i < 4);
  assert_int_equal(uv_cancel((uv_req_t*)&jobs[0]), UV_EBUSY);     /* running */
  assert_int_equal(uv_cancel((uv_req_t*)&jobs[NJOBS - 1]), 0);    /* queued  */
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(done_count, NJOBS);
  assert_int_equal(status_of[NJOBS - 1], UV_ECANCELED);
  assert_int_equal(ran[NJOBS - 1], 0);
  for (int i = 0; i < NJOBS - 1; i++) {
    assert_int_equal(status_of[i], 0);
    assert_int_equal(ran[i], 1);
  }
  assert_int_equal(busy_in_after, NJOBS - 1);
  /* finished and delivered: EBUSY */
  assert_int_equal(uv_cancel((uv_req_t*)&jobs[0]), UV_EBUSY);
  assert_int_equal(uv_loop_close(loop), 0);
}

static void test_cancel_states_inline(void** state) {
  (void)state;
  run_cancel_case(1);
}

static void test_cancel_states_threaded(void** state) {
  (void)state;
  run_cancel_case(0);
}

/* A job cancelled right after uv_queue_work never runs, whatever the seed. */
static void test_cancel_immediately_any_seed(void** state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 200; seed++) {
    sim_config cfg = {0};
    cfg.source = SIM_SRC_SEED;
    cfg.seed = seed;
    uvsim_world_begin(&cfg);
    uvsim_pool_set_inline(1);
    uv_loop_t* loop = uv_default_loop();
    memset(ran, 0, sizeof ran);
    memset(status_of, 0x7f, sizeof status_of);
    done_count = busy_in_after = 0;
    for (int i = 0; i < NJOBS; i++) uv_queue_work(loop, &jobs[i], work, after);
    for (int i = 0; i < NJOBS; i += 2) assert_int_equal(uv_cancel((uv_req_t*)&jobs[i]), 0);
    assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(done_count, NJOBS);
    for (int i = 0; i < NJOBS; i++) {
      assert_int_equal(status_of[i], i % 2 ? 0 : UV_ECANCELED);
      assert_int_equal(ran[i], i % 2);
    }
    assert_int_equal(uv_loop_close(loop), 0);
  }
}

/* ---- not simulated: UV_ENOSYS */

static void test_unsimulated_enosys(void** state) {
  (void)state;
  begin_natural(1);
  uv_loop_t* loop = uv_default_loop();
  /* multicast membership is not simulated (loop/udp.c): a loud UV_ENOSYS
   * (uv_spawn was this test's example until child processes came) */
  uv_udp_t udp;
  assert_int_equal(uv_udp_init(loop, &udp), 0);
  struct sockaddr_in a;
  uv_ip4_addr("0.0.0.0", 7300, &a);
  assert_int_equal(uv_udp_bind(&udp, (const struct sockaddr*)&a, 0), 0);
  int r = uv_udp_set_membership(&udp, "239.1.2.3", NULL, UV_JOIN_GROUP);
  /* Only meaningful while the world does not simulate multicast. */
  if (r != UV_ENOSYS) skip();
  uv_close((uv_handle_t*)&udp, NULL);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(uv_loop_close(loop), 0);
}

/* ---- misuse: uv_close twice */

/* Runs fn in a child with stderr captured; returns the wait status and the
 * child's stderr in buf. */
static int in_child(void (*fn)(void), char* buf, size_t len) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    fn();
    _exit(0);
  }
  close(fds[1]);
  size_t got = 0;
  ssize_t n;
  while (got + 1 < len && (n = read(fds[0], buf + got, len - 1 - got)) > 0) got += (size_t)n;
  buf[got] = '\0';
  close(fds[0]);
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  return st;
}

static void close_twice(void) {
  begin_natural(1);
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t t;
  uv_timer_init(loop, &t);
  uv_close((uv_handle_t*)&t, NULL);
  uv_close((uv_handle_t*)&t, NULL);
}

static void close_once(void) {
  begin_natural(1);
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t t;
  uv_timer_init(loop, &t);
  uv_close((uv_handle_t*)&t, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
}

static void test_close_twice_aborts(void** state) {
  (void)state;
  char err[1024];
  int st = in_child(close_twice, err, sizeof err);
  assert_true(WIFSIGNALED(st));
  assert_int_equal(WTERMSIG(st), SIGABRT);
  assert_non_null(strstr(err, "uv_close"));
  assert_non_null(strstr(err, "twice"));
  /* control: closing once is fine and silent */
  st = in_child(close_once, err, sizeof err);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  assert_string_equal(err, "");
}

/* ---- a loop on another thread while the default one runs (real Node's
 * delayed-task scheduler does it; it once corrupted the shared world
 * silently, then stopped the program): it is foreign now, and runs on the
 * real libuv (loop/entry/foreign.c); tests/diff/helper_thread_loop.c
 * compares such a program with real libuv. */

static void noop_timer(uv_timer_t* t) { (void)t; }

static void thread_runs_own_loop(void* arg) {
  (void)arg;
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_timer_t t;
  uv_timer_init(&loop, &t);
  uv_timer_start(&t, noop_timer, 1, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t*)&t, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}

static void start_thread_from_cb(uv_timer_t* t) {
  (void)t;
  uv_thread_t th;
  uv_thread_create(&th, thread_runs_own_loop, NULL);
  uv_thread_join(&th);
}

static void loop_in_thread_while_running(void) {
  begin_natural(1);
  uv_timer_t t;
  uv_timer_init(uv_default_loop(), &t);
  uv_timer_start(&t, start_thread_from_cb, 1, 0);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
}

static void loop_in_thread_before_running(void) {
  begin_natural(1);
  uv_thread_t th;
  uv_thread_create(&th, thread_runs_own_loop, NULL);
  uv_thread_join(&th);
  uv_timer_t t;
  uv_timer_init(uv_default_loop(), &t);
  uv_timer_start(&t, noop_timer, 1, 0);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
}

static void test_loop_on_other_thread_runs(void** state) {
  (void)state;
  char err[1024];
  int st = in_child(loop_in_thread_while_running, err, sizeof err);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  assert_string_equal(err, "");
  /* and one after the other */
  st = in_child(loop_in_thread_before_running, err, sizeof err);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  assert_string_equal(err, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cancel_states_inline),
    cmocka_unit_test(test_cancel_states_threaded),
    cmocka_unit_test(test_cancel_immediately_any_seed),
    cmocka_unit_test(test_unsimulated_enosys),
    cmocka_unit_test(test_close_twice_aborts),
    cmocka_unit_test(test_loop_on_other_thread_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
