/* 300 timers with colliding deadlines (0..45 ms, 5 ms apart) fire in
 * (deadline, start order); printed as a compact sequence. */
#include "d.h"

#define N 300
static uv_timer_t t[N];
static int order[N], n;

static void cb(uv_timer_t* h) { order[n++] = (int)(h - t); }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  unsigned x = 12345;
  for (int i = 0; i < N; i++) {
    x = x * 1103515245u + 12345u;
    uv_timer_init(loop, &t[i]);
    uv_timer_start(&t[i], cb, ((x >> 16) % 10) * 5, 0);
  }
  uv_run(loop, UV_RUN_DEFAULT);
  SAY("fired %d", n);
  for (int i = 0; i < n; i += 20) {
    char line[256];
    int len = 0;
    for (int k = i; k < i + 20 && k < n; k++) len += snprintf(line + len, sizeof line - len, " %d", order[k]);
    SAY("%s", line);
  }
  for (int i = 0; i < N; i++) uv_close((uv_handle_t*)&t[i], NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
