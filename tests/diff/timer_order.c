/* Timers fire by deadline, not by start order; a 0 ms timer fires in the
 * first iteration. */
#include "d.h"

static uv_timer_t t[6];
static const char* names[6] = { "t30", "t10", "t20", "t0", "t40", "t50" };
static const uint64_t after[6] = { 30, 10, 20, 0, 40, 50 };

static void cb(uv_timer_t* h) {
  SAY("fire %s active=%d", (const char*)h->data, uv_is_active((uv_handle_t*)h));
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  for (int i = 0; i < 6; i++) {
    uv_timer_init(loop, &t[i]);
    t[i].data = (void*)names[i];
    SAY("start %s: %s", names[i], E(uv_timer_start(&t[i], cb, after[i], 0)));
  }
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  for (int i = 0; i < 6; i++) uv_close((uv_handle_t*)&t[i], NULL);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
