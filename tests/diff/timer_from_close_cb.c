/* Starting handles from close callbacks: the loop goes on with them. */
#include "d.h"

static uv_timer_t a, b;
static uv_idle_t i;

static void on_b(uv_timer_t* h) {
  SAY("b fires");
  uv_close((uv_handle_t*)h, NULL);
}

static void on_idle(uv_idle_t* h) {
  SAY("idle");
  uv_close((uv_handle_t*)h, NULL);
}

static void a_closed(uv_handle_t* h) {
  SAY("a closed, start b and idle");
  uv_timer_start(&b, on_b, 10, 0);
  uv_idle_start(&i, on_idle);
  (void)h;
}

static void on_a(uv_timer_t* h) {
  SAY("a fires");
  uv_close((uv_handle_t*)h, a_closed);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &a);
  uv_timer_init(loop, &b);
  uv_idle_init(loop, &i);
  uv_timer_start(&a, on_a, 10, 0);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
