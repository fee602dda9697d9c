/* tests/loop/test_poll.c — uv_poll's decisions and observations.
 *
 * - Two real descriptors ready in one poll phase are an io_order decision:
 *   choice 0 calls them in the order they were started, choice 1 the other
 *   way round.
 * - What a look at a real descriptor saw is recorded (sim->obs) and a
 *   replay of those observations calls the same callbacks at the same
 *   virtual times, with the same trace hash, although nothing is ever
 *   written to the replay's descriptor: it is never looked at.
 * - A replay past its last observation with only a real descriptor left is
 *   a hang (the recorded run waited there for ever), not a real wait.
 * - Reproducer files carry observations as `observed` lines, files without
 *   them still read, and a bad line is refused with its reason.
 * - A simulated socket (uv_fileno of a tcp handle) polled: readable once
 *   its peer wrote, from the simulated world's state. */
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

/* ---- io_order between two real descriptors */

static char order[8];
static int norder;

static void on_ready(uv_poll_t* h, int status, int events) {
  assert_int_equal(status, 0);
  assert_true(events & UV_READABLE);
  order[norder++] = *(const char*)h->data;
  uv_close((uv_handle_t*)h, NULL);
}

static void two_ready(const uint32_t* list, size_t n, const char* want) {
  begin(list, n, NULL, 0, 0);
  int a[2], b[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
  assert_int_equal(write(a[1], "x", 1), 1);
  assert_int_equal(write(b[1], "y", 1), 1);
  uv_loop_t* loop = uv_default_loop();
  uv_poll_t pa, pb;
  pa.data = "a";
  pb.data = "b";
  assert_int_equal(uv_poll_init(loop, &pa, a[0]), 0);
  assert_int_equal(uv_poll_init(loop, &pb, b[0]), 0);
  assert_int_equal(uv_poll_start(&pa, UV_READABLE, on_ready), 0);
  assert_int_equal(uv_poll_start(&pb, UV_READABLE, on_ready), 0);
  norder = 0;
  memset(order, 0, sizeof order);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_string_equal(order, want);
  for (int i = 0; i < 2; i++) {
    close(a[i]);
    close(b[i]);
  }
  assert_int_equal(uv_loop_close(loop), 0);
}

static void test_io_order(void** state) {
  (void)state;
  two_ready(NULL, 0, "ab");
  static const uint32_t flip[] = { 1 };
  two_ready(flip, 1, "ba");
}

/* ---- observations: record, then replay without the descriptor */

static int sv[2];
static uv_poll_t poller;
static uv_timer_t timer;
static int reads, write_for_real;
static uint64_t read_at[4];

static void on_timer(uv_timer_t* t) {
  (void)t;
  if (write_for_real) assert_int_equal(write(sv[1], "ping", 4), 4);
}

static void on_readable(uv_poll_t* h, int status, int events) {
  assert_int_equal(status, 0);
  assert_int_equal(events, UV_READABLE);
  char buf[8];
  ssize_t n = read(sv[0], buf, sizeof buf);
  (void)n;   /* the replay's descriptor holds nothing: EAGAIN */
  read_at[reads++] = uv_now(h->loop);
  uv_close((uv_handle_t*)h, NULL);
  uv_close((uv_handle_t*)&timer, NULL);
}

/* Runs the program; returns the trace hash. */
static uint64_t run_ping(int real_write) {
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  write_for_real = real_write;
  reads = 0;
  uv_loop_t* loop = uv_default_loop();
  assert_int_equal(uv_poll_init(loop, &poller, sv[0]), 0);
  assert_int_equal(uv_poll_start(&poller, UV_READABLE, on_readable), 0);
  uv_timer_init(loop, &timer);
  uv_timer_start(&timer, on_timer, 30, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  close(sv[0]);
  close(sv[1]);
  assert_int_equal(uv_loop_close(loop), 0);
  return sim_trace_hash(sim_current());
}

static void test_observe_replay(void** state) {
  (void)state;
  begin(NULL, 0, NULL, 0, 0);
  uint64_t h1 = run_ping(1);
  assert_int_equal(reads, 1);
  uint64_t t1 = read_at[0];
  sim* s = sim_current();
  assert_int_equal(s->obs_len, 1);
  assert_int_equal(s->obs[0].value, UV_READABLE);
  assert_string_equal(s->obs[0].label, "poll:on_readable");
  /* keep them: the next world begin reuses the log */
  sim_repro r;
  sim_repro_init(&r);
  assert_int_equal(sim_repro_take_log(&r, s), 0);
  assert_int_equal(r.nobserved, 1);

  begin(NULL, 0, r.observed, r.nobserved, 1);
  uint64_t h2 = run_ping(0);          /* nothing is ever written */
  assert_int_equal(reads, 1);
  assert_int_equal(read_at[0], t1);
  assert_int_equal(h2, h1);
  assert_int_equal(sim_observe_left(sim_current()), 0);
  sim_repro_free(&r);
}

/* ---- a replay past its last observation: a hang, never a real wait */

static void on_never(uv_poll_t* h, int status, int events) {
  (void)h;
  (void)status;
  (void)events;
  fail_msg("nothing was recorded: the callback must not run");
}

static void test_replay_exhausted_hangs(void** state) {
  (void)state;
  int p[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
  assert_int_equal(write(p[1], "z", 1), 1);   /* ready for real: not looked at */
  begin(NULL, 0, NULL, 0, 1);
  uv_loop_t* loop = uv_default_loop();
  uv_poll_t h;
  assert_int_equal(uv_poll_init(loop, &h, p[0]), 0);
  assert_int_equal(uv_poll_start(&h, UV_READABLE, on_never), 0);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(sim_current()->failure.oracle, SIM_BUG_HANG);
  close(p[0]);
  close(p[1]);
}

/* ---- reproducer files */

static const char* header =
    "uvsim-reproducer 1\nversion " SIM_VERSION "\nscenario exec\nstrategy random\nseed 3\n";

static void test_repro_lines(void** state) {
  (void)state;
  char text[1024], err[256];
  sim_repro r;
  snprintf(text, sizeof text, "%sobserved 4 1 poll:on_wakeup\nobserved 9 6 poll:on_wakeup#2\n"
           "decisions 0\nend\n", header);
  assert_int_equal(sim_repro_parse(&r, "t", text, err, sizeof err), 0);
  assert_int_equal(r.nobserved, 2);
  assert_int_equal(r.observed[1].seq, 9);
  assert_int_equal(r.observed[1].value, 6);
  assert_string_equal(r.observed[1].label, "poll:on_wakeup#2");
  char* out = NULL;
  size_t len = 0;
  FILE* f = open_memstream(&out, &len);
  sim_repro_fprint(&r, f);
  fclose(f);
  assert_non_null(strstr(out, "observed 4 1 poll:on_wakeup\nobserved 9 6 poll:on_wakeup#2\n"));
  free(out);
  sim_repro_free(&r);

  snprintf(text, sizeof text, "%sdecisions 0\nend\n", header);   /* an old file */
  assert_int_equal(sim_repro_parse(&r, "t", text, err, sizeof err), 0);
  assert_int_equal(r.nobserved, 0);
  sim_repro_free(&r);

  snprintf(text, sizeof text, "%sobserved 4 0 poll:x\ndecisions 0\nend\n", header);
  assert_int_equal(sim_repro_parse(&r, "t", text, err, sizeof err), -1);
  assert_non_null(strstr(err, "t:6: 'observed 4 0'"));
  snprintf(text, sizeof text, "%sobserved 4\ndecisions 0\nend\n", header);
  assert_int_equal(sim_repro_parse(&r, "t", text, err, sizeof err), -1);
  assert_non_null(strstr(err, "needs 'SEQ VALUE LABEL'"));
}

/* ---- a simulated socket */

static uv_tcp_t server, client, accepted;
static uv_connect_t creq;
static uv_poll_t simpoll;
static int sim_events_seen;

static void on_sim_poll(uv_poll_t* h, int status, int events) {
  assert_int_equal(status, 0);
  sim_events_seen |= events;
  uv_close((uv_handle_t*)h, NULL);
  uv_close((uv_handle_t*)&server, NULL);
  uv_close((uv_handle_t*)&client, NULL);
  uv_close((uv_handle_t*)&accepted, NULL);
}

static void on_conn(uv_stream_t* s, int status) {
  assert_int_equal(status, 0);
  uv_tcp_init(s->loop, &accepted);
  assert_int_equal(uv_accept(s, (uv_stream_t*)&accepted), 0);
  uv_os_fd_t fd;
  assert_int_equal(uv_fileno((uv_handle_t*)&accepted, &fd), 0);
  assert_int_equal(uv_poll_init(s->loop, &simpoll, fd), 0);
  assert_int_equal(uv_poll_start(&simpoll, UV_READABLE, on_sim_poll), 0);
}

static void on_connect(uv_connect_t* req, int status) {
  assert_int_equal(status, 0);
  uv_buf_t b = uv_buf_init("hi", 2);
  assert_int_equal(uv_try_write(req->handle, &b, 1), 2);
}

static void test_sim_socket(void** state) {
  (void)state;
  begin(NULL, 0, NULL, 0, 0);
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 9123, &addr);
  uv_tcp_init(loop, &server);
  assert_int_equal(uv_tcp_bind(&server, (const struct sockaddr*)&addr, 0), 0);
  assert_int_equal(uv_listen((uv_stream_t*)&server, 8, on_conn), 0);
  uv_tcp_init(loop, &client);
  assert_int_equal(uv_tcp_connect(&creq, &client, (const struct sockaddr*)&addr, on_connect), 0);
  sim_events_seen = 0;
  uv_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(sim_events_seen, UV_READABLE);
  assert_int_equal(sim_current()->obs_len, 0);   /* nothing real was looked at */
  assert_int_equal(uv_loop_close(loop), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_io_order),
    cmocka_unit_test(test_observe_replay),
    cmocka_unit_test(test_replay_exhausted_hangs),
    cmocka_unit_test(test_repro_lines),
    cmocka_unit_test(test_sim_socket),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
