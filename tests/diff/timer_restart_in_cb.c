/* A repeating timer restarted from its own callback with a new timeout and
 * repeat; another re-armed with uv_timer_again after set_repeat; a timer
 * that stops a later one in the same pass and starts it again. */
#include "d.h"

static uv_timer_t a, b, c;
static int na, nb;

static void on_b(uv_timer_t* h) {
  nb++;
  SAY("b %d repeat=%llu", nb, (unsigned long long)uv_timer_get_repeat(h));
  if (nb == 2) {
    uv_timer_set_repeat(h, 25);
    uv_timer_again(h);
  }
  if (nb == 4) uv_timer_stop(h);
}

static void on_c(uv_timer_t* h) { (void)h; SAY("c"); }

static void on_a(uv_timer_t* h) {
  na++;
  SAY("a %d", na);
  if (na == 1) uv_timer_start(h, on_a, 40, 40);
  if (na == 2) {
    uv_timer_stop(&c);
    uv_timer_start(&c, on_c, 100, 0);
  }
  if (na == 3) uv_timer_stop(h);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &a);
  uv_timer_init(loop, &b);
  uv_timer_init(loop, &c);
  uv_timer_start(&a, on_a, 10, 100);
  uv_timer_start(&b, on_b, 200, 60);
  uv_timer_start(&c, on_c, 600, 0);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  uv_close((uv_handle_t*)&a, NULL);
  uv_close((uv_handle_t*)&b, NULL);
  uv_close((uv_handle_t*)&c, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  close_loop(loop);
  return 0;
}
