/* Two loops side by side: running one never runs the other's callbacks; a
 * timer of the idle loop that fell due meanwhile fires at its next run;
 * pool jobs complete on the loop that queued them. */
#include "d.h"

static uv_timer_t ta, tb, tb2;
static uv_work_t wa, wb;

static void on_timer(uv_timer_t* h) { SAY("timer %s", (const char*)h->data); }
static void work(uv_work_t* r) { (void)r; }
static void after(uv_work_t* r, int status) { SAY("after %s %s", (const char*)r->data, E(status)); }

int main(void) {
  uv_loop_t a, b;
  uv_loop_init(&a);
  uv_loop_init(&b);
  uv_timer_init(&a, &ta);
  uv_timer_init(&b, &tb);
  uv_timer_init(&b, &tb2);
  ta.data = "a30";
  tb.data = "b10";
  tb2.data = "b200";
  uv_timer_start(&ta, on_timer, 30, 0);
  uv_timer_start(&tb, on_timer, 10, 0);
  uv_timer_start(&tb2, on_timer, 200, 0);
  wa.data = "wa";
  wb.data = "wb";
  uv_queue_work(&b, &wb, work, after);
  uv_queue_work(&a, &wa, work, after);
  SAY("run a: %s", E(uv_run(&a, UV_RUN_DEFAULT)));
  SAY("b alive: %d", uv_loop_alive(&b));
  SAY("run b once: %s", E(uv_run(&b, UV_RUN_ONCE)));
  SAY("run b: %s", E(uv_run(&b, UV_RUN_DEFAULT)));
  uv_close((uv_handle_t*)&ta, NULL);
  uv_close((uv_handle_t*)&tb, NULL);
  uv_close((uv_handle_t*)&tb2, NULL);
  uv_run(&a, UV_RUN_DEFAULT);
  uv_run(&b, UV_RUN_DEFAULT);
  close_loop(&a);
  close_loop(&b);
  return 0;
}
