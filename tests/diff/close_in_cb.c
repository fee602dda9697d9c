/* Handles close themselves from their own callbacks: the close callback runs
 * in the same iteration, after check. */
#include "d.h"

static uv_timer_t t;
static uv_idle_t i;
static uv_check_t c;
static uv_prepare_t p;
static int closes;

static void on_close(uv_handle_t* h) {
  closes++;
  SAY("close_cb %s", uv_handle_type_name(h->type));
}
static void on_timer(uv_timer_t* h) { SAY("timer"); uv_close((uv_handle_t*)h, on_close); }
static void on_idle(uv_idle_t* h) { SAY("idle"); uv_close((uv_handle_t*)h, on_close); }
static void on_prepare(uv_prepare_t* h) { SAY("prepare"); uv_close((uv_handle_t*)h, on_close); }
static void on_check(uv_check_t* h) { SAY("check"); uv_close((uv_handle_t*)h, on_close); }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &t);
  uv_idle_init(loop, &i);
  uv_check_init(loop, &c);
  uv_prepare_init(loop, &p);
  uv_timer_start(&t, on_timer, 0, 5);
  uv_idle_start(&i, on_idle);
  uv_check_start(&c, on_check);
  uv_prepare_start(&p, on_prepare);
  SAY("run once: %s", E(uv_run(loop, UV_RUN_ONCE)));
  SAY("closes after one iteration: %d", closes);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
