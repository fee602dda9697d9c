/* A timer callback stops a timer due at the same time (it never fires),
 * restarts another (it moves behind), and starts a 0 ms timer (in libuv 1.44
 * it runs in the same timers pass). */
#include "d.h"

static uv_timer_t a, b, c, d, z;
static uv_check_t chk;
static int iter;

static void cb(uv_timer_t* h) {
  const char* name = h->data;
  SAY("fire %s (iteration %d)", name, iter);
  if (h == &a) {
    SAY("stop b: %s", E(uv_timer_stop(&b)));
    SAY("restart c: %s", E(uv_timer_start(&c, cb, 0, 0)));
    SAY("start z: %s", E(uv_timer_start(&z, cb, 0, 0)));
  }
  /* stop the check with the last timer: a lone check handle would block
   * real libuv's poll forever */
  if (!uv_is_active((uv_handle_t*)&a) && !uv_is_active((uv_handle_t*)&c) &&
      !uv_is_active((uv_handle_t*)&d) && !uv_is_active((uv_handle_t*)&z))
    uv_check_stop(&chk);
}

static void on_check(uv_check_t* h) {
  (void)h;
  SAY("check %d", iter++);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t* all[] = { &a, &b, &c, &d, &z };
  const char* names[] = { "a", "b", "c", "d", "z" };
  for (int i = 0; i < 5; i++) {
    uv_timer_init(loop, all[i]);
    all[i]->data = (void*)names[i];
  }
  uv_check_init(loop, &chk);
  uv_check_start(&chk, on_check);
  uv_timer_start(&a, cb, 10, 0);
  uv_timer_start(&b, cb, 10, 0);
  uv_timer_start(&c, cb, 10, 0);
  uv_timer_start(&d, cb, 10, 0);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  for (int i = 0; i < 5; i++) uv_close((uv_handle_t*)all[i], NULL);
  uv_close((uv_handle_t*)&chk, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
