/* scenarios/hard/hard_quorum.c — a sloppy quorum: five replicas, a write is
 * acknowledged after W = 2 replicas applied it, and a read 50 ms after the
 * acknowledgement asks R = 3 fixed replicas (0, 1, 2) and takes the newest.
 *
 * Invariant: a read that starts after a write was acknowledged sees it.
 *
 * The bug: R + W = 5 = N, so the read set need not overlap the write set.
 * The read is stale only if replicas 0, 1 and 2 all apply the write later
 * than the read reaches them (each pool job 100 ms or more) while two of
 * replicas 3 and 4 acknowledge: three specific non-natural decisions.
 *
 * The fix: R = 4 (R + W > N): replicas 0..3, which must overlap any two. */
#include "hard.h"

#define QR_N 5
#define QR_W 2
#define QR_READ_AFTER_MS 50

static struct {
  int fixed;
  int applied[QR_N];      /* replica i holds the write */
  int acks;
  int read_started;
  uv_timer_t read_timer;
  uv_work_t write_req[QR_N], read_req[QR_N];
  int read_seen, read_left;
} qr;

static void on_read(uv_work_t* req, int status) {
  (void)status;
  (void)req;
  /* each replica answered with what it held when the read reached it
   * (sampled in on_read_start, when the read jobs were sent) */
  if (--qr.read_left == 0)
    UVSIM_CHECK(qr.read_seen, "read after an acknowledged write returned the old value");
}

static void on_read_start(uv_timer_t* t) {
  uv_close((uv_handle_t*)t, NULL);
  int r = qr.fixed ? 4 : 3;
  qr.read_left = r;
  for (int i = 0; i < r; i++) {
    if (qr.applied[i]) qr.read_seen = 1;
    hard_job(&qr.read_req[i], (void*)(intptr_t)i, on_read);
  }
}

static void on_applied(uv_work_t* req, int status) {
  (void)status;
  int i = (int)(intptr_t)req->data;
  qr.applied[i] = 1;
  if (++qr.acks == QR_W)
    hard_timer(&qr.read_timer, NULL, on_read_start, QR_READ_AFTER_MS);
}

static void quorum(int fixed) {
  memset(&qr, 0, sizeof qr);
  qr.fixed = fixed;
  scn_begin();
  for (int i = 0; i < QR_N; i++) hard_job(&qr.write_req[i], (void*)(intptr_t)i, on_applied);
  scn_run();
  scn_end();
}

static void quorum_buggy(void) { quorum(0); }
static void quorum_fixed(void) { quorum(1); }

UVSIM_SCENARIO(hard_quorum, buggy, quorum_buggy,
               .description = "R + W = N: a read of three replicas misses a write two others acknowledged",
               .invariant = "a read after an acknowledged write sees it",
               .expect = UVSIM_EXPECT_BUG, .flags = UVSIM_SCN_HARD, .runs = 300);
UVSIM_SCENARIO(hard_quorum, fixed, quorum_fixed,
               .description = "R + W > N: the read set overlaps every write quorum",
               .invariant = "a read after an acknowledged write sees it",
               .expect = UVSIM_EXPECT_CLEAN, .flags = UVSIM_SCN_HARD, .runs = 300);
