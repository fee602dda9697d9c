/* With one pool thread, jobs run and complete in submission order; the
 * after_work callbacks see status 0; a request is reusable from its own
 * after_work callback. (Run with UV_THREADPOOL_SIZE=1.) */
#include "d.h"

#define N 6
static uv_work_t w[N];
static int ran[N], again;

static void work(uv_work_t* r) { ran[r - w]++; }

static void after(uv_work_t* r, int status) {
  int i = (int)(r - w);
  SAY("after %d status=%s ran=%d type=%s", i, E(status), ran[i], uv_req_type_name(r->type));
  if (i == 2 && !again++) SAY("requeue 2: %s", E(uv_queue_work(r->loop, r, work, after)));
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  for (int i = 0; i < N; i++) SAY("queue %d: %s", i, E(uv_queue_work(loop, &w[i], work, after)));
  SAY("alive: %d", uv_loop_alive(loop));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("alive: %d", uv_loop_alive(loop));
  close_loop(loop);
  return 0;
}
