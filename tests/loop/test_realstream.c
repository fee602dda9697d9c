/* tests/loop/test_realstream.c — streams on real descriptors
 * (loop/realstream.c): their decisions and observations.
 *
 * - Two real streams readable in one poll phase are an io_order decision:
 *   choice 0 reads them in the order they were opened, choice 1 the other
 *   way round.
 * - What a look saw is recorded with the stream's label; a replay of those
 *   observations reads at the same virtual time with the same trace hash
 *   although its bytes were there from the start: a replay never looks
 *   (it still reads the descriptor for real: the bytes are not recorded).
 * - A replay past its last observation with only a real stream left
 *   waiting is a hang, not a real wait. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

static void begin(const uint32_t* list, size_t n, const sim_observation* obs, size_t nobs,
                  int replay) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;
  cfg.list = list;
  cfg.list_len = n;
  cfg.replay_observed = replay;
  cfg.observed = obs;
  cfg.nobserved = nobs;
  uvsim_world_begin(&cfg);
}

static void alloc_cb(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void)h;
  (void)size;
  static char slab[64];
  *buf = uv_buf_init(slab, sizeof slab);
}

/* ---- io_order between two real streams */

static char order[8];
static int norder;

static void on_read_order(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)buf;
  assert_int_equal(n, 1);
  order[norder++] = *(const char*)s->data;
  uv_close((uv_handle_t*)s, NULL);
}

static void two_ready(const uint32_t* list, size_t n, const char* want) {
  begin(list, n, NULL, 0, 0);
  int a[2], b[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
  assert_int_equal(write(a[1], "x", 1), 1);
  assert_int_equal(write(b[1], "y", 1), 1);
  uv_loop_t* loop = uv_default_loop();
  uv_pipe_t pa, pb;
  assert_int_equal(uv_pipe_init(loop, &pa, 0), 0);
  assert_int_equal(uv_pipe_init(loop, &pb, 0), 0);
  pa.data = "a";
  pb.data = "b";
  assert_int_equal(uv_pipe_open(&pa, a[0]), 0);
  assert_int_equal(uv_pipe_open(&pb, b[0]), 0);
  assert_int_equal(uv_read_start((uv_stream_t*)&pa, alloc_cb, on_read_order), 0);
  assert_int_equal(uv_read_start((uv_stream_t*)&pb, alloc_cb, on_read_order), 0);
  norder = 0;
  memset(order, 0, sizeof order);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_string_equal(order, want);
  close(a[1]);
  close(b[1]);   /* a[0] and b[0] were closed with their handles */
  assert_int_equal(uv_loop_close(loop), 0);
}

static void test_io_order(void** state) {
  (void)state;
  two_ready(NULL, 0, "ab");
  static const uint32_t flip[] = { 1 };
  two_ready(flip, 1, "ba");
}

/* ---- observations: record, then replay without looking */

static int sv[2];
static uv_pipe_t reader;
static uv_timer_t timer;
static int reads, write_at_timer;
static uint64_t read_at, start_at;

static void on_timer(uv_timer_t* t) {
  (void)t;
  if (write_at_timer) assert_int_equal(write(sv[1], "ping", 4), 4);
}

static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)buf;
  assert_int_equal(n, 4);
  read_at = uv_now(s->loop) - start_at;
  reads++;
  uv_close((uv_handle_t*)s, NULL);
  uv_close((uv_handle_t*)&timer, NULL);
}

/* Runs the program; returns the trace hash. */
static uint64_t run_ping(int at_timer) {
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  write_at_timer = at_timer;
  if (!at_timer) assert_int_equal(write(sv[1], "ping", 4), 4);   /* ready at once */
  reads = 0;
  uv_loop_t* loop = uv_default_loop();
  assert_int_equal(uv_pipe_init(loop, &reader, 0), 0);
  assert_int_equal(uv_pipe_open(&reader, sv[0]), 0);
  assert_int_equal(uv_read_start((uv_stream_t*)&reader, alloc_cb, on_read), 0);
  start_at = uv_now(loop);
  uv_timer_init(loop, &timer);
  uv_timer_start(&timer, on_timer, 30, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  close(sv[1]);
  assert_int_equal(uv_loop_close(loop), 0);
  return sim_trace_hash(sim_current());
}

static void test_observe_replay(void** state) {
  (void)state;
  begin(NULL, 0, NULL, 0, 0);
  uint64_t h1 = run_ping(1);
  assert_int_equal(reads, 1);
  assert_int_equal(read_at, 30);
  sim* s = sim_current();
  assert_int_equal(s->obs_len, 1);
  assert_non_null(strstr(s->obs[0].label, "on_read"));
  sim_repro r;
  sim_repro_init(&r);
  assert_int_equal(sim_repro_take_log(&r, s), 0);
  assert_int_equal(r.nobserved, 1);

  /* the bytes are there from the start: a look would read them at 0 */
  begin(NULL, 0, r.observed, r.nobserved, 1);
  uint64_t h2 = run_ping(0);
  assert_int_equal(reads, 1);
  assert_int_equal(read_at, 30);
  assert_int_equal(h2, h1);
  assert_int_equal(sim_observe_left(sim_current()), 0);
  sim_repro_free(&r);
}

/* ---- a replay past its last observation: a hang, never a real wait */

static void on_never(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)s;
  (void)n;
  (void)buf;
  fail_msg("nothing was recorded: the callback must not run");
}

static void test_replay_exhausted_hangs(void** state) {
  (void)state;
  int p[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
  assert_int_equal(write(p[1], "z", 1), 1);   /* ready for real: not looked at */
  begin(NULL, 0, NULL, 0, 1);
  uv_loop_t* loop = uv_default_loop();
  uv_pipe_t h;
  assert_int_equal(uv_pipe_init(loop, &h, 0), 0);
  assert_int_equal(uv_pipe_open(&h, p[0]), 0);
  assert_int_equal(uv_read_start((uv_stream_t*)&h, alloc_cb, on_never), 0);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(sim_current()->failure.oracle, SIM_BUG_HANG);
  close(p[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_io_order),
    cmocka_unit_test(test_observe_replay),
    cmocka_unit_test(test_replay_exhausted_hangs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
