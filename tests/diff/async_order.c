/* Several async handles pending at once run in init order, once each; a
 * handle sent from another's callback runs in the same pass if it comes
 * later in that order. */
#include "d.h"

#define N 4
static uv_async_t a[N];
static int runs;

static void cb(uv_async_t* h) {
  int i = (int)(h - a);
  SAY("async %d", i);
  if (i == 1 && runs == 0) uv_async_send(&a[3]);
  if (i == 2 && runs == 0) uv_async_send(&a[0]);
  if (i == 0) runs++;   /* a[0] was sent after its turn: the next pass */
  if (runs == 1)
    for (int k = 0; k < N; k++)
      if (!uv_is_closing((uv_handle_t*)&a[k])) uv_close((uv_handle_t*)&a[k], NULL);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  for (int i = 0; i < N; i++) uv_async_init(loop, &a[i], cb);
  uv_async_send(&a[2]);
  uv_async_send(&a[1]);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
