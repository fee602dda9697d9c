/* bench/world/bench_world.c — throughput of the simulated world, measured
 * with the real clock (benchmarks only; nothing here is on a simulated
 * path):
 *   1. fs reset + a scenario's set-up (10 files in 3 directories);
 *   2. a full uvsim_world_begin (loop, pool, engine, fs, net, dns, faults);
 *   3. an echo round trip through libuv's API (connect, 10 messages, close);
 *   4. async uv_fs_stat round trips through the simulated pool.
 * Prints one JSON object. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "sim/sim_fs.h"
#include "sim/sim.h"
#include "uvsim/loop.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bench_fs_reset(int n) {
  sim_fs* fs = sim_fs_new();
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    sim_fs_reset(fs);
    for (int k = 0; k < 10; k++) {
      char p[64];
      snprintf(p, sizeof p, "/data/d%d/file%d", k % 3, k);
      sim_fs_put_file(fs, p, "hello", 5, 0);
    }
  }
  double dt = now_s() - t0;
  sim_fs_free(fs);
  return n / dt;
}

static double bench_world_begin(int n) {
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    uvsim_world_begin(NULL);
    uvsim_world_end();
  }
  return n / (now_s() - t0);
}

/* ---- echo */
static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_write_t wreq, ereq;
static char slab[256];
static int sent;

static void on_close(uv_handle_t* h) { (void)h; }
static void on_alloc(uv_handle_t* h, size_t s, uv_buf_t* b) {
  (void)h; (void)s;
  *b = uv_buf_init(slab, sizeof slab);
}
static void send_one(void) {
  uv_buf_t b = uv_buf_init("ping", 4);
  uv_write(&wreq, (uv_stream_t*)&client, &b, 1, NULL);
}
static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    uv_buf_t b = uv_buf_init(buf->base, (unsigned)n);
    uv_write(&ereq, s, &b, 1, NULL);
  } else if (n < 0) {
    uv_close((uv_handle_t*)s, on_close);
    uv_close((uv_handle_t*)&server, on_close);
  }
}
static void client_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void)buf;
  if (n <= 0) return;
  if (++sent == 10) uv_close((uv_handle_t*)s, on_close);
  else send_one();
}
static void on_conn(uv_stream_t* s, int status) {
  (void)status;
  uv_tcp_init(s->loop, &conn);
  uv_accept(s, (uv_stream_t*)&conn);
  uv_read_start((uv_stream_t*)&conn, on_alloc, server_read);
}
static void on_connect(uv_connect_t* r, int status) {
  (void)status;
  uv_read_start(r->handle, on_alloc, client_read);
  send_one();
}

static double bench_echo(int n) {
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    uvsim_world_begin(NULL);
    sent = 0;
    uv_loop_t* loop = uv_default_loop();
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 9000, &a);
    uv_tcp_init(loop, &server);
    uv_tcp_bind(&server, (const struct sockaddr*)&a, 0);
    uv_listen((uv_stream_t*)&server, 8, on_conn);
    uv_tcp_init(loop, &client);
    uv_tcp_connect(&creq, &client, (const struct sockaddr*)&a, on_connect);
    uv_run(loop, UV_RUN_DEFAULT);
    uvsim_world_end();
  }
  return n / (now_s() - t0);
}

static uv_fs_t sreq;
static int stats_left;
static void on_stat(uv_fs_t* r) {
  uv_fs_req_cleanup(r);
  if (--stats_left > 0) uv_fs_stat(uv_default_loop(), &sreq, "/tmp", on_stat);
}

static double bench_fs_stat(int n) {
  uvsim_pool_set_inline(1);
  uvsim_world_begin(NULL);
  stats_left = n;
  double t0 = now_s();
  uv_fs_stat(uv_default_loop(), &sreq, "/tmp", on_stat);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
  double dt = now_s() - t0;
  uvsim_world_end();
  return n / dt;
}

int main(void) {
  double fs_resets = bench_fs_reset(100000);
  double begins = bench_world_begin(100000);
  double echoes = bench_echo(20000);
  double stats = bench_fs_stat(200000);
  printf("{\"fs_reset_plus_10_files_per_s\": %.0f, \"world_begin_per_s\": %.0f, "
         "\"echo_sessions_per_s\": %.0f, \"async_fs_stat_per_s\": %.0f}\n",
         fs_resets, begins, echoes, stats);
  return 0;
}
