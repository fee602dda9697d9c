/* Timers with equal deadlines fire in start order; restarting one moves it
 * to the end of its group; a repeating one keeps its place among equals. */
#include "d.h"

#define N 12
static uv_timer_t t[N];
static int fired;

static void cb(uv_timer_t* h) {
  int i = (int)(h - t);
  SAY("fire %d", i);
  if (++fired == 20)
    for (int k = 0; k < N; k++) uv_timer_stop(&t[k]);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  for (int i = 0; i < N; i++) uv_timer_init(loop, &t[i]);
  for (int i = N - 1; i >= 0; i--) uv_timer_start(&t[i], cb, 15, 0);
  uv_timer_start(&t[5], cb, 15, 0);      /* moves behind the others */
  uv_timer_start(&t[0], cb, 15, 15);     /* repeating, also moves */
  uv_timer_start(&t[3], cb, 15, 15);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("fired %d", fired);
  for (int i = 0; i < N; i++) uv_close((uv_handle_t*)&t[i], NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
