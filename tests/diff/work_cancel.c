/* uv_cancel: a queued job is cancelled (its after_work gets UV_ECANCELED and
 * its work never runs); the running one answers EBUSY. (Cancelling a
 * finished request corrupts real libuv's queue, so it is not tried.)
 * The first job blocks on a semaphore until a timer callback has done the
 * cancels, so the states are certain even on a loaded machine. (Run with UV_THREADPOOL_SIZE=1.) */
#include "d.h"

#define N 4
static uv_work_t w[N];
static uv_sem_t sem;
static int ran[N];

static void work(uv_work_t* r) {
  int i = (int)(r - w);
  if (i == 0) uv_sem_wait(&sem);
  ran[i] = 1;
}

static void after(uv_work_t* r, int status) {
  int i = (int)(r - w);
  SAY("after %d status=%s ran=%d", i, E(status), ran[i]);
}

static void nop_after(uv_work_t* r, int status) {
  (void)r;
  SAY("null-work after: %s", E(status));
}

static uv_timer_t timer;

/* 200 ms in: job 0 has certainly been picked up by the one pool thread (it
 * blocks on the semaphore), jobs 1 and 2 are certainly still queued. */
static void on_timer(uv_timer_t* t) {
  SAY("cancel 0 (running): %s", E(uv_cancel((uv_req_t*)&w[0])));
  SAY("cancel 2 (queued): %s", E(uv_cancel((uv_req_t*)&w[2])));
  SAY("cancel 2 again: %s", E(uv_cancel((uv_req_t*)&w[2])));
  uv_sem_post(&sem);
  uv_close((uv_handle_t*)t, NULL);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_sem_init(&sem, 0);
  for (int i = 0; i < N; i++) uv_queue_work(loop, &w[i], work, after);
  /* job 3 is queued behind the blocked job 0 whatever the thread does */
  SAY("cancel 3 (queued): %s", E(uv_cancel((uv_req_t*)&w[3])));
  uv_work_t bad;
  SAY("queue null work: %s", E(uv_queue_work(loop, &bad, NULL, nop_after)));
  uv_timer_init(loop, &timer);
  uv_timer_start(&timer, on_timer, 200, 0);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  for (int i = 0; i < N; i++) SAY("ran %d: %d", i, ran[i]);
  uv_sem_destroy(&sem);
  close_loop(loop);
  return 0;
}
