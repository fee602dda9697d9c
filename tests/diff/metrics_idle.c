/* uv_metrics_idle_time counts the time the loop waited for its timer and
 * not the time a callback spent busy; a callback that busy-waits on
 * uv_hrtime gets there (under uvsim, reads past a spin threshold cost
 * virtual time, loop/core.c). Without UV_METRICS_IDLE_TIME nothing is
 * counted. Only coarse facts are printed: real time is not exact. */
#include "d.h"

static uint64_t spun_ms;

static void spin_cb(uv_timer_t* t) {
  uint64_t start = uv_hrtime();
  while (uv_hrtime() - start < 300 * 1000000ull) {
  }
  spun_ms = (uv_hrtime() - start) / 1000000u;
  (void)t;
}

static void run(int measure) {
  uv_loop_t loop;
  uv_timer_t t;
  uv_loop_init(&loop);
  if (measure) SAY("configure: %s", E(uv_loop_configure(&loop, UV_METRICS_IDLE_TIME)));
  uv_timer_init(&loop, &t);
  uv_timer_start(&t, spin_cb, 500, 0);
  uint64_t before = uv_now(&loop);
  uv_run(&loop, UV_RUN_DEFAULT);
  uint64_t idle_ms = uv_metrics_idle_time(&loop) / 1000000u;
  SAY("measure=%d spun>=300ms: %d now moved>=800ms: %d", measure, spun_ms >= 300,
      uv_now(&loop) - before >= 800);
  if (measure) SAY("idle in [400, 700] ms: %d", idle_ms >= 400 && idle_ms <= 700);
  else SAY("idle 0: %d", idle_ms == 0);
  uv_close((uv_handle_t*)&t, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  SAY("close: %s", E(uv_loop_close(&loop)));
}

int main(void) {
  run(1);
  run(0);
  return 0;
}
