/* Inside an idle/prepare/check callback: a watcher started now first runs
 * next iteration; one stopped now (still due this iteration) does not run;
 * a watcher may stop and restart itself (it moves to the head). */
#include "d.h"

static uv_idle_t a, b, c, d;
static uv_prepare_t p1, p2;
static uv_check_t k1, k2;
static int iter;

static const char* nm(void* h) { return (const char*)((uv_handle_t*)h)->data; }

static void on_idle(uv_idle_t* h) {
  SAY("idle %s (%d)", nm(h), iter);
  if (h == &c && iter == 0) {
    uv_idle_start(&d, on_idle);
    uv_idle_stop(&a);                  /* still to run this iteration */
  }
  if (h == &b && iter == 1) {
    uv_idle_stop(h);
    uv_idle_start(h, on_idle);         /* moves to the head */
  }
}

static void on_prepare(uv_prepare_t* h) {
  SAY("prepare %s (%d)", nm(h), iter);
  if (h == &p2 && iter == 0) uv_prepare_stop(&p1);
  if (h == &p2 && iter == 1) uv_prepare_start(&p1, on_prepare);
}

static void on_check(uv_check_t* h) {
  SAY("check %s (%d)", nm(h), iter);
  if (h == &k1 && iter == 0) uv_check_start(&k2, on_check);
  if (h == &k1) {
    if (++iter == 3) {
      uv_handle_t* all[] = { (uv_handle_t*)&a, (uv_handle_t*)&b, (uv_handle_t*)&c,
                             (uv_handle_t*)&d, (uv_handle_t*)&p1, (uv_handle_t*)&p2,
                             (uv_handle_t*)&k1, (uv_handle_t*)&k2 };
      for (int i = 0; i < 8; i++) uv_close(all[i], NULL);
    }
  }
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_idle_init(loop, &a); a.data = "a";
  uv_idle_init(loop, &b); b.data = "b";
  uv_idle_init(loop, &c); c.data = "c";
  uv_idle_init(loop, &d); d.data = "d";
  uv_prepare_init(loop, &p1); p1.data = "p1";
  uv_prepare_init(loop, &p2); p2.data = "p2";
  uv_check_init(loop, &k1); k1.data = "k1";
  uv_check_init(loop, &k2); k2.data = "k2";
  uv_idle_start(&a, on_idle);
  uv_idle_start(&b, on_idle);
  uv_idle_start(&c, on_idle);
  uv_prepare_start(&p1, on_prepare);
  uv_prepare_start(&p2, on_prepare);
  uv_check_start(&k1, on_check);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
