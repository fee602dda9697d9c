/* A repeating timer fires until stopped; repeat is readable; stopping from
 * its own callback ends it; start with repeat re-arms before the callback. */
#include "d.h"

static uv_timer_t t;
static int n;

static void cb(uv_timer_t* h) {
  n++;
  SAY("fire %d active=%d repeat=%llu", n, uv_is_active((uv_handle_t*)h),
      (unsigned long long)uv_timer_get_repeat(h));
  if (n == 5) SAY("stop: %s", E(uv_timer_stop(h)));
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t);
  SAY("repeat before start: %llu", (unsigned long long)uv_timer_get_repeat(&t));
  SAY("start: %s", E(uv_timer_start(&t, cb, 5, 3)));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("fired %d", n);
  uv_close((uv_handle_t*)&t, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
