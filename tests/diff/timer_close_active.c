/* Closing an active timer stops it: it never fires; the close callback
 * runs once; is_active/is_closing report the states. */
#include "d.h"

static uv_timer_t a, b;

static void cb(uv_timer_t* h) {
  SAY("fire %s", (const char*)h->data);
  if (h == &b && !uv_is_closing((uv_handle_t*)&a)) SAY("a should have been closed");
}

static void on_close(uv_handle_t* h) {
  SAY("closed %s active=%d closing=%d", (const char*)h->data, uv_is_active(h),
      uv_is_closing(h));
}

static void closer(uv_timer_t* h) {
  SAY("closer fires");
  uv_close((uv_handle_t*)&a, on_close);
  SAY("a active=%d closing=%d", uv_is_active((uv_handle_t*)&a), uv_is_closing((uv_handle_t*)&a));
  uv_close((uv_handle_t*)h, on_close);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t c;
  uv_timer_init(loop, &a);
  uv_timer_init(loop, &b);
  uv_timer_init(loop, &c);
  a.data = "a";
  b.data = "b";
  c.data = "c";
  uv_timer_start(&a, cb, 30, 0);
  uv_timer_start(&b, cb, 40, 0);
  uv_timer_start(&c, closer, 10, 0);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  uv_close((uv_handle_t*)&b, on_close);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
