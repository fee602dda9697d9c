/* uv_stop ends uv_run after the current iteration (check and close
 * callbacks still run), returns non-zero when the loop is still alive, and
 * the next uv_run goes on; uv_stop before uv_run makes it return at once. */
#include "d.h"

static uv_timer_t t;
static uv_check_t c;
static int n;

static void on_timer(uv_timer_t* h) {
  n++;
  SAY("timer %d", n);
  if (n == 2) {
    uv_stop(h->loop);
    SAY("backend_timeout after stop: %d", uv_backend_timeout(h->loop));
  }
  if (n == 4) {
    /* a lone check handle would block real libuv's poll forever */
    uv_timer_stop(h);
    uv_close((uv_handle_t*)&c, NULL);
  }
}

static void on_check(uv_check_t* h) {
  (void)h;
  SAY("check (fired %d)", n);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t);
  uv_check_init(loop, &c);
  uv_check_start(&c, on_check);
  /* Long enough that real libuv's first poll really waits for the timer
   * even on a loaded machine (with 10 ms, a slow start made the timer due
   * at once and the first check line went missing: a flaky comparison). */
  uv_update_time(loop);
  uv_timer_start(&t, on_timer, 100, 100);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("fired %d", n);
  uv_stop(loop);
  SAY("run after stop: %s fired %d", E(uv_run(loop, UV_RUN_DEFAULT)), n);
  SAY("run: %s fired %d", E(uv_run(loop, UV_RUN_DEFAULT)), n);
  uv_close((uv_handle_t*)&t, NULL);
  uv_stop(loop);
  SAY("stop w/ closing: %s", E(uv_run(loop, UV_RUN_NOWAIT)));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
