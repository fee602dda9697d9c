/* The default loop can be closed and comes back fresh from the next
 * uv_default_loop(); a closed loop's handles are gone. */
#include "d.h"

static int fired;
static void on_timer(uv_timer_t* h) { (void)h; fired++; SAY("timer %d", fired); }
static void count(uv_handle_t* h, void* arg) { (void)h; (*(int*)arg)++; }

int main(void) {
  for (int round = 0; round < 3; round++) {
    uv_loop_t* loop = uv_default_loop();
    int n = 0;
    uv_walk(loop, count, &n);
    SAY("round %d: handles %d alive %d", round, n, uv_loop_alive(loop));
    uv_timer_t t;
    uv_timer_init(loop, &t);
    uv_timer_start(&t, on_timer, 5, 0);
    SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
    SAY("close with handle: %s", E(uv_loop_close(loop)));
    uv_close((uv_handle_t*)&t, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    close_loop(loop);
  }
  return 0;
}
