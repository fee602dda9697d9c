/* uv_loop_alive and uv_loop_close through a loop's life; a second loop is
 * independent of the default one. */
#include "d.h"

static void nop_timer(uv_timer_t* h) { (void)h; }
static void nop_prepare(uv_prepare_t* h) { (void)h; }

int main(void) {
  uv_loop_t own;
  SAY("init: %s", E(uv_loop_init(&own)));
  uv_loop_t* dflt = uv_default_loop();
  SAY("default is default: %d", uv_default_loop() == dflt);
  SAY("alive fresh: %d", uv_loop_alive(&own));
  uv_timer_t t;
  uv_timer_init(&own, &t);
  SAY("alive inactive timer: %d", uv_loop_alive(&own));
  SAY("close w/ handle: %s", E(uv_loop_close(&own)));
  uv_timer_start(&t, nop_timer, 5, 0);
  SAY("alive active: %d default alive: %d", uv_loop_alive(&own), uv_loop_alive(dflt));
  uv_prepare_t p;
  uv_prepare_init(&own, &p);
  uv_prepare_start(&p, nop_prepare);
  uv_timer_stop(&t);
  SAY("alive prepare: %d", uv_loop_alive(&own));
  uv_prepare_stop(&p);
  SAY("alive stopped: %d", uv_loop_alive(&own));
  uv_close((uv_handle_t*)&t, NULL);
  SAY("alive closing: %d", uv_loop_alive(&own));
  SAY("close while closing: %s", E(uv_loop_close(&own)));
  SAY("run nowait: %s", E(uv_run(&own, UV_RUN_NOWAIT)));
  SAY("alive: %d", uv_loop_alive(&own));
  uv_close((uv_handle_t*)&p, NULL);
  SAY("run: %s", E(uv_run(&own, UV_RUN_DEFAULT)));
  SAY("close own: %s", E(uv_loop_close(&own)));
  uv_loop_t* heap = uv_loop_new();
  SAY("loop_new alive: %d", uv_loop_alive(heap));
  uv_loop_delete(heap);
  SAY("loop size: %d", uv_loop_size() == sizeof(uv_loop_t));
  int x = 7;
  uv_loop_set_data(dflt, &x);
  SAY("loop data: %d", *(int*)uv_loop_get_data(dflt));
  close_loop(dflt);
  return 0;
}
