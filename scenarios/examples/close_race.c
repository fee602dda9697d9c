/* scenarios/examples/close_race.c — a read is in flight on the pool when a
 * timer closes its stream. The buggy completion callback assert()s that the
 * stream is still open (a use-after-close in real code), so a slow read
 * aborts the process: uvsim turns the abort into an "assert" finding with
 * the message from stderr. The fixed callback checks and drops the result.
 * Runs in forked workers like every campaign; replays fork per run. */
#undef NDEBUG            /* the assert is the bug detector: keep it        */
#include <assert.h>

#include "mini.h"
#include "uvsim/scenario.h"
#include "uvsim/world.h"

static struct {
  int closed;
  int delivered;
  int careful;
  mini_ev read, close;
} cr;

static void read_done(mini_ev* m) {
  (void)m;
  if (cr.careful && cr.closed) return;   /* fixed: the stream is gone */
  assert(!cr.closed && "read completed on a closed stream");
  cr.delivered++;
}

static void close_cb(mini_ev* m) {
  (void)m;
  cr.closed = 1;
}

static void close_race(int careful) {
  cr.closed = 0;
  cr.delivered = 0;
  cr.careful = careful;
  mini_pool(&cr.read, "fs.read conf", read_done);
  mini_timer(&cr.close, "timer close", 3000000, close_cb);
  mini_run();
  UVSIM_CHECK(cr.delivered <= 1, "%d deliveries for one read", cr.delivered);
}

static void close_race_buggy(void) { close_race(0); }
static void close_race_fixed(void) { close_race(1); }

UVSIM_SCENARIO(close_race, buggy, close_race_buggy,
               .description = "a pool read completes after its stream was closed",
               .invariant = "no callback touches a closed stream (assert)",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(close_race, fixed, close_race_fixed,
               .description = "the read callback checks the stream is open",
               .invariant = "no callback touches a closed stream (assert)",
               .expect = UVSIM_EXPECT_CLEAN);
