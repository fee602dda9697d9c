/* uv_async_send from the loop thread: several sends before the loop runs
 * coalesce into one callback; a send from the callback itself runs it again
 * in a later iteration; an async handle keeps the loop alive until closed,
 * unless unref'd. */
#include "d.h"

static uv_async_t a, b;
static int na, nb;

static void on_a(uv_async_t* h) {
  na++;
  SAY("a %d", na);
  if (na < 3) uv_async_send(h);
  else uv_close((uv_handle_t*)h, NULL);
}

static void on_b(uv_async_t* h) {
  nb++;
  SAY("b %d", nb);
  uv_close((uv_handle_t*)h, NULL);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  SAY("init a: %s", E(uv_async_init(loop, &a, on_a)));
  SAY("init b: %s", E(uv_async_init(loop, &b, on_b)));
  SAY("active a=%d", uv_is_active((uv_handle_t*)&a));
  for (int i = 0; i < 5; i++) uv_async_send(&a);
  uv_async_send(&b);
  uv_async_send(&b);
  SAY("run: %s na=%d nb=%d", E(uv_run(loop, UV_RUN_DEFAULT)), na, nb);
  uv_async_t c;
  uv_async_init(loop, &c, NULL);
  uv_unref((uv_handle_t*)&c);
  SAY("unref'd async: run %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  uv_async_send(&c);
  SAY("null cb send: run %s", E(uv_run(loop, UV_RUN_NOWAIT)));
  uv_close((uv_handle_t*)&c, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
