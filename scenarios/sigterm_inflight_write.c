/* scenarios/sigterm_inflight_write.c — a journaling service shuts down on
 * SIGTERM and loses a record it had already accepted (plain libuv API; the
 * `process.on('SIGTERM', () => process.exit(0))` family of Node bugs).
 *
 * Every 5 ms the service accepts a record (an acknowledged request) and
 * appends it to /data/journal with an asynchronous uv_fs_write (a pool
 * job). After 12 records it finishes: it waits for its writes, closes the
 * journal and its handles. A uv_signal_t watches SIGTERM for a graceful
 * shutdown. The SIGTERM comes from a fault rule the body adds,
 * `signal SIGTERM prob=1/12`: after each callback a `fault` decision sends
 * it (choice 0, the natural run: never).
 *
 * Invariant: when the process ends, every accepted record is in the
 * journal (its write completed).
 *
 * The bug: the SIGTERM handler stops accepting, closes the journal and
 * stops the loop at once (the process would exit here). A record accepted
 * just before the signal still has its write in the pool: the write is
 * lost, though the client was told it was accepted. It needs the signal to
 * land while a write is in flight (after an accept callback, with the
 * write's pool job not yet done).
 *
 * The fix: the handler stops accepting and closes the signal handle, then
 * the journal is closed only once the writes in flight have completed;
 * the loop ends by itself when nothing is left.
 */
#include "scn.h"

#include <fcntl.h>
#include <signal.h>

#define SW_RECORDS 12
#define SW_PERIOD_MS 5

static struct {
  int fixed;
  uv_timer_t accept;
  uv_signal_t term;
  uv_fs_t wreq[SW_RECORDS];
  char rec[SW_RECORDS][16];
  uv_file fd;
  int accepted, durable, inflight;
  int stopping, closed;
} sw;

static void on_closed(uv_handle_t* h) { (void)h; }

/* The end: the journal and the SIGTERM watcher go. */
static void close_journal(void) {
  if (sw.closed) return;
  sw.closed = 1;
  uv_fs_t req;
  uv_fs_close(scn_loop, &req, sw.fd, NULL);
  uv_fs_req_cleanup(&req);
  uv_close((uv_handle_t*)&sw.term, on_closed);
}

/* Stop accepting; the journal is closed once the writes have drained. */
static void stop_accepting(void) {
  if (sw.stopping) return;
  sw.stopping = 1;
  uv_close((uv_handle_t*)&sw.accept, on_closed);
  if (sw.inflight == 0) close_journal();
}

static void on_written(uv_fs_t* req) {
  if (req->result >= 0) sw.durable++;
  uv_fs_req_cleanup(req);
  sw.inflight--;
  if (sw.stopping && sw.inflight == 0) close_journal();   /* drained */
}

static void on_accept(uv_timer_t* t) {
  (void)t;
  int i = sw.accepted++;
  int n = snprintf(sw.rec[i], sizeof sw.rec[i], "record %d\n", i);
  uv_buf_t b = uv_buf_init(sw.rec[i], (unsigned)n);
  sw.inflight++;
  int rc = uv_fs_write(scn_loop, &sw.wreq[i], sw.fd, &b, 1, -1, on_written);
  UVSIM_CHECK(rc == 0, "write: %s", uv_err_name(rc));
  if (sw.accepted == SW_RECORDS) stop_accepting();   /* done: drain */
}

static void on_sigterm(uv_signal_t* h, int signum) {
  (void)h;
  UVSIM_CHECK(signum == SIGTERM, "signal %d", signum);
  stop_accepting();         /* the journal closes once drained */
  if (sw.fixed) return;
  close_journal();          /* the bug: writes may still be in flight */
  uv_stop(scn_loop);        /* ... and the process exits */
}

static void sigterm_inflight_write(int fixed) {
  memset(&sw, 0, sizeof sw);
  sw.fixed = fixed;
  uv_loop_t* loop = scn_begin();
  int rc = uvsim_fault("signal SIGTERM prob=1/12");
  UVSIM_CHECK(rc == 0, "the signal fault rule was refused");
  uv_fs_t req;
  uv_fs_mkdir(loop, &req, "/data", 0755, NULL);
  uv_fs_req_cleanup(&req);
  sw.fd = uv_fs_open(loop, &req, "/data/journal", O_WRONLY | O_CREAT | O_APPEND, 0644, NULL);
  uv_fs_req_cleanup(&req);
  UVSIM_CHECK(sw.fd >= 0, "open: %s", uv_err_name(sw.fd));
  uv_signal_init(loop, &sw.term);
  uv_signal_start(&sw.term, on_sigterm, SIGTERM);
  uv_timer_init(loop, &sw.accept);
  uv_timer_start(&sw.accept, on_accept, SW_PERIOD_MS, SW_PERIOD_MS);
  int clean = scn_run();
  /* the process ends here, whether the loop ran out or was stopped */
  if (clean || !uvsim_failed())
    UVSIM_CHECK(sw.durable == sw.accepted,
                "an accepted record was lost at shutdown (%d accepted, %d in the journal)",
                sw.accepted, sw.durable);
  /* stopped with nothing lost: let the close callbacks run, so that the
   * loop closes cleanly */
  if (!clean && !uvsim_failed()) uv_run(loop, UV_RUN_DEFAULT);
  scn_end();
}

static void sigterm_inflight_write_buggy(void) { sigterm_inflight_write(0); }
static void sigterm_inflight_write_fixed(void) { sigterm_inflight_write(1); }

UVSIM_SCENARIO(sigterm_inflight_write, buggy, sigterm_inflight_write_buggy,
               .description = "SIGTERM handler closes the journal and exits with a write in flight",
               .invariant = "every accepted record is in the journal at exit",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(sigterm_inflight_write, fixed, sigterm_inflight_write_fixed,
               .description = "SIGTERM handler stops accepting and drains writes before closing",
               .invariant = "every accepted record is in the journal at exit",
               .expect = UVSIM_EXPECT_CLEAN);
