/* Per iteration: timers, idle, prepare, (poll), check, close callbacks. A
 * 0 ms timer fires in the first iteration, before idle; a 0 ms timer
 * restarted from prepare fires at the start of the next iteration. */
#include "d.h"

static uv_timer_t t;
static uv_idle_t i;
static uv_prepare_t p;
static uv_check_t c;
static int iter;

static void on_close(uv_handle_t* h) { SAY("close %s", uv_handle_type_name(h->type)); }
static void on_timer(uv_timer_t* h) { (void)h; SAY("timer %d", iter); }
static void on_idle(uv_idle_t* h) { (void)h; SAY("idle %d", iter); }
static void on_prepare(uv_prepare_t* h) {
  (void)h;
  SAY("prepare %d", iter);
  if (iter == 1) uv_timer_start(&t, on_timer, 0, 0);
}
static void on_check(uv_check_t* h) {
  (void)h;
  SAY("check %d", iter);
  if (++iter == 3) {
    uv_close((uv_handle_t*)&t, on_close);
    uv_close((uv_handle_t*)&i, on_close);
    uv_close((uv_handle_t*)&p, on_close);
    uv_close((uv_handle_t*)&c, on_close);
  }
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_check_init(loop, &c);
  uv_prepare_init(loop, &p);
  uv_idle_init(loop, &i);
  uv_timer_init(loop, &t);
  uv_check_start(&c, on_check);
  uv_prepare_start(&p, on_prepare);
  uv_idle_start(&i, on_idle);
  uv_timer_start(&t, on_timer, 0, 0);
  uv_timer_set_repeat(&t, 0);
  uv_timer_start(&t, on_timer, 0, 0);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
