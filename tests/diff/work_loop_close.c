/* A loop with a work request in flight is busy: uv_loop_close answers EBUSY
 * and uv_run ONCE waits for the job; done, the loop closes. */
#include "d.h"

static uv_work_t w;
static int done;

static void work(uv_work_t* r) { (void)r; }
static void after(uv_work_t* r, int status) { (void)r; done++; SAY("after %s", E(status)); }

int main(void) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_queue_work(&loop, &w, work, after);
  SAY("alive: %d", uv_loop_alive(&loop));
  SAY("backend_timeout: %d", uv_backend_timeout(&loop));
  SAY("close busy: %s", E(uv_loop_close(&loop)));
  int calls = 0;
  while (!done && calls < 100) {
    uv_run(&loop, UV_RUN_ONCE);
    calls++;
  }
  SAY("done=%d alive=%d", done, uv_loop_alive(&loop));
  SAY("close: %s", E(uv_loop_close(&loop)));
  return 0;
}
