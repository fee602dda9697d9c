/* scenarios/retry_timeout.c — retry with backoff racing an overall timeout,
 * callback style (the shape of many HTTP client wrappers).
 *
 *   function fetchWithRetry(cb) {                       // buggy
 *     const overall = setTimeout(() => cb(new Error('ETIMEDOUT')), 8);
 *     (function attempt(i) {
 *       Promise.race([request(), delay(5).then(() => { throw timeout })])
 *         .then(res => { clearTimeout(overall); cb(null, res); },
 *               err => { if (i < 3) setTimeout(() => attempt(i + 1), 1);
 *                        else { clearTimeout(overall); cb(err); } });
 *     })(1);
 *   }
 *
 * Invariant: the callback is called exactly once.
 *
 * The bug: the overall timeout calls back but the retries go on, and a
 * later attempt calls back a second time. On an idle machine the first
 * attempt succeeds at once. It takes a slow first attempt (10 ms: it loses
 * its 5 ms race) and then either a slow second attempt or a retry timer
 * running late, so that the overall timeout fires between a retry and its
 * success: two decisions.
 *
 * The fix: a settled flag (callback once) that also stops the retry loop.
 */
#include "scn.h"

#define RT_OVERALL_MS 8
#define RT_ATTEMPT_MS 5
#define RT_BACKOFF_MS 1
#define RT_ATTEMPTS 3

static struct {
  int fixed;
  int calls;          /* how many times the user's callback ran */
  int settled;        /* fixed: the callback already ran        */
  uvsim_timer* overall;
  int attempts;
} rt;

static void user_cb(const char* outcome) {
  (void)outcome;
  if (rt.fixed) {
    if (rt.settled) return;
    rt.settled = 1;
  }
  rt.calls++;
  UVSIM_CHECK(rt.calls == 1, "callback called %d times (last: %s)", rt.calls, outcome);
}

static void overall_timeout(void* data) {
  (void)data;
  user_cb("ETIMEDOUT");
}

static void attempt(void* data);

static uvsim_value attempt_ok(uvsim_value v, void* data) {
  (void)v, (void)data;
  uvsim_clear_timeout(rt.overall);
  user_cb("response");
  return uvsim_undefined();
}

static uvsim_value attempt_failed(uvsim_value v, void* data) {
  int i = (int)(intptr_t)data;
  if (rt.fixed && rt.settled) return uvsim_undefined();   /* stop retrying */
  if (i < RT_ATTEMPTS) {
    uvsim_set_timeout_l(attempt, (void*)(intptr_t)(i + 1), RT_BACKOFF_MS, "retry backoff");
  } else {
    uvsim_clear_timeout(rt.overall);
    user_cb(scn_code(v));
  }
  return uvsim_undefined();
}

static uvsim_value attempt_timed_out(uvsim_value v, void* data) {
  (void)v, (void)data;
  return uvsim_throw(scn_err("EATTEMPT", "attempt timed out"));
}

static void attempt(void* data) {
  int i = (int)(intptr_t)data;
  if (rt.fixed && rt.settled) return;
  rt.attempts++;
  uvsim_value racers[2] = {
    uvsim_promise_value(scn_job("http GET /resource")),
    uvsim_promise_value(uvsim_then(uvsim_delay(RT_ATTEMPT_MS, uvsim_undefined()),
                                   attempt_timed_out, NULL, NULL)),
  };
  uvsim_then(uvsim_promise_race(racers, 2), attempt_ok, attempt_failed,
             (void*)(intptr_t)i);
}

static void retry_timeout(int fixed) {
  memset(&rt, 0, sizeof rt);
  rt.fixed = fixed;
  scn_begin();
  rt.overall = uvsim_set_timeout_l(overall_timeout, NULL, RT_OVERALL_MS, "overall timeout");
  attempt((void*)(intptr_t)1);
  if (scn_run())
    UVSIM_CHECK(rt.calls == 1, "callback called %d times", rt.calls);
  scn_end();
}

static void retry_timeout_buggy(void) { retry_timeout(0); }
static void retry_timeout_fixed(void) { retry_timeout(1); }

UVSIM_SCENARIO(retry_timeout, buggy, retry_timeout_buggy,
               .description = "retry with backoff racing an overall timeout calls back twice",
               .invariant = "the callback is called exactly once",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(retry_timeout, fixed, retry_timeout_fixed,
               .description = "retry with a settled flag that stops the retries",
               .invariant = "the callback is called exactly once",
               .expect = UVSIM_EXPECT_CLEAN);
