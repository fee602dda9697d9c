/* ref/unref are idempotent; an unref'd active handle does not keep the loop
 * alive; ref on a closing handle; has_ref after close. */
#include "d.h"

static uv_timer_t t;
static uv_idle_t i;
static int idles;

static void on_timer(uv_timer_t* h) { (void)h; SAY("timer"); }
static void on_idle(uv_idle_t* h) {
  if (++idles == 3) {
    SAY("idle 3, unref");
    uv_unref((uv_handle_t*)h);
  }
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t);
  SAY("has_ref init: %d", uv_has_ref((uv_handle_t*)&t));
  uv_unref((uv_handle_t*)&t);
  uv_unref((uv_handle_t*)&t);
  SAY("has_ref: %d", uv_has_ref((uv_handle_t*)&t));
  uv_timer_start(&t, on_timer, 10, 0);
  SAY("alive unref'd active timer: %d", uv_loop_alive(loop));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  uv_ref((uv_handle_t*)&t);
  uv_ref((uv_handle_t*)&t);
  SAY("alive ref'd: %d", uv_loop_alive(loop));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("alive after fire: %d", uv_loop_alive(loop));
  uv_idle_init(loop, &i);
  uv_idle_start(&i, on_idle);
  SAY("run: %s idles=%d", E(uv_run(loop, UV_RUN_DEFAULT)), idles);
  uv_ref((uv_handle_t*)&i);
  uv_close((uv_handle_t*)&i, NULL);
  SAY("closing idle has_ref=%d alive=%d", uv_has_ref((uv_handle_t*)&i), uv_loop_alive(loop));
  uv_unref((uv_handle_t*)&i);
  SAY("closing idle unref'd has_ref=%d alive=%d", uv_has_ref((uv_handle_t*)&i), uv_loop_alive(loop));
  uv_close((uv_handle_t*)&t, NULL);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("after close has_ref t=%d i=%d", uv_has_ref((uv_handle_t*)&t), uv_has_ref((uv_handle_t*)&i));
  close_loop(loop);
  return 0;
}
