/* An unref'd repeating timer runs only while something else keeps the loop
 * alive; the loop exits with it still active. */
#include "d.h"

static uv_timer_t rep, once;
static int n;

static void on_rep(uv_timer_t* h) { (void)h; n++; SAY("rep %d", n); }
static void on_once(uv_timer_t* h) { (void)h; SAY("once (rep fired %d)", n); }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &rep);
  uv_timer_init(loop, &once);
  uv_timer_start(&rep, on_rep, 100, 100);   /* 50 ms margins: real timers run late under load */
  uv_unref((uv_handle_t*)&rep);
  SAY("has_ref: %d alive: %d", uv_has_ref((uv_handle_t*)&rep), uv_loop_alive(loop));
  SAY("run alone: %s (fired %d)", E(uv_run(loop, UV_RUN_DEFAULT)), n);
  uv_timer_start(&once, on_once, 350, 0);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("rep active: %d", uv_is_active((uv_handle_t*)&rep));
  uv_close((uv_handle_t*)&rep, NULL);
  uv_close((uv_handle_t*)&once, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
