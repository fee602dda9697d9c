/* Return values of uv_run in each mode: NOWAIT and ONCE with a pending
 * timer, ONCE blocking until it fires, DEFAULT on an empty loop. */
#include "d.h"

static uv_timer_t t;
static uv_idle_t i;
static int fires;

static void on_timer(uv_timer_t* h) { (void)h; fires++; SAY("timer fires=%d", fires); }
static void on_idle(uv_idle_t* h) { (void)h; SAY("idle"); uv_idle_stop(h); }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  SAY("empty default: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("empty once: %s", E(uv_run(loop, UV_RUN_ONCE)));
  SAY("empty nowait: %s", E(uv_run(loop, UV_RUN_NOWAIT)));
  uv_timer_init(loop, &t);
  uv_timer_start(&t, on_timer, 30, 0);
  SAY("nowait w/ timer: %s fires=%d", E(uv_run(loop, UV_RUN_NOWAIT)), fires);
  SAY("once w/ timer: %s fires=%d", E(uv_run(loop, UV_RUN_ONCE)), fires);
  uv_timer_start(&t, on_timer, 30, 30);
  SAY("once w/ repeat: %s fires=%d", E(uv_run(loop, UV_RUN_ONCE)), fires);
  uv_idle_init(loop, &i);
  uv_idle_start(&i, on_idle);
  SAY("once w/ idle: %s fires=%d", E(uv_run(loop, UV_RUN_ONCE)), fires);
  uv_timer_stop(&t);
  SAY("nowait stopped: %s", E(uv_run(loop, UV_RUN_NOWAIT)));
  uv_close((uv_handle_t*)&t, NULL);
  SAY("nowait closing: %s", E(uv_run(loop, UV_RUN_NOWAIT)));
  SAY("alive: %d", uv_loop_alive(loop));
  uv_close((uv_handle_t*)&i, NULL);
  SAY("once closing: %s", E(uv_run(loop, UV_RUN_ONCE)));
  close_loop(loop);
  return 0;
}
