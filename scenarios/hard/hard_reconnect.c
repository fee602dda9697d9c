/* scenarios/hard/hard_reconnect.c — a client that reconnects when a
 * heartbeat goes unanswered, and flushes its queue on the new connection.
 *
 *   connect(c => { conn = c; flush(c); ping(); });
 *   function ping() {
 *     const t = setTimeout(reconnect, 500);          // pong overdue
 *     conn.ping(() => clearTimeout(t));
 *   }
 *   function reconnect() {
 *     const old = conn; conn = null;
 *     old.close(() => { conn = null; });           // buggy: whichever conn
 *     connect(c => { conn = c; flush(c); });
 *   }
 *   function flush(c) { c.send(queue, () => assert(conn === c)); }
 *
 * Invariant: when a flush on the newest connection completes, that
 * connection is still the client's (else the client believes itself
 * disconnected and the acknowledged queue is sent nowhere again).
 *
 * The bug, three steps: the pong is late (pool job of 1 s or more against
 * a 500 ms timer), the old connection's close completes after the new
 * connection is up (close slower than connect), and the flush on the new
 * connection is slower still, so the stale close callback clears the new
 * connection in between. Measured (bench/hard/README.md): shallower than
 * designed. The minimised reproducer needs two decisions: the pong in the
 * 1 s tail, and the close finishing after the connect in the same instant
 * (pool_finish); the flush's after-callback then comes a loop turn later.
 *
 * The fix: the close callback forgets the connection only if it is still
 * the one being closed. */
#include "hard.h"

#define RC_PONG_TIMEOUT_MS 500

static struct {
  int fixed;
  int conn;           /* the client's current connection (0: none) */
  int newest;         /* the last connection made                  */
  uv_timer_t pong_timer;
  uv_work_t connect_req[2], close_req, ping_req, flush_req[2];
} rc;

static void on_flushed(uv_work_t* req, int status) {
  (void)status;
  int c = (int)(intptr_t)req->data;
  if (c == rc.newest)
    UVSIM_CHECK(rc.conn == c, "flush on connection %d completed but the client has connection %d",
                c, rc.conn);
}

static void on_connected(uv_work_t* req, int status) {
  (void)status;
  int c = (int)(intptr_t)req->data;
  rc.conn = c;
  hard_job(&rc.flush_req[c - 1], (void*)(intptr_t)c, on_flushed);
}

static void on_closed(uv_work_t* req, int status) {
  (void)status;
  int old = (int)(intptr_t)req->data;
  if (!rc.fixed || rc.conn == old) rc.conn = 0;
}

static void on_pong_overdue(uv_timer_t* t) {
  (void)t;
  hard_close(&rc.pong_timer);
  int old = rc.conn;
  rc.conn = 0;
  rc.newest = 2;
  hard_job(&rc.close_req, (void*)(intptr_t)old, on_closed);
  hard_job(&rc.connect_req[1], (void*)(intptr_t)2, on_connected);
}

static void on_pong(uv_work_t* req, int status) {
  (void)req, (void)status;
  hard_close(&rc.pong_timer);
}

static void on_first_connect(uv_work_t* req, int status) {
  on_connected(req, status);
  hard_job(&rc.ping_req, NULL, on_pong);
  hard_timer(&rc.pong_timer, NULL, on_pong_overdue, RC_PONG_TIMEOUT_MS);
}

static void reconnect(int fixed) {
  memset(&rc, 0, sizeof rc);
  rc.fixed = fixed;
  scn_begin();
  rc.newest = 1;
  hard_job(&rc.connect_req[0], (void*)(intptr_t)1, on_first_connect);
  scn_run();
  scn_end();
}

static void reconnect_buggy(void) { reconnect(0); }
static void reconnect_fixed(void) { reconnect(1); }

UVSIM_SCENARIO(hard_reconnect, buggy, reconnect_buggy,
               .description = "a stale close callback after a heartbeat reconnect forgets the new connection",
               .invariant = "the newest connection stays the client's until its flush completes",
               .expect = UVSIM_EXPECT_BUG, .flags = UVSIM_SCN_HARD, .runs = 300);
UVSIM_SCENARIO(hard_reconnect, fixed, reconnect_fixed,
               .description = "heartbeat reconnect; the close callback forgets only its own connection",
               .invariant = "the newest connection stays the client's until its flush completes",
               .expect = UVSIM_EXPECT_CLEAN, .flags = UVSIM_SCN_HARD, .runs = 300);
