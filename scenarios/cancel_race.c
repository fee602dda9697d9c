/* scenarios/cancel_race.c — a timeout that "cancels" a thread-pool job
 * without looking at what uv_cancel returned (plain libuv API).
 *
 *   convert(img, cb):                                     // buggy
 *     uv_queue_work(loop, &job, resize, after);           // pool job
 *     uv_timer_start(&timeout, on_timeout, 5, 0);
 *   on_timeout:  uv_cancel(&job); cb(UV_ETIMEDOUT); free(out);
 *   after(status): uv_timer_stop(&timeout);
 *                  if (status == UV_ECANCELED) return;  // "already reported"
 *                  cb(0, out);
 *
 * Invariant: the caller's callback runs exactly once, and nothing touches
 * the output buffer after it was freed.
 *
 * The bug: uv_cancel only cancels a job that has not started; a running
 * job gets UV_EBUSY and completes normally later, so `after` reports a
 * result for a request that already timed out, into a freed buffer. On an
 * idle machine the job is done long before the timeout; a slow job (10 ms,
 * one decision) shows it.
 *
 * The fix: check uv_cancel's result; when the job could not be cancelled,
 * remember the timeout and drop the late result in `after`.
 */
#include "scn.h"

#define CR_TIMEOUT_MS 5

static struct {
  int fixed;
  int calls;
  int out_freed;
  int timed_out;
  uv_work_t job;
  uv_timer_t timeout;
} cr;

static void caller_cb(int status) {
  cr.calls++;
  UVSIM_CHECK(cr.calls == 1, "convert() called back %d times (last status %s)",
              cr.calls, status ? uv_err_name(status) : "ok");
}

static void resize(uv_work_t* req) {
  (void)req;   /* decode, resize, encode: the pool decides how long */
}

static void after(uv_work_t* req, int status) {
  (void)req;
  uv_timer_stop(&cr.timeout);
  uv_close((uv_handle_t*)&cr.timeout, NULL);
  if (status == UV_ECANCELED) return;
  if (cr.fixed && cr.timed_out) return;   /* reported as a timeout already */
  UVSIM_CHECK(!cr.out_freed, "resize result written into a freed buffer");
  caller_cb(0);
}

static void on_timeout(uv_timer_t* t) {
  (void)t;
  int rc = uv_cancel((uv_req_t*)&cr.job);
  if (cr.fixed && rc != 0) cr.timed_out = 1;
  caller_cb(UV_ETIMEDOUT);
  cr.out_freed = 1;
}

static void cancel_race(int fixed) {
  memset(&cr, 0, sizeof cr);
  cr.fixed = fixed;
  uv_loop_t* loop = scn_begin();
  int rc = uv_queue_work(loop, &cr.job, resize, after);
  UVSIM_CHECK(rc == 0, "uv_queue_work: %s", uv_err_name(rc));
  uv_timer_init(loop, &cr.timeout);
  uv_timer_start(&cr.timeout, on_timeout, CR_TIMEOUT_MS, 0);
  if (scn_run()) UVSIM_CHECK(cr.calls == 1, "convert() called back %d times", cr.calls);
  scn_end();
}

static void cancel_race_buggy(void) { cancel_race(0); }
static void cancel_race_fixed(void) { cancel_race(1); }

UVSIM_SCENARIO(cancel_race, buggy, cancel_race_buggy,
               .description = "libuv: timeout ignores uv_cancel's EBUSY; the job calls back too",
               .invariant = "one callback per request; no write after free",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(cancel_race, fixed, cancel_race_fixed,
               .description = "libuv: timeout checks uv_cancel and drops the late result",
               .invariant = "one callback per request; no write after free",
               .expect = UVSIM_EXPECT_CLEAN);
