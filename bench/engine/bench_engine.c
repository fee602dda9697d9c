/* bench/engine/bench_engine.c — engine throughput in jobs/s, for the same
 * workloads as bench.js runs under real node (run.sh prints both):
 *   microtask  queueMicrotask re-queueing itself N times
 *   then       a chain of N .then reactions on one promise, then resolved
 *   tick       process.nextTick re-queueing itself N times
 *   await      an async function awaiting a plain value N times
 *   runs       N whole in-process runs of a small program (loop init, 20
 *              promises, a tick, an immediate, run, close, reset) — the
 *              campaign workload; node has no equivalent (prints runs/s)
 * Usage: bench_engine KIND N   → prints "KIND N jobs/s". The wall clock is
 * fine here: benchmarks are not simulated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "uvsim/engine.h"

static long remaining;

static void micro(void* d) { if (--remaining > 0) uvsim_queue_microtask(micro, d); }
static void tick(void* d) { if (--remaining > 0) uvsim_next_tick(tick, d); }
static uvsim_value inc(uvsim_value v, void* d) { (void)d; return uvsim_int(v.u.i + 1); }

typedef struct { uvsim_async a; long i; } await_frame;
static void awaiter(uvsim_async* a) {
  await_frame* f = (await_frame*)a;
  UVSIM_ASYNC_BEGIN(f);
  for (f->i = 0; f->i < remaining; f->i++) UVSIM_AWAIT(f, uvsim_int(f->i));
  UVSIM_ASYNC_END(f);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(const char* kind, long n) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  uvsim_engine_init(&loop);
  uvsim_set_checkpoint_jobs_max((uint64_t)n * 4); /* long chains are the point */
  remaining = n;
  double t0 = now_s();
  if (strcmp(kind, "microtask") == 0) {
    uvsim_queue_microtask(micro, NULL);
  } else if (strcmp(kind, "tick") == 0) {
    uvsim_next_tick(tick, NULL);
  } else if (strcmp(kind, "then") == 0) {
    uvsim_promise* first = uvsim_promise_new();
    uvsim_promise* p = first;
    for (long i = 0; i < n; i++) p = uvsim_then(p, inc, NULL, NULL);
    uvsim_promise_resolve(first, uvsim_int(0));
  } else if (strcmp(kind, "await") == 0) {
    uvsim_async_call(uvsim_alloc(sizeof(await_frame)), awaiter);
  } else {
    fprintf(stderr, "bench_engine: unknown kind '%s'\n", kind);
    return 2;
  }
  int rc = uvsim_engine_run(&loop);
  double dt = now_s() - t0;
  uvsim_engine_close(&loop);
  uv_loop_close(&loop);
  uvs__engine_reset();
  if (rc != 0) return rc;
  printf("%s %ld %.0f\n", kind, n, n / dt);
  return 0;
}

static void noop(void* d) { (void)d; }

static int campaign(long n) {
  double t0 = now_s();
  for (long r = 0; r < n; r++) {
    uv_loop_t loop;
    uv_loop_init(&loop);
    uvsim_engine_init(&loop);
    uvsim_promise* p = uvsim_promise_from(uvsim_int(0));
    for (int i = 0; i < 20; i++) p = uvsim_then(p, inc, NULL, NULL);
    uvsim_next_tick(noop, NULL);
    uvsim_set_immediate(noop, NULL);
    if (uvsim_engine_run(&loop) != 0) return 1;
    uvsim_engine_close(&loop);
    uv_loop_close(&loop);
    uvs__engine_reset();
  }
  printf("runs %ld %.0f\n", n, n / (now_s() - t0));
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s microtask|then|tick|await|runs N\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "runs") == 0) return campaign(atol(argv[2]));
  return run(argv[1], atol(argv[2]));
}
