/* tests/loop/env_target.c — a pool job and a timer on the default loop,
 * for env.sh: enough to read every numeric variable libuvsim takes from the
 * environment (the seed at the world's start, the pool's size and grace at
 * the first job, the start lag at the first uv_run). */
#include <stdio.h>
#include <uv.h>

static void work(uv_work_t* req) { (void)req; }
static void after_work(uv_work_t* req, int status) { (void)req, (void)status; }
static void on_timer(uv_timer_t* t) { (void)t; }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_work_t req;
  uv_timer_t timer;
  uv_queue_work(loop, &req, work, after_work);
  uv_timer_init(loop, &timer);
  uv_timer_start(&timer, on_timer, 1, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t*)&timer, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  printf("ok\n");
  return uv_loop_close(loop) == 0 ? 0 : 1;
}
