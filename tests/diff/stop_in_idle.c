/* uv_stop from idle, prepare and check callbacks and from a close callback:
 * what still runs in that iteration, and uv_run's return value. */
#include "d.h"

static uv_idle_t i;
static uv_prepare_t p;
static uv_check_t c;
static uv_timer_t t;
static int round_no;

static void on_idle(uv_idle_t* h) {
  SAY("idle r%d", round_no);
  if (round_no == 0) uv_stop(h->loop);
}
static void on_prepare(uv_prepare_t* h) {
  SAY("prepare r%d", round_no);
  if (round_no == 1) uv_stop(h->loop);
}
static void on_check(uv_check_t* h) {
  SAY("check r%d", round_no);
  if (round_no == 2) uv_stop(h->loop);
}
static void on_timer(uv_timer_t* h) { (void)h; SAY("timer r%d", round_no); }
static void on_close(uv_handle_t* h) {
  SAY("close_cb r%d", round_no);
  uv_stop(h->loop);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_idle_init(loop, &i);
  uv_prepare_init(loop, &p);
  uv_check_init(loop, &c);
  uv_timer_init(loop, &t);
  uv_idle_start(&i, on_idle);
  uv_prepare_start(&p, on_prepare);
  uv_check_start(&c, on_check);
  for (round_no = 0; round_no < 3; round_no++) {
    uv_timer_start(&t, on_timer, 0, 0);
    SAY("run r%d: %s", round_no, E(uv_run(loop, UV_RUN_DEFAULT)));
  }
  uv_close((uv_handle_t*)&i, on_close);
  SAY("run close: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  uv_close((uv_handle_t*)&p, NULL);
  uv_close((uv_handle_t*)&c, NULL);
  uv_close((uv_handle_t*)&t, NULL);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
