/* Driving the loop by hand with UV_RUN_ONCE until it is dead: the number of
 * calls needed for a chain of timers. */
#include "d.h"

static uv_timer_t t;
static int n;

static void on_timer(uv_timer_t* h) {
  n++;
  SAY("timer %d", n);
  if (n < 4) uv_timer_start(h, on_timer, 100, 0);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t);
  /* 100 ms from a fresh loop time: on a loaded machine (an ASan build
   * under CI) real libuv took longer than 10 ms to reach its first poll,
   * found the timer due at once and fired two in one call (a flaky
   * comparison). */
  uv_update_time(loop);
  uv_timer_start(&t, on_timer, 100, 0);
  int calls = 0, r;
  do {
    r = uv_run(loop, UV_RUN_ONCE);
    calls++;
    SAY("once -> %d (fired %d)", r, n);
  } while (r != 0 && calls < 100);
  SAY("calls %d", calls);
  uv_close((uv_handle_t*)&t, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
