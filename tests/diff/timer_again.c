/* uv_timer_again: EINVAL before any start, a no-op with repeat 0, a re-arm
 * with repeat; set_repeat changes the next period. */
#include "d.h"

static uv_timer_t t;
static int n;

static void cb(uv_timer_t* h) {
  n++;
  SAY("fire %d", n);
  if (n == 1) {
    uv_timer_set_repeat(h, 0);
    SAY("again (repeat 0): %s active=%d", E(uv_timer_again(h)),
        uv_is_active((uv_handle_t*)h));
  }
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t);
  SAY("again unstarted: %s", E(uv_timer_again(&t)));
  uv_timer_set_repeat(&t, 7);
  SAY("again unstarted w/ repeat: %s", E(uv_timer_again(&t)));
  SAY("active=%d", uv_is_active((uv_handle_t*)&t));
  SAY("start: %s", E(uv_timer_start(&t, cb, 4, 0)));
  SAY("again w/o repeat: %s active=%d", E(uv_timer_again(&t)), uv_is_active((uv_handle_t*)&t));
  uv_timer_set_repeat(&t, 6);
  SAY("again w/ repeat: %s active=%d", E(uv_timer_again(&t)), uv_is_active((uv_handle_t*)&t));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("stop stopped: %s", E(uv_timer_stop(&t)));
  SAY("again after stop: %s active=%d", E(uv_timer_again(&t)), uv_is_active((uv_handle_t*)&t));
  uv_close((uv_handle_t*)&t, NULL);
  SAY("start closing: %s", E(uv_timer_start(&t, cb, 1, 0)));
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
