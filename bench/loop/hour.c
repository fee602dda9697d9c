/* bench/loop/hour.c — one hour of virtual timers on libuvsim: a 100 ms
 * interval, a 1 s interval and a 60 s timer re-armed from its callback,
 * until the loop's clock has advanced 3600 s, plus 10,000 one-shot timers
 * spread over the hour (all must fire, in deadline order). Prints the wall time and the
 * speed-up over real time; it must finish in well under 4 s. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <uv.h>

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t start_ms, fired;
static uv_timer_t fast, slow, minute;
#define NSPREAD 10000
static uv_timer_t spread[NSPREAD];
static uint64_t spread_fired, spread_last, spread_disorder;

static void spread_cb(uv_timer_t* t) {
  uint64_t due = (uint64_t)(uintptr_t)t->data;
  if (due < spread_last) spread_disorder++;
  spread_last = due;
  spread_fired++;
}

static void tick(uv_timer_t* t) {
  fired++;
  if (uv_now(t->loop) - start_ms >= 3600u * 1000u) {
    uv_timer_stop(&fast);
    uv_timer_stop(&slow);
    uv_timer_stop(&minute);
  }
}

static void minute_cb(uv_timer_t* t) {
  tick(t);
  if (uv_is_active((uv_handle_t*)&fast)) uv_timer_start(t, minute_cb, 60000, 0);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  start_ms = uv_now(loop);
  uv_timer_init(loop, &fast);
  uv_timer_init(loop, &slow);
  uv_timer_init(loop, &minute);
  uv_timer_start(&fast, tick, 100, 100);
  uv_timer_start(&slow, tick, 1000, 1000);
  uv_timer_start(&minute, minute_cb, 60000, 0);
  uint64_t x = 88172645463325252ull;           /* xorshift64: fixed spread */
  for (int i = 0; i < NSPREAD; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t due = x % (3600u * 1000u);
    uv_timer_init(loop, &spread[i]);
    spread[i].data = (void*)(uintptr_t)due;
    uv_timer_start(&spread[i], spread_cb, due, 0);
  }
  double t0 = wall_s();
  uv_run(loop, UV_RUN_DEFAULT);
  double dt = wall_s() - t0;
  double virt = (double)(uv_now(loop) - start_ms) / 1000.0;
  printf("hour: %.0f s virtual, %llu interval callbacks + %llu spread timers "
         "(%llu out of order), %.3f s wall, speed-up %.0fx\n",
         virt, (unsigned long long)fired, (unsigned long long)spread_fired,
         (unsigned long long)spread_disorder, dt, virt / dt);
  uv_close((uv_handle_t*)&fast, NULL);
  uv_close((uv_handle_t*)&slow, NULL);
  uv_close((uv_handle_t*)&minute, NULL);
  for (int i = 0; i < NSPREAD; i++) uv_close((uv_handle_t*)&spread[i], NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  return (virt >= 3600.0 && dt < 4.0 && spread_fired == NSPREAD &&
          spread_disorder == 0 && uv_loop_close(loop) == 0) ? 0 : 1;
}
