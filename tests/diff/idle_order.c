/* Idle handles run most-recently-started first, every iteration, until
 * stopped; restarting an active one is a no-op (keeps its place). */
#include "d.h"

static uv_idle_t h[4];
static int iter;

static void cb(uv_idle_t* x) {
  int i = (int)(x - h);
  SAY("idle %d (iteration %d)", i, iter);
  if (i == 0) iter++;
  if (iter == 3) uv_idle_stop(x);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  for (int i = 0; i < 4; i++) uv_idle_init(loop, &h[i]);
  SAY("start null cb: %s", E(uv_idle_start(&h[0], NULL)));
  for (int i = 3; i >= 0; i--) SAY("start %d: %s", i, E(uv_idle_start(&h[i], cb)));
  SAY("restart 2: %s", E(uv_idle_start(&h[2], cb)));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  for (int i = 0; i < 4; i++) uv_close((uv_handle_t*)&h[i], NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
