/* tests/loop/test_peer.c — peer processes (loop/peer.c): a server started
 * with uvsim_peer_start answers the program over the simulated network in
 * the same world; its loop's liveness is its own (the program's uv_run
 * returns while it still listens); its timers move the clock when the
 * program sleeps (no hang); a program that never sleeps still gets its
 * answer; and a seed still gives one trace hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

#define PORT 7123

static void begin_seed(uint64_t seed) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_SEED;
  cfg.seed = seed;
  uvsim_world_begin(&cfg);
}

static char slab[65536];
static void alloc_cb(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void)h; (void)size;
  *buf = uv_buf_init(slab, sizeof slab);
}

/* ---- the peer: an echo server on 127.0.0.1:PORT */

static struct {
  uv_tcp_t server, conn;
  uv_write_t w;
  char echo[64];
} peer;

static void peer_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    memcpy(peer.echo, buf->base, (size_t)n);
    uv_buf_t b = uv_buf_init(peer.echo, (unsigned)n);
    uv_write(&peer.w, s, &b, 1, NULL);
  } else if (n < 0) {
    uv_close((uv_handle_t*)s, NULL);
  }
}

static void peer_connection(uv_stream_t* s, int status) {
  assert_int_equal(status, 0);
  uv_tcp_init(s->loop, &peer.conn);
  assert_int_equal(uv_accept(s, (uv_stream_t*)&peer.conn), 0);
  uv_read_start((uv_stream_t*)&peer.conn, alloc_cb, peer_read);
}

static int echo_server(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", PORT, &a);
  uv_tcp_init(loop, &peer.server);
  assert_int_equal(uv_tcp_bind(&peer.server, (const struct sockaddr*)&a, 0), 0);
  assert_int_equal(uv_listen((uv_stream_t*)&peer.server, 8, peer_connection), 0);
  uv_run(loop, UV_RUN_DEFAULT);   /* listens for ever */
  return 0;
}

/* ---- the program: a client */

static struct {
  uv_tcp_t tcp;
  uv_connect_t c;
  uv_write_t w;
  char got[64];
  size_t ngot;
} cl;

static void client_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    memcpy(cl.got + cl.ngot, buf->base, (size_t)n);
    cl.ngot += (size_t)n;
    if (cl.ngot == 5) uv_close((uv_handle_t*)s, NULL);
  }
}

static void client_connected(uv_connect_t* req, int status) {
  assert_int_equal(status, 0);
  uv_buf_t b = uv_buf_init("hello", 5);
  uv_write(&cl.w, req->handle, &b, 1, NULL);
  uv_read_start(req->handle, alloc_cb, client_read);
}

static uint64_t echo_run(uint64_t seed) {
  begin_seed(seed);
  memset(&peer, 0, sizeof peer);
  memset(&cl, 0, sizeof cl);
  assert_int_equal(uvsim_peer_start(echo_server), 0);
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", PORT, &a);
  uv_tcp_init(loop, &cl.tcp);
  assert_int_equal(uv_tcp_connect(&cl.c, &cl.tcp, (const struct sockaddr*)&a,
                                  client_connected), 0);
  /* returns once the client closed, though the peer still listens */
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_false(uvsim_failed());
  assert_int_equal(cl.ngot, 5);
  assert_memory_equal(cl.got, "hello", 5);
  uint64_t h = uvsim_trace_hash();
  assert_int_equal(uv_loop_close(loop), 0);
  uvsim_world_end();
  return h;
}

static void test_peer_echo_same_seed_same_hash(void** state) {
  (void)state;
  uint64_t first = echo_run(1);
  int differs = 0;
  for (uint64_t seed = 1; seed <= 30; seed++) {
    uint64_t a = echo_run(seed);
    assert_int_equal(a, echo_run(seed));
    if (a != first) differs++;
  }
  assert_true(differs > 0);   /* the seed does reach the peer's reads */
}

/* ---- a program that never sleeps (an idle handle: every poll has a zero
 * timeout) still meets its peer's answer, once the peer has been ready for
 * its wake-up time (failed, at the step budget, when only a sleeping
 * program let its peers run) */

static struct {
  uv_idle_t idle;
  unsigned spins;
} busy;

static void busy_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    memcpy(cl.got + cl.ngot, buf->base, (size_t)n);
    cl.ngot += (size_t)n;
    if (cl.ngot == 5) {
      uv_close((uv_handle_t*)s, NULL);
      uv_close((uv_handle_t*)&busy.idle, NULL);
    }
  }
}

static void busy_connected(uv_connect_t* req, int status) {
  assert_int_equal(status, 0);
  uv_buf_t b = uv_buf_init("hello", 5);
  uv_write(&cl.w, req->handle, &b, 1, NULL);
  uv_read_start(req->handle, alloc_cb, busy_read);
}

static void busy_spin(uv_idle_t* h) {
  (void)h;
  busy.spins++;
}

static void test_peer_answers_a_busy_loop(void** state) {
  (void)state;
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;   /* the natural order */
  uvsim_world_begin(&cfg);
  memset(&peer, 0, sizeof peer);
  memset(&cl, 0, sizeof cl);
  memset(&busy, 0, sizeof busy);
  assert_int_equal(uvsim_peer_start(echo_server), 0);
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", PORT, &a);
  uv_tcp_init(loop, &cl.tcp);
  assert_int_equal(uv_tcp_connect(&cl.c, &cl.tcp, (const struct sockaddr*)&a,
                                  busy_connected), 0);
  uv_idle_init(loop, &busy.idle);
  uv_idle_start(&busy.idle, busy_spin);
  uv_run(loop, UV_RUN_DEFAULT);
  assert_false(uvsim_failed());
  assert_int_equal(cl.ngot, 5);
  assert_true(busy.spins > 0);
  assert_int_equal(uv_loop_close(loop), 0);
  uvsim_world_end();
}

/* ---- a peer's timer moves the clock while the program sleeps */

static struct {
  uv_timer_t timer;
  uv_tcp_t tcp;
  uv_connect_t c;
} late;

static void late_connected(uv_connect_t* req, int status) {
  assert_int_equal(status, 0);
  uv_close((uv_handle_t*)req->handle, NULL);
}

static void late_timer(uv_timer_t* t) {
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", PORT, &a);
  uv_tcp_init(t->loop, &late.tcp);
  uv_tcp_connect(&late.c, &late.tcp, (const struct sockaddr*)&a, late_connected);
  uv_close((uv_handle_t*)t, NULL);
}

static int late_client(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &late.timer);
  uv_timer_start(&late.timer, late_timer, 100, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}

static struct {
  uv_tcp_t server, conn;
  uint64_t at;
} srv;

static void srv_connection(uv_stream_t* s, int status) {
  assert_int_equal(status, 0);
  srv.at = uv_now(s->loop);
  uv_tcp_init(s->loop, &srv.conn);
  uv_accept(s, (uv_stream_t*)&srv.conn);
  uv_close((uv_handle_t*)&srv.conn, NULL);
  uv_close((uv_handle_t*)s, NULL);
}

static void test_peer_timer_moves_clock(void** state) {
  (void)state;
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;   /* the natural order */
  uvsim_world_begin(&cfg);
  memset(&late, 0, sizeof late);
  memset(&srv, 0, sizeof srv);
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", PORT, &a);
  uv_tcp_init(loop, &srv.server);
  assert_int_equal(uv_tcp_bind(&srv.server, (const struct sockaddr*)&a, 0), 0);
  assert_int_equal(uv_listen((uv_stream_t*)&srv.server, 8, srv_connection), 0);
  uint64_t start = uv_now(loop);
  assert_int_equal(uvsim_peer_start(late_client), 0);
  /* the program has no timer: only the peer's can end its sleep */
  uv_run(loop, UV_RUN_DEFAULT);
  assert_false(uvsim_failed());
  assert_true(srv.at >= start + 100);
  assert_true(srv.at <= start + 101);
  assert_int_equal(uv_loop_close(loop), 0);
  uvsim_world_end();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_peer_echo_same_seed_same_hash),
    cmocka_unit_test(test_peer_timer_moves_clock),
    cmocka_unit_test(test_peer_answers_a_busy_loop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
