/* uv_async_send from a work callback. The loop thread is busy while the job
 * runs, so by the time it polls both the send and the job's completion are
 * pending: libuv delivers the pool's completion first (its internal async
 * handle was created first), then the user's async. */
#include "d.h"

static uv_async_t as;
static uv_work_t w;
static int sends;

static void on_async(uv_async_t* h) {
  SAY("async cb (sends %d)", sends);
  uv_close((uv_handle_t*)h, NULL);
}

static void work(uv_work_t* r) {
  (void)r;
  sends++;
  uv_async_send(&as);
  uv_async_send(&as);
}

static void after(uv_work_t* r, int status) {
  (void)r;
  SAY("after_work %s", E(status));
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_async_init(loop, &as, on_async);
  uv_queue_work(loop, &w, work, after);
  busy_sleep_ms(100);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
