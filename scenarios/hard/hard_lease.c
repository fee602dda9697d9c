/* scenarios/hard/hard_lease.c — a lease (a lock with a time limit) renewed
 * in the background, and a write made while the holder believes it holds
 * the lease.
 *
 *   lease = server.grant(300 ms)                       // at 0
 *   every 100 ms until the write lands:
 *     const sent = now; server.renew(() => localExpiry = sent + 300)
 *   at 250 ms: if (now < localExpiry) store.write(x)   // no fencing token
 *
 * The server extends the lease only if a renewal arrives before the lease
 * ran out; the store applies writes as they arrive, except those older
 * than 500 ms (its request timeout).
 *
 * Invariant: a write is applied while its writer's lease is valid (else
 * another client may hold the lease by then, and the two writes interleave).
 *
 * The bug: the client checks its lease when it sends the write (and
 * conservatively: from renewals acknowledged), but nothing checks it when
 * the write lands. It takes three slow
 * pool jobs, each a specific non-natural decision: the renewal of 100 ms
 * must take 1 s or more (pool_duration 5 or 6: 100 ms would still arrive
 * before 300 ms), the renewal of 200 ms 100 ms or more (4 to 6: arriving at
 * 300 ms or later, when the lease has run out), and the write of 250 ms 100
 * ms or more (arriving after 300 ms). Any one of them fast, and the lease
 * is valid when the write lands: later renewals keep it alive as long as
 * the write is in flight. The store's request timeout bounds how long that
 * is: without it, a write of 10 s and any one of the hundred renewals
 * made meanwhile coming 1 s late (a loop lag) was enough (random found it
 * in 1 run of 117).
 *
 * The fix: a fencing check on the store's side, which rejects a write whose
 * lease ran out. */
#include "hard.h"

#define LS_TTL_MS 300
#define LS_RENEW_MS 100
#define LS_WRITE_MS 250
#define LS_STORE_TIMEOUT_MS 500
#define LS_MAX_RENEWALS 200   /* a 10 s write sees 100 */

static struct {
  int fixed;
  uint64_t expiry;        /* server side: the lease's end (loop time, ms) */
  uint64_t local_expiry;  /* what the client believes                     */
  uint64_t write_sent;
  int renewals;
  int applied, rejected;
  uv_timer_t renew, write;
  uv_work_t renew_req[LS_MAX_RENEWALS], write_req;
} ls;

static void on_renewed(uv_work_t* req, int status) {
  (void)status;
  uint64_t now = uv_now(scn_loop);
  uint64_t sent = (uint64_t)(uintptr_t)req->data;
  if (now >= ls.expiry) return;   /* too late: the lease ran out, refused */
  ls.expiry = now + LS_TTL_MS;
  /* the client counts from when it asked: never later than the server */
  if (sent + LS_TTL_MS > ls.local_expiry) ls.local_expiry = sent + LS_TTL_MS;
}

static void on_renew(uv_timer_t* t) {
  hard_job(&ls.renew_req[ls.renewals], (void*)(uintptr_t)uv_now(scn_loop), on_renewed);
  if (++ls.renewals == LS_MAX_RENEWALS) hard_close(t);
}

static void on_written(uv_work_t* req, int status) {
  (void)req;
  (void)status;
  uint64_t now = uv_now(scn_loop);
  hard_close(&ls.renew);   /* done: the client lets the lease go */
  if (now - ls.write_sent > LS_STORE_TIMEOUT_MS) return;   /* the store timed it out */
  if (ls.fixed && now >= ls.expiry) {   /* fencing: the lease ran out */
    ls.rejected++;
    return;
  }
  ls.applied++;
  UVSIM_CHECK(now < ls.expiry, "a write was applied at %llu ms, its lease ran out at %llu ms",
              (unsigned long long)now, (unsigned long long)ls.expiry);
}

static void on_write(uv_timer_t* t) {
  ls.write_sent = uv_now(scn_loop);
  if (ls.write_sent < ls.local_expiry) hard_job(&ls.write_req, NULL, on_written);
  else hard_close(&ls.renew);
  hard_close(t);
}

static void lease(int fixed) {
  memset(&ls, 0, sizeof ls);
  ls.fixed = fixed;
  scn_begin();
  ls.expiry = uv_now(scn_loop) + LS_TTL_MS;
  ls.local_expiry = ls.expiry;
  uv_timer_init(scn_loop, &ls.renew);
  ls.renew.data = NULL;
  uv_timer_start(&ls.renew, on_renew, LS_RENEW_MS, LS_RENEW_MS);
  hard_timer(&ls.write, NULL, on_write, LS_WRITE_MS);
  if (scn_run()) UVSIM_CHECK(ls.applied + ls.rejected <= 1, "the write was applied twice");
  scn_end();
}

static void lease_buggy(void) { lease(0); }
static void lease_fixed(void) { lease(1); }

UVSIM_SCENARIO(hard_lease, buggy, lease_buggy,
               .description = "lease checked when a write is sent, not when it lands: it lands after the lease ran out",
               .invariant = "a write is applied while its writer's lease is valid",
               .expect = UVSIM_EXPECT_BUG, .flags = UVSIM_SCN_HARD, .runs = 300);
UVSIM_SCENARIO(hard_lease, fixed, lease_fixed,
               .description = "lease with a fencing check on the store's side",
               .invariant = "a write is applied while its writer's lease is valid",
               .expect = UVSIM_EXPECT_CLEAN, .flags = UVSIM_SCN_HARD, .runs = 300);
