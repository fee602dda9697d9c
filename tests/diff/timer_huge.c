/* Huge timeouts: the deadline saturates instead of wrapping, the backend
 * timeout is clamped to INT_MAX, an unref'd huge timer does not keep the
 * loop alive, and due_in is huge. */
#include <limits.h>
#include "d.h"

static uv_timer_t big, huge, small;

static void cb(uv_timer_t* h) { SAY("fire %s", (const char*)h->data); }

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &big);
  uv_timer_init(loop, &huge);
  uv_timer_init(loop, &small);
  big.data = "big";
  huge.data = "huge";
  small.data = "small";
  SAY("start huge: %s", E(uv_timer_start(&huge, cb, UINT64_MAX, 0)));
  SAY("huge due_in > 2^63: %d", uv_timer_get_due_in(&huge) > (UINT64_MAX >> 1));
  SAY("backend_timeout == INT_MAX: %d", uv_backend_timeout(loop) == INT_MAX);
  SAY("start big: %s", E(uv_timer_start(&big, cb, (uint64_t)INT_MAX + 1000, 0)));
  SAY("backend_timeout == INT_MAX: %d", uv_backend_timeout(loop) == INT_MAX);
  SAY("big due_in: %llu", (unsigned long long)uv_timer_get_due_in(&big));
  uv_unref((uv_handle_t*)&big);
  uv_unref((uv_handle_t*)&huge);
  SAY("alive: %d", uv_loop_alive(loop));
  uv_timer_start(&small, cb, 10, 0);
  SAY("backend_timeout: %d", uv_backend_timeout(loop));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  SAY("huge active: %d big active: %d", uv_is_active((uv_handle_t*)&huge),
      uv_is_active((uv_handle_t*)&big));
  SAY("due_in of fired small: %llu", (unsigned long long)uv_timer_get_due_in(&small));
  uv_close((uv_handle_t*)&big, NULL);
  uv_close((uv_handle_t*)&huge, NULL);
  uv_close((uv_handle_t*)&small, NULL);
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
