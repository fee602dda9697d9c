/* tests/loop/test_signal_outside.c — a real signal from another process
 * (loop/signal.c):
 * - while a handle watches it, it is delivered at the next scheduling
 *   point and recorded as an observation ("signal", its point, signum);
 * - a replay of that record delivers it at the same point, with the same
 *   trace hash, without anyone sending it;
 * - a replay drops a real one sent again (only the recorded one counts);
 * - a loop with nothing but the watching handle left waits a bounded real
 *   moment for one (a parent's kill just after the child reached its
 *   loop), delivers it instead of calling it a hang, and replays it. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

static void begin(const sim_observation* obs, size_t nobs, int replay) {
  sim_config cfg = {0};
  cfg.replay_observed = replay;
  cfg.observed = obs;
  cfg.nobserved = nobs;
  uvsim_world_begin(&cfg);
}

/* kill(2) from another process; returns once the child has sent it (the
 * signal is pending, and is handled on the way back from waitpid). */
static void send_from_outside(int signum) {
  pid_t parent = getpid();
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) _exit(kill(parent, signum) == 0 ? 0 : 1);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static uv_timer_t ticker;
static uv_signal_t watcher;
static int ticks, send_at_tick, got_at_tick, got_count;
static uint64_t got_now;

static void on_tick(uv_timer_t* t) {
  ticks++;
  if (ticks == send_at_tick) send_from_outside(SIGUSR1);
  if (ticks == 10) {
    uv_close((uv_handle_t*)t, NULL);
    uv_close((uv_handle_t*)&watcher, NULL);
  }
}

static void on_usr1(uv_signal_t* h, int signum) {
  (void)h;
  assert_int_equal(signum, SIGUSR1);
  got_count++;
  got_at_tick = ticks;
  got_now = uv_now(h->loop);
}

/* Ten 10 ms ticks; a real SIGUSR1 from another process at tick `send`
 * (0: never). Returns the trace hash. */
static uint64_t run_program(int send) {
  ticks = got_at_tick = got_count = 0;
  got_now = 0;
  send_at_tick = send;
  uv_loop_t* loop = uv_default_loop();
  assert_int_equal(uv_signal_init(loop, &watcher), 0);
  assert_int_equal(uv_signal_start(&watcher, on_usr1, SIGUSR1), 0);
  uv_timer_init(loop, &ticker);
  uv_timer_start(&ticker, on_tick, 10, 10);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(loop), 0);
  return sim_trace_hash(sim_current());
}

static void test_outside_signal_recorded_and_replayed(void** state) {
  (void)state;
  begin(NULL, 0, 0);
  uint64_t h1 = run_program(4);
  assert_int_equal(got_count, 1);
  assert_int_equal(got_at_tick, 4);      /* the poll phase after the tick */
  uint64_t at = got_now;
  sim* s = sim_current();
  assert_int_equal(s->obs_len, 1);
  assert_string_equal(s->obs[0].label, "signal");
  assert_int_equal(s->obs[0].value, SIGUSR1);

  sim_repro r;
  sim_repro_init(&r);
  assert_int_equal(sim_repro_take_log(&r, s), 0);
  assert_int_equal(r.nobserved, 1);

  begin(r.observed, r.nobserved, 1);     /* nobody sends it now */
  uint64_t h2 = run_program(0);
  assert_int_equal(got_count, 1);
  assert_int_equal(got_at_tick, 4);
  assert_int_equal(got_now, at);
  assert_int_equal(h2, h1);
  assert_int_equal(sim_observe_left(sim_current()), 0);

  begin(r.observed, r.nobserved, 1);     /* a real one at tick 7: dropped */
  uint64_t h3 = run_program(7);
  assert_int_equal(got_count, 1);
  assert_int_equal(got_at_tick, 4);
  assert_int_equal(h3, h1);
  sim_repro_free(&r);
}

/* Without any: nothing observed, nothing delivered. */
static void test_no_outside_signal_nothing_recorded(void** state) {
  (void)state;
  begin(NULL, 0, 0);
  run_program(0);
  assert_int_equal(got_count, 0);
  assert_int_equal(sim_current()->obs_len, 0);
}

/* Only the signal handle is left when the loop runs; another process
 * sends the signal 5 ms (real) later. */
static void on_usr1_close(uv_signal_t* h, int signum) {
  assert_int_equal(signum, SIGUSR1);
  got_count++;
  uv_close((uv_handle_t*)h, NULL);
}

static uint64_t run_waiting(int send) {
  got_count = 0;
  uv_loop_t* loop = uv_default_loop();
  assert_int_equal(uv_signal_init(loop, &watcher), 0);
  assert_int_equal(uv_signal_start(&watcher, on_usr1_close, SIGUSR1), 0);
  pid_t pid = -1;
  if (send) {
    pid_t parent = getpid();
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      struct timespec nap = { 0, 5000000L };
      nanosleep(&nap, NULL);
      _exit(kill(parent, SIGUSR1) == 0 ? 0 : 1);
    }
  }
  uv_run(loop, UV_RUN_ONCE);
  if (pid > 0) assert_int_equal(waitpid(pid, NULL, 0), pid);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(loop), 0);
  return sim_trace_hash(sim_current());
}

static void test_waits_for_outside_signal_then_replays(void** state) {
  (void)state;
  begin(NULL, 0, 0);
  uint64_t h1 = run_waiting(1);
  assert_int_equal(got_count, 1);
  sim* s = sim_current();
  assert_false(sim_failed(s));
  assert_int_equal(s->obs_len, 1);
  sim_repro r;
  sim_repro_init(&r);
  assert_int_equal(sim_repro_take_log(&r, s), 0);
  begin(r.observed, r.nobserved, 1);
  uint64_t h2 = run_waiting(0);
  assert_int_equal(got_count, 1);
  assert_false(sim_failed(sim_current()));
  assert_int_equal(h2, h1);
  sim_repro_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_outside_signal_recorded_and_replayed),
    cmocka_unit_test(test_no_outside_signal_nothing_recorded),
    cmocka_unit_test(test_waits_for_outside_signal_then_replays),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
