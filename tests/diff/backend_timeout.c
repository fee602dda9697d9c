/* uv_backend_timeout: 0 without handles, -1 with only non-timer handles, the
 * time to the next timer, 0 with idle handles, pending closes or a stop. */
#include "d.h"

static void nop_timer(uv_timer_t* h) { (void)h; }
static void nop_idle(uv_idle_t* h) { (void)h; }
static void nop_check(uv_check_t* h) { (void)h; }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  SAY("empty: %d", uv_backend_timeout(loop));
  uv_check_t c;
  uv_check_init(loop, &c);
  uv_check_start(&c, nop_check);
  SAY("check only: %d", uv_backend_timeout(loop));
  uv_timer_t t1, t2;
  uv_timer_init(loop, &t1);
  uv_timer_init(loop, &t2);
  uv_timer_start(&t1, nop_timer, 1000, 0);
  SAY("timer 1000: %d", uv_backend_timeout(loop));
  uv_timer_start(&t2, nop_timer, 250, 0);
  SAY("timers 1000+250: %d", uv_backend_timeout(loop));
  uv_unref((uv_handle_t*)&t2);
  SAY("t2 unref'd: %d", uv_backend_timeout(loop));
  uv_timer_start(&t2, nop_timer, 0, 0);
  SAY("t2 at 0: %d", uv_backend_timeout(loop));
  uv_timer_stop(&t2);
  uv_idle_t i;
  uv_idle_init(loop, &i);
  SAY("idle inactive: %d", uv_backend_timeout(loop));
  uv_idle_start(&i, nop_idle);
  SAY("idle active: %d", uv_backend_timeout(loop));
  uv_idle_stop(&i);
  uv_stop(loop);
  SAY("stopped: %d", uv_backend_timeout(loop));
  SAY("run: %s", E(uv_run(loop, UV_RUN_NOWAIT)));
  uv_timer_stop(&t1);
  uv_close((uv_handle_t*)&i, NULL);
  SAY("closing: %d", uv_backend_timeout(loop));
  uv_close((uv_handle_t*)&t1, NULL);
  uv_close((uv_handle_t*)&t2, NULL);
  uv_close((uv_handle_t*)&c, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  SAY("after: %d", uv_backend_timeout(loop));
  close_loop(loop);
  return 0;
}
