/* Jobs queued from after_work callbacks and from timers; a job without an
 * after_work callback still counts as a request until it is done. */
#include "d.h"

static uv_work_t w[8];
static uv_timer_t t;
static int nwork, nafter;

static void work(uv_work_t* r) { (void)r; __atomic_add_fetch(&nwork, 1, __ATOMIC_SEQ_CST); }

static void after(uv_work_t* r, int status) {
  int i = (int)(r - w);
  nafter++;
  SAY("after %d status=%s", i, E(status));
  if (i < 3) uv_queue_work(r->loop, &w[i + 1], work, after);
}

static void on_timer(uv_timer_t* h) {
  SAY("timer: alive=%d", uv_loop_alive(h->loop));
  uv_queue_work(h->loop, &w[5], work, NULL);
  uv_queue_work(h->loop, &w[6], work, after);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t);
  uv_timer_start(&t, on_timer, 200, 0);   /* far behind the chain, even under load */
  uv_queue_work(loop, &w[0], work, after);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("work %d after %d", nwork, nafter);
  uv_close((uv_handle_t*)&t, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
