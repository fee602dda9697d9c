/* uv_timer_get_due_in before start, after start, after stop and after
 * firing; restarting with a new timeout. */
#include "d.h"

static uv_timer_t t, u;

static void cb(uv_timer_t* h) {
  SAY("fire due_in=%llu u pending=%d", (unsigned long long)uv_timer_get_due_in(h),
      uv_timer_get_due_in(&u) > 0);
  uv_timer_stop(&u);
}
static void ucb(uv_timer_t* h) { (void)h; }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t);
  uv_timer_init(loop, &u);
  SAY("fresh due_in: %llu", (unsigned long long)uv_timer_get_due_in(&t));
  uv_timer_start(&t, cb, 25, 0);
  SAY("started due_in: %llu", (unsigned long long)uv_timer_get_due_in(&t));
  uv_timer_start(&t, cb, 40, 0);
  SAY("restarted due_in: %llu", (unsigned long long)uv_timer_get_due_in(&t));
  uv_timer_stop(&t);
  SAY("stopped due_in: %llu", (unsigned long long)uv_timer_get_due_in(&t));
  uv_timer_start(&t, cb, 20, 0);
  uv_timer_start(&u, ucb, 1000, 1000);
  uv_run(loop, UV_RUN_DEFAULT);
  SAY("after due_in: %llu", (unsigned long long)uv_timer_get_due_in(&t));
  uv_close((uv_handle_t*)&t, NULL);
  uv_close((uv_handle_t*)&u, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
