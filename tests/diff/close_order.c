/* Close callbacks run in the closing phase, last closed first; handles
 * closed from a close callback close in the same phase; a handle closed
 * without a callback is still unlinked. */
#include "d.h"

static uv_timer_t t1, t2;
static uv_idle_t i1;
static uv_check_t c1;
static uv_prepare_t p1;
static uv_async_t a1;

static void on_close(uv_handle_t* h) {
  SAY("close_cb %s (%s)", (const char*)h->data, uv_handle_type_name(h->type));
  if (h == (uv_handle_t*)&t1) uv_close((uv_handle_t*)&a1, on_close);
}

static void count(uv_handle_t* h, void* arg) {
  (void)h;
  (*(int*)arg)++;
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t1); t1.data = "t1";
  uv_timer_init(loop, &t2); t2.data = "t2";
  uv_idle_init(loop, &i1); i1.data = "i1";
  uv_check_init(loop, &c1); c1.data = "c1";
  uv_prepare_init(loop, &p1); p1.data = "p1";
  uv_async_init(loop, &a1, NULL); a1.data = "a1";
  uv_close((uv_handle_t*)&i1, on_close);
  uv_close((uv_handle_t*)&t1, on_close);
  uv_close((uv_handle_t*)&c1, NULL);
  uv_close((uv_handle_t*)&t2, on_close);
  uv_close((uv_handle_t*)&p1, on_close);
  int n = 0;
  uv_walk(loop, count, &n);
  SAY("walk before run: %d", n);
  SAY("alive: %d", uv_loop_alive(loop));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  n = 0;
  uv_walk(loop, count, &n);
  SAY("walk after run: %d", n);
  close_loop(loop);
  return 0;
}
