/* Starting watchers and timers with a NULL callback is EINVAL and leaves
 * them inactive; starting an active watcher with another callback keeps the
 * first callback. */
#include "d.h"

static void first(uv_check_t* h) { SAY("first"); uv_close((uv_handle_t*)h, NULL); }
static void second(uv_check_t* h) { SAY("second"); uv_close((uv_handle_t*)h, NULL); }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_idle_t i;
  uv_prepare_t p;
  uv_check_t c;
  uv_timer_t t;
  uv_idle_init(loop, &i);
  uv_prepare_init(loop, &p);
  uv_check_init(loop, &c);
  uv_timer_init(loop, &t);
  SAY("idle: %s active=%d", E(uv_idle_start(&i, NULL)), uv_is_active((uv_handle_t*)&i));
  SAY("prepare: %s active=%d", E(uv_prepare_start(&p, NULL)), uv_is_active((uv_handle_t*)&p));
  SAY("check: %s active=%d", E(uv_check_start(&c, NULL)), uv_is_active((uv_handle_t*)&c));
  SAY("timer: %s active=%d", E(uv_timer_start(&t, NULL, 1, 0)), uv_is_active((uv_handle_t*)&t));
  SAY("check first: %s", E(uv_check_start(&c, first)));
  SAY("check second: %s", E(uv_check_start(&c, second)));
  SAY("check null while active: %s", E(uv_check_start(&c, NULL)));
  uv_close((uv_handle_t*)&i, NULL);
  uv_close((uv_handle_t*)&p, NULL);
  uv_close((uv_handle_t*)&t, NULL);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
