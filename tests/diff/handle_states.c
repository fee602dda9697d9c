/* is_active / is_closing / has_ref / type / data / loop of each handle type
 * of the loop through init, start, stop, close. */
#include "d.h"

static void show(const char* when, uv_handle_t* h) {
  SAY("%-8s %-7s active=%d closing=%d ref=%d type=%s loop_ok=%d data=%s", uv_handle_type_name(h->type),
      when, uv_is_active(h), uv_is_closing(h), uv_has_ref(h),
      uv_handle_type_name(uv_handle_get_type(h)), uv_handle_get_loop(h) == uv_default_loop(),
      uv_handle_get_data(h) ? (const char*)uv_handle_get_data(h) : "-");
}

static void on_close(uv_handle_t* h) { show("closed", h); }
static void t_cb(uv_timer_t* h) { (void)h; }
static void i_cb(uv_idle_t* h) { (void)h; }
static void p_cb(uv_prepare_t* h) { (void)h; }
static void c_cb(uv_check_t* h) { (void)h; }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t t;
  uv_idle_t i;
  uv_prepare_t p;
  uv_check_t c;
  uv_async_t a;
  uv_timer_init(loop, &t);
  uv_idle_init(loop, &i);
  uv_prepare_init(loop, &p);
  uv_check_init(loop, &c);
  uv_async_init(loop, &a, NULL);
  uv_handle_t* all[] = { (uv_handle_t*)&t, (uv_handle_t*)&i, (uv_handle_t*)&p,
                         (uv_handle_t*)&c, (uv_handle_t*)&a };
  for (int k = 0; k < 5; k++) {
    uv_handle_set_data(all[k], NULL);
    show("init", all[k]);
  }
  uv_timer_start(&t, t_cb, 100, 0);
  uv_idle_start(&i, i_cb);
  uv_prepare_start(&p, p_cb);
  uv_check_start(&c, c_cb);
  for (int k = 0; k < 5; k++) {
    uv_handle_set_data(all[k], "x");
    show("start", all[k]);
  }
  uv_timer_stop(&t);
  uv_idle_stop(&i);
  uv_prepare_stop(&p);
  uv_check_stop(&c);
  uv_unref(all[4]);
  for (int k = 0; k < 5; k++) show("stop", all[k]);
  uv_idle_start(&i, i_cb);   /* closed while active */
  for (int k = 0; k < 5; k++) {
    uv_close(all[k], on_close);
    show("close", all[k]);
  }
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
