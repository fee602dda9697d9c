/* scenarios/hard/hard_late_reply.c — a request with a per-attempt timeout and
 * two retries; after the third timeout the caller gets ETIMEDOUT.
 *
 *   function call(cb) {                                   // buggy
 *     let attempt = 0;
 *     (function send() {
 *       const mine = ++attempt;
 *       rpc((err, res) => { if (mine !== attempt) return;  // stale attempt
 *                           clearTimeout(t); cb(null, res); });
 *       const t = setTimeout(() => attempt < 3 ? send() : cb(ETIMEDOUT), 100);
 *     })();
 *   }
 *
 * Invariant: the caller is answered exactly once.
 *
 * The bug: stale replies of earlier attempts are dropped, but the *last*
 * attempt's reply is not stale after the final timeout: when it comes late,
 * the caller is answered a second time. It takes three slow RPCs (each pool
 * job 100 ms or more: pool_duration choice 4, 5 or 6, against a timeout of
 * 100 ms) — three specific non-natural decisions; the timers must not run so
 * late that an attempt wins.
 *
 * The fix: once answered (reply or ETIMEDOUT), nothing answers again. */
#include "hard.h"

#define LR_TIMEOUT_MS 100
#define LR_ATTEMPTS 3

static struct {
  int fixed;
  int attempt;
  int done;
  int answers;
  uv_timer_t timeout;
  uv_work_t req[LR_ATTEMPTS];
} lr;

static void answer(const char* what) {
  lr.answers++;
  UVSIM_CHECK(lr.answers == 1, "caller answered %d times (last: %s)", lr.answers, what);
}

static void send_attempt(void);

static void on_reply(uv_work_t* req, int status) {
  (void)status;
  int mine = (int)(intptr_t)req->data;
  if (mine != lr.attempt) return;          /* an earlier attempt: stale */
  if (lr.fixed && lr.done) return;
  lr.done = 1;
  hard_close(&lr.timeout);
  answer("reply");
}

static void on_timeout(uv_timer_t* t) {
  (void)t;
  if (lr.attempt < LR_ATTEMPTS) {
    send_attempt();
    return;
  }
  lr.done = 1;
  hard_close(&lr.timeout);
  answer("ETIMEDOUT");
}

static void send_attempt(void) {
  lr.attempt++;
  hard_job(&lr.req[lr.attempt - 1], (void*)(intptr_t)lr.attempt, on_reply);
  uv_timer_start(&lr.timeout, on_timeout, LR_TIMEOUT_MS, 0);
}

static void late_reply(int fixed) {
  memset(&lr, 0, sizeof lr);
  lr.fixed = fixed;
  scn_begin();
  uv_timer_init(scn_loop, &lr.timeout);
  send_attempt();
  if (scn_run()) UVSIM_CHECK(lr.answers == 1, "caller answered %d times", lr.answers);
  scn_end();
}

static void late_reply_buggy(void) { late_reply(0); }
static void late_reply_fixed(void) { late_reply(1); }

UVSIM_SCENARIO(hard_late_reply, buggy, late_reply_buggy,
               .description = "the last retry's reply, later than its timeout, answers the caller again",
               .invariant = "the caller is answered exactly once",
               .expect = UVSIM_EXPECT_BUG, .flags = UVSIM_SCN_HARD, .runs = 300);
UVSIM_SCENARIO(hard_late_reply, fixed, late_reply_fixed,
               .description = "retries with a timeout; answered once, late replies ignored",
               .invariant = "the caller is answered exactly once",
               .expect = UVSIM_EXPECT_CLEAN, .flags = UVSIM_SCN_HARD, .runs = 300);
