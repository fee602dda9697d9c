/* uv_async_send from a user thread wakes a loop that has nothing else to
 * do; the thread is joined after the callback. */
#include "d.h"

static uv_async_t as;
static uv_thread_t th;
static uv_sem_t go;

static void on_async(uv_async_t* h) {
  SAY("async cb");
  uv_close((uv_handle_t*)h, NULL);
}

static void thread_main(void* arg) {
  (void)arg;
  uv_sem_wait(&go);
  uv_async_send(&as);
}

static void on_prepare(uv_prepare_t* p) {
  SAY("prepare: release the thread");
  uv_sem_post(&go);
  uv_close((uv_handle_t*)p, NULL);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_prepare_t p;
  uv_sem_init(&go, 0);
  uv_async_init(loop, &as, on_async);
  uv_prepare_init(loop, &p);
  uv_prepare_start(&p, on_prepare);
  SAY("thread: %s", E(uv_thread_create(&th, thread_main, NULL)));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("join: %s", E(uv_thread_join(&th)));
  uv_sem_destroy(&go);
  close_loop(loop);
  return 0;
}
