/* tests/fuzz/exec_timeout_race.c — an ordinary libuv program (built against
 * the real libuv, never told about uvsim): a request with a 20 ms timeout
 * racing the pool job that answers it.
 *   exec_timeout_race buggy   the timeout answers the caller, and the job's
 *                             after-callback, when it comes late, answers
 *                             it again (aborts on the second answer)
 *   exec_timeout_race fixed   whoever answers first closes the race
 * On an idle machine the job takes microseconds and the timer is stopped.
 * The job takes longer than 20 ms only in the slow tail of the pool's
 * duration decision (100 ms, 1 s or 10 s): one decision away. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static uv_timer_t timeout;
static uv_work_t job;
static int fixed, answered, answers;

static void answer(const char* what) {
  answers++;
  if (answers > 1) {
    /* Not assert(): the test must fail the same way in a release build. */
    fprintf(stderr, "exec_timeout_race: caller answered twice (last: %s)\n", what);
    abort();
  }
  answered = 1;
}

static void on_timeout(uv_timer_t* t) {
  uv_close((uv_handle_t*)t, NULL);
  answer("ETIMEDOUT");
}

static void work(uv_work_t* req) { (void)req; }   /* the request: a lookup */

static void after(uv_work_t* req, int status) {
  (void)req, (void)status;
  if (fixed && answered) return;                   /* too late: dropped */
  if (!uv_is_closing((uv_handle_t*)&timeout)) uv_close((uv_handle_t*)&timeout, NULL);
  answer("reply");
}

int main(int argc, char** argv) {
  fixed = argc > 1 && !strcmp(argv[1], "fixed");
  uv_loop_t* loop = uv_default_loop();
  uv_timer_init(loop, &timeout);
  uv_timer_start(&timeout, on_timeout, 20, 0);
  uv_queue_work(loop, &job, work, after);
  uv_run(loop, UV_RUN_DEFAULT);
  if (answers != 1) {
    fprintf(stderr, "exec_timeout_race: caller answered %d times\n", answers);
    return 1;
  }
  return 0;
}
