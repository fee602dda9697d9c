/* uv_walk visits handles in init order, including inactive and closing ones,
 * and a walk callback may close handles. */
#include "d.h"

static void show(uv_handle_t* h, void* arg) {
  SAY("%s %s active=%d ref=%d closing=%d", (const char*)arg, uv_handle_type_name(h->type),
      uv_is_active(h), uv_has_ref(h), uv_is_closing(h));
}

static void on_close(uv_handle_t* h) { SAY("close_cb %s", uv_handle_type_name(h->type)); }

static void close_all(uv_handle_t* h, void* arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, on_close);
}

static void nop_timer(uv_timer_t* h) { (void)h; }
static void nop_idle(uv_idle_t* h) { (void)h; }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t t;
  uv_idle_t i;
  uv_check_t c;
  uv_async_t a;
  uv_prepare_t p;
  uv_walk(loop, show, "empty");
  uv_timer_init(loop, &t);
  uv_idle_init(loop, &i);
  uv_check_init(loop, &c);
  uv_async_init(loop, &a, NULL);
  uv_prepare_init(loop, &p);
  uv_timer_start(&t, nop_timer, 1000, 0);
  uv_idle_start(&i, nop_idle);
  uv_unref((uv_handle_t*)&a);
  uv_close((uv_handle_t*)&c, on_close);
  uv_walk(loop, show, "w1");
  uv_walk(loop, close_all, NULL);
  uv_walk(loop, show, "w2");
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  uv_walk(loop, show, "w3");
  close_loop(loop);
  return 0;
}
