/* bench/loop/bench_loop.c — callbacks per second of the loop's hot paths.
 * The same source is built against real libuv and against libuvsim
 * (BENCH_IMPL names which); run.sh runs both and prints the ratios.
 *
 * Workloads: 64 timers re-armed at 0 ms from their own callbacks; one idle
 * handle; one async handle re-sent from its own callback; one uv_queue_work
 * request re-queued from its after_work callback (a round trip to the pool
 * and back; on uvsim with real worker threads). Wall time is read
 * with clock_gettime directly: uv_hrtime is virtual under uvsim. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <uv.h>

#ifndef BENCH_IMPL
#define BENCH_IMPL "?"
#endif

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t count, limit;

static void timer_cb(uv_timer_t* t) {
  if (++count >= limit) {
    uv_stop(t->loop);
    return;
  }
  uv_timer_start(t, timer_cb, 0, 0);
}

static void idle_cb(uv_idle_t* h) {
  if (++count >= limit) uv_idle_stop(h);
}

static void async_cb(uv_async_t* a) {
  if (++count >= limit) {
    uv_close((uv_handle_t*)a, NULL);
    return;
  }
  uv_async_send(a);
}

static void work_cb(uv_work_t* req) { (void)req; }

static void after_work_cb(uv_work_t* req, int status) {
  (void)status;
  if (++count < limit) uv_queue_work(req->loop, req, work_cb, after_work_cb);
}

static void close_cb(uv_handle_t* h, void* arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

static double run_timers(uint64_t n) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t timers[64];
  count = 0;
  limit = n;
  for (int i = 0; i < 64; i++) {
    uv_timer_init(loop, &timers[i]);
    uv_timer_start(&timers[i], timer_cb, 0, 0);
  }
  double t0 = wall_s();
  uv_run(loop, UV_RUN_DEFAULT);
  double dt = wall_s() - t0;
  uv_walk(loop, close_cb, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  return (double)count / dt;
}

static double run_idle(uint64_t n) {
  uv_loop_t* loop = uv_default_loop();
  uv_idle_t idle;
  count = 0;
  limit = n;
  uv_idle_init(loop, &idle);
  uv_idle_start(&idle, idle_cb);
  double t0 = wall_s();
  uv_run(loop, UV_RUN_DEFAULT);
  double dt = wall_s() - t0;
  uv_close((uv_handle_t*)&idle, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  return (double)count / dt;
}

static double run_async(uint64_t n) {
  uv_loop_t* loop = uv_default_loop();
  uv_async_t a;
  count = 0;
  limit = n;
  uv_async_init(loop, &a, async_cb);
  uv_async_send(&a);
  double t0 = wall_s();
  uv_run(loop, UV_RUN_DEFAULT);
  double dt = wall_s() - t0;
  return (double)count / dt;
}

static double run_work(uint64_t n) {
  uv_loop_t* loop = uv_default_loop();
  uv_work_t req;
  count = 0;
  limit = n;
  uv_queue_work(loop, &req, work_cb, after_work_cb);
  double t0 = wall_s();
  uv_run(loop, UV_RUN_DEFAULT);
  double dt = wall_s() - t0;
  return (double)count / dt;
}

int main(int argc, char** argv) {
  /* scale: 1 = default sizes (about a second per workload on real libuv) */
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  if (scale <= 0) scale = 1.0;
  double timers = run_timers((uint64_t)(8e6 * scale));
  double idle = run_idle((uint64_t)(5e5 * scale));
  double async = run_async((uint64_t)(5e5 * scale));
  double work = run_work((uint64_t)(1e5 * scale));
  printf("%s timers %.0f idle %.0f async %.0f work %.0f\n", BENCH_IMPL, timers, idle, async,
         work);
  return uv_loop_close(uv_default_loop()) == 0 ? 0 : 1;
}
